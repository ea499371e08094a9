// Runs the openspf conformance suites (RFC 7208 and RFC 4408 editions) against SpfEvaluator. Each
// scenario's zone data is served by a StaticResolver built the way the suite's reference driver
// (pyspf's testspf.py) builds it: type SPF records are served as TXT unless the name has TXT
// records of its own (or "TXT: NONE"), and TIMEOUT makes every type without records time out.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "filters/spf/spf_evaluator.h"
#include "gateway/dns/static_resolver.h"
#include "tests/unit/spf/yaml_subset.h"

namespace portcullis::spf {
namespace {

using testing::yaml::Node;

struct SuiteCase {
  std::string name;  // gtest-safe
  std::string id;
  const Node* test = nullptr;
  std::shared_ptr<dns::StaticResolver> zone;
  std::shared_ptr<std::vector<Node>> documents;  // keeps `test` alive
};

std::string textOf(const Node& value) {
  if (value.kind == Node::Kind::Scalar) return value.scalar;
  std::string joined;
  for (const auto& part : value.items) joined += part.scalar;
  return joined;
}

std::shared_ptr<dns::StaticResolver> buildZone(const Node& zonedata) {
  auto zone = std::make_shared<dns::StaticResolver>();
  for (const auto& [name, entries] : zonedata.map) {
    zone->addEmpty(name);
    bool has_txt = false;
    std::vector<std::string> spf;
    for (const auto& entry : entries.items) {
      if (entry.kind == Node::Kind::Scalar) {
        if (entry.scalar == "TIMEOUT") zone->setTimeoutForMissingTypes(name);
        continue;
      }
      const auto& [type, value] = entry.map.front();
      if (value.kind == Node::Kind::Scalar && value.scalar == "TIMEOUT") {
        zone->setTimeoutForMissingTypes(name);
      } else if (type == "TXT") {
        has_txt = true;
        if (value.kind == Node::Kind::Sequence || value.scalar != "NONE")
          zone->add(name, dns::RrType::TXT, textOf(value));
      } else if (type == "SPF") {
        spf.push_back(textOf(value));
      } else if (type == "A") {
        zone->add(name, dns::RrType::A, value.scalar);
      } else if (type == "AAAA") {
        zone->add(name, dns::RrType::AAAA, value.scalar);
      } else if (type == "PTR") {
        zone->add(name, dns::RrType::PTR, value.scalar);
      } else if (type == "MX") {
        zone->addMx(name, static_cast<uint16_t>(std::stoi(value.items.at(0).scalar)),
                    value.items.at(1).scalar);
      } else if (type == "CNAME") {
        zone->addCname(name, value.scalar);
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
  std::ifstream in(std::string(PORTCULLIS_SHARED_DIR) + "/testdata/spf/" + file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto documents = std::make_shared<std::vector<Node>>(testing::yaml::parseDocuments(buffer.str()));
  std::vector<SuiteCase> cases;
  for (const auto& document : *documents) {
    const Node* zonedata = document.find("zonedata");
    const Node* tests = document.find("tests");
    if (!zonedata || !tests) continue;
    auto zone = buildZone(*zonedata);
    for (const auto& [id, test] : tests->map) {
      std::string name = prefix + "_" + id;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      cases.push_back({name, id, &test, zone, documents});
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
  const Node& test = *c.test;
  SpfRequest request;
  request.client_ip = test.find("host")->scalar;
  request.mail_from = test.find("mailfrom")->scalar;
  request.helo = test.find("helo")->scalar;
  SpfVerdict verdict = evaluate(*c.zone, request);

  const Node* expected = test.find("result");
  ASSERT_NE(expected, nullptr) << c.id;
  std::vector<std::string> acceptable;
  if (expected->kind == Node::Kind::Scalar) acceptable.push_back(expected->scalar);
  for (const auto& item : expected->items) acceptable.push_back(item.scalar);
  std::string got(toString(verdict.result));
  EXPECT_NE(std::find(acceptable.begin(), acceptable.end(), got), acceptable.end())
      << c.id << ": got " << got << " (" << verdict.reason << "), expected " << acceptable[0];

  if (const Node* explanation = test.find("explanation")) {
    // "DEFAULT" means the receiver's own text: the domain's exp= must not have been used.
    std::string want = explanation->scalar == "DEFAULT" ? "" : explanation->scalar;
    EXPECT_EQ(verdict.explanation, want) << c.id;
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
