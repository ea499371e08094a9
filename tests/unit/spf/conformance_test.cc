// Runs the openspf conformance suites (RFC 7208 and RFC 4408 editions) against SpfEvaluator. Each
// scenario's zone data is served by a StaticResolver built the way the suite's reference driver
// (pyspf's testspf.py) builds it: type SPF records are served as TXT unless the name has TXT
// records of its own (or "TXT: NONE"), and TIMEOUT makes every type without records time out.
// The suites are read with yaml-cpp.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "filters/spf/spf_evaluator.h"
#include "gateway/dns/static_resolver.h"

namespace portcullis::spf {
namespace {

struct SuiteCase {
  std::string name;  // gtest-safe
  std::string id;
  YAML::Node test;
  std::shared_ptr<dns::StaticResolver> zone;
};

// The suites write the bytes of malformed records as "\xHH" escapes, which YAML reads as the code
// points U+0080..U+00FF; the records mean those single bytes (a stray 0x80, a UTF-8 BOM), so
// each such code point is turned back into its byte. The files hold no other non-ASCII text.
std::string bytesOf(const YAML::Node& scalar) {
  const std::string utf8 = scalar.as<std::string>();
  std::string bytes;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    if ((lead == 0xC2 || lead == 0xC3) && i + 1 < utf8.size()) {
      const auto next = static_cast<unsigned char>(utf8[++i]);
      bytes += static_cast<char>(((lead & 0x03) << 6) | (next & 0x3F));
    } else {
      bytes += utf8[i];
    }
  }
  return bytes;
}

std::string textOf(const YAML::Node& value) {
  if (value.IsScalar()) return bytesOf(value);
  std::string joined;
  for (const auto& part : value) joined += bytesOf(part);
  return joined;
}

std::shared_ptr<dns::StaticResolver> buildZone(const YAML::Node& zonedata) {
  auto zone = std::make_shared<dns::StaticResolver>();
  for (const auto& named : zonedata) {
    const std::string name = named.first.as<std::string>();
    zone->addEmpty(name);
    bool has_txt = false;
    std::vector<std::string> spf;
    for (const auto& entry : named.second) {
      if (entry.IsScalar()) {
        if (entry.as<std::string>() == "TIMEOUT") zone->setTimeoutForMissingTypes(name);
        continue;
      }
      const auto record = entry.begin();
      const std::string type = record->first.as<std::string>();
      const YAML::Node value = record->second;  // a copy: operator-> yields a temporary
      if (value.IsScalar() && value.as<std::string>() == "TIMEOUT") {
        zone->setTimeoutForMissingTypes(name);
      } else if (type == "TXT") {
        has_txt = true;
        if (value.IsSequence() || value.as<std::string>() != "NONE")
          zone->add(name, dns::RrType::TXT, textOf(value));
      } else if (type == "SPF") {
        spf.push_back(textOf(value));
      } else if (type == "A") {
        zone->add(name, dns::RrType::A, value.as<std::string>());
      } else if (type == "AAAA") {
        zone->add(name, dns::RrType::AAAA, value.as<std::string>());
      } else if (type == "PTR") {
        zone->add(name, dns::RrType::PTR, value.as<std::string>());
      } else if (type == "MX") {
        zone->addMx(name, value[0].as<uint16_t>(), value[1].as<std::string>());
      } else if (type == "CNAME") {
        zone->addCname(name, value.as<std::string>());
      } else {
        ADD_FAILURE() << "unknown record type " << type << " at " << name;
      }
    }
    if (!has_txt) {
      for (auto& record : spf) zone->add(name, dns::RrType::TXT, record);
    }
  }
  return zone;
}

std::vector<SuiteCase> loadSuite(const std::string& file, const std::string& prefix) {
  std::vector<SuiteCase> cases;
  for (const YAML::Node& document :
       YAML::LoadAllFromFile(std::string(PORTCULLIS_SHARED_DIR) + "/testdata/spf/" + file)) {
    if (!document.IsMap() || !document["zonedata"] || !document["tests"]) continue;
    auto zone = buildZone(document["zonedata"]);
    for (const auto& entry : document["tests"]) {
      const std::string id = entry.first.as<std::string>();
      std::string name = prefix + "_" + id;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      cases.push_back({name, id, entry.second, zone});
    }
  }
  return cases;
}

SpfVerdict evaluate(dns::Resolver& resolver, const SpfRequest& request) {
  asio::io_context io;
  SpfVerdict verdict;
  asio::co_spawn(
      io, [&]() -> awaitable<void> { verdict = co_await SpfEvaluator(resolver).check(request); },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.run();
  return verdict;
}

class SpfConformance : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SpfConformance, ResultMatchesSuite) {
  const SuiteCase& c = GetParam();
  const YAML::Node& test = c.test;
  SpfRequest request;
  request.client_ip = bytesOf(test["host"]);
  request.mail_from = bytesOf(test["mailfrom"]);
  request.helo = bytesOf(test["helo"]);
  SpfVerdict verdict = evaluate(*c.zone, request);

  const YAML::Node expected = test["result"];
  ASSERT_TRUE(expected) << c.id;
  std::vector<std::string> acceptable;
  if (expected.IsScalar()) acceptable.push_back(expected.as<std::string>());
  if (expected.IsSequence()) {
    for (const auto& item : expected) acceptable.push_back(item.as<std::string>());
  }
  std::string got(toString(verdict.result));
  EXPECT_NE(std::find(acceptable.begin(), acceptable.end(), got), acceptable.end())
      << c.id << ": got " << got << " (" << verdict.reason << "), expected " << acceptable[0];

  if (const YAML::Node explanation = test["explanation"]) {
    // "DEFAULT" means the receiver's own text: the domain's exp= must not have been used.
    const std::string text = bytesOf(explanation);
    EXPECT_EQ(verdict.explanation, text == "DEFAULT" ? "" : text) << c.id;
  }
}

std::string caseName(const ::testing::TestParamInfo<SuiteCase>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Rfc7208, SpfConformance,
                         ::testing::ValuesIn(loadSuite("rfc7208-tests.yml", "rfc7208")), caseName);
INSTANTIATE_TEST_SUITE_P(Rfc4408, SpfConformance,
                         ::testing::ValuesIn(loadSuite("rfc4408-tests.yml", "rfc4408")), caseName);

TEST(SpfConformanceSuite, LoadsEveryCase) {
  EXPECT_EQ(loadSuite("rfc7208-tests.yml", "rfc7208").size(), 203u);
  EXPECT_EQ(loadSuite("rfc4408-tests.yml", "rfc4408").size(), 191u);
}

}  // namespace
}  // namespace portcullis::spf
