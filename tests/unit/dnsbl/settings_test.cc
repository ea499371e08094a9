#include <gtest/gtest.h>

#include "tests/unit/dnsbl/test_support.h"

namespace portcullis::dnsbl {
namespace {

using testing::settingsFrom;

constexpr std::string_view kZen = R"(
[checks.dnsbl]
max_uri_lookups = 5
skip_local = false
fail_mode = "tempfail"
[[checks.dnsbl.zone]]
zone = "zen.spamhaus.org."
symbol = "RCVD_IN_ZEN"
score = 2.0
  [[checks.dnsbl.zone.code]]
  addresses = ["127.0.0.2", "127.0.0.9"]
  symbol = "RCVD_IN_SBL"
  score = 5.0
  reject = true
  [[checks.dnsbl.zone.code]]
  addresses = ["127.0.0.10", "127.0.0.11"]
  symbol = "RCVD_IN_PBL"
  score = 1.5
[[checks.dnsbl.zone]]
zone = "dbl.example.test"
kind = "domain"
symbol = "DBL_LISTED"
check_helo = false
[[checks.dnsbl.zone]]
zone = "multi.uribl.test"
kind = "uri"
symbol = "URIBL_MULTI"
  [[checks.dnsbl.zone.code]]
  mask = 4
  symbol = "URIBL_BLACK"
  score = 4.0
)";

TEST(DnsblSettings, ReadsZonesAndCodes) {
  DnsblSettings s = settingsFrom(kZen);
  EXPECT_EQ(s.max_uri_lookups, 5u);
  EXPECT_FALSE(s.skip_local);
  EXPECT_EQ(s.fail_mode, FailMode::TempFail);
  ASSERT_EQ(s.zones.size(), 3u);
  const Zone& zen = s.zones[0];
  EXPECT_EQ(zen.zone, "zen.spamhaus.org");
  EXPECT_EQ(zen.kind, ZoneKind::Ip);
  ASSERT_EQ(zen.codes.size(), 2u);
  EXPECT_EQ(zen.codes[0].addresses.size(), 2u);
  EXPECT_TRUE(zen.codes[0].reject);
  EXPECT_FALSE(zen.codes[1].reject);
  EXPECT_EQ(zen.codes[1].symbol, "RCVD_IN_PBL");
  EXPECT_EQ(s.zones[1].kind, ZoneKind::Domain);
  EXPECT_FALSE(s.zones[1].check_helo);
  EXPECT_TRUE(s.zones[1].check_sender);
  EXPECT_EQ(s.zones[2].codes[0].mask, 4);
  EXPECT_TRUE(s.has(ZoneKind::Uri));
}

TEST(DnsblSettings, RejectsMistakes) {
  auto bad = [](std::string_view zone_body) {
    std::string toml = "[checks.dnsbl]\n[[checks.dnsbl.zone]]\n" + std::string(zone_body);
    EXPECT_THROW(settingsFrom(toml), config::ConfigError) << zone_body;
  };
  bad("symbol = \"X\"\n");                                      // no zone
  bad("zone = \"bl.test\"\nsymbol = \"lower\"\n");              // bad symbol
  bad("zone = \"bl.test\"\nsymbol = \"X\"\nkind = \"url\"\n");  // bad kind
  bad("zone = \"bl.test\"\nsymbol = \"X\"\nscore = -2.0\nreject = true\n");
  bad("zone = \"bl.test\"\nsymbol = \"X\"\n[[checks.dnsbl.zone.code]]\nsymbol = \"Y\"\n");
  bad("zone = \"bl.test\"\nsymbol = \"X\"\nrejct = true\n");  // misspelt option
}

}  // namespace
}  // namespace portcullis::dnsbl
