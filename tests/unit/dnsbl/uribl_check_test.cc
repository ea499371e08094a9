// The URIBL check over a parsed message (needs the MIME library's URI extraction).
#include <gtest/gtest.h>

#include "filters/dnsbl/dnsbl_check.h"
#include "gateway/dns/static_resolver.h"
#include "gateway/mime/message.h"
#include "tests/unit/dnsbl/test_support.h"

namespace portcullis::dnsbl {
namespace {

constexpr std::string_view kUriblConfig = R"(
[checks.dnsbl]
max_uri_lookups = 3
[[checks.dnsbl.zone]]
zone = "uribl.example.test"
kind = "uri"
symbol = "URIBL_BLACK"
score = 4.0
reject = true
)";

TEST(UriblCheck, LooksUpRegisteredDomainsAndIpLiterals) {
  dns::StaticResolver zone;
  zone.add("spam-shop.example.uribl.example.test", dns::RrType::A, "127.0.0.2");
  zone.add("7.2.0.192.uribl.example.test", dns::RrType::A, "127.0.0.2");
  auto checks = makeDnsblChecks(testing::settingsFrom(kUriblConfig), zone);
  ASSERT_EQ(checks.size(), 1u);

  std::string raw =
      "From: a@example.org\r\nTo: b@example.net\r\nSubject: offer\r\n\r\n"
      "Buy at http://www.spam-shop.example/now and http://192.0.2.7/x\r\n";
  Transaction tx;
  tx.message = raw;
  tx.parsed = std::make_shared<mime::Message>(mime::Message::parse(tx.message));
  Report report;
  testing::runCheck(*checks[0], tx, report);
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, "URIBL_BLACK");
  EXPECT_NE(symbols[0].detail.find("spam-shop.example"), std::string::npos);
  EXPECT_NE(symbols[0].detail.find("192.0.2.7"), std::string::npos);
  ASSERT_TRUE(report.forced());
  EXPECT_EQ(report.forced()->action, Action::Reject);
}

TEST(UriblCheck, CapsLookupsPerMessage) {
  dns::StaticResolver zone;
  auto checks = makeDnsblChecks(testing::settingsFrom(kUriblConfig), zone);
  std::string raw = "Subject: many\r\n\r\n";
  for (int i = 0; i < 10; ++i) raw += "http://site" + std::to_string(i) + ".example.com/ ";
  raw +=
      "http://d1.example.org/ http://d2.example.net/ http://d3.example.info/ "
      "http://d4.example.biz/\r\n";
  Transaction tx;
  tx.message = raw;
  tx.parsed = std::make_shared<mime::Message>(mime::Message::parse(tx.message));
  Report report;
  testing::runCheck(*checks[0], tx, report);
  EXPECT_EQ(zone.queries(), 3u);
}

}  // namespace
}  // namespace portcullis::dnsbl
