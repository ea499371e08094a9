#include "filters/dnsbl/listing.h"

#include <gtest/gtest.h>

#include "tests/unit/dnsbl/test_support.h"

namespace portcullis::dnsbl {
namespace {

Zone zen() {
  return testing::settingsFrom(R"(
[checks.dnsbl]
[[checks.dnsbl.zone]]
zone = "zen.example.test"
symbol = "RCVD_IN_ZEN"
score = 2.0
  [[checks.dnsbl.zone.code]]
  addresses = ["127.0.0.2"]
  symbol = "RCVD_IN_SBL"
  score = 5.0
  reject = true
  [[checks.dnsbl.zone.code]]
  mask = 8
  symbol = "RCVD_IN_BIT8"
  score = 1.0
)")
      .zones.at(0);
}

dns::Answer ok(std::vector<std::string> records) {
  return dns::Answer{dns::Status::Ok, std::move(records), {}, 300};
}

TEST(Listing, QueryNames) {
  Zone z = zen();
  EXPECT_EQ(queryName(*dns::IpAddress::parse("192.0.2.99"), z), "99.2.0.192.zen.example.test");
  EXPECT_EQ(queryName(*dns::IpAddress::parse("2001:db8::1"), z),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example.test");
  EXPECT_EQ(queryName("spam.example.", z), "spam.example.zen.example.test");
}

TEST(Listing, MapsReturnCodes) {
  Zone z = zen();
  auto sbl = interpret(z, ok({"127.0.0.2"}), "192.0.2.1");
  ASSERT_EQ(sbl.size(), 1u);
  EXPECT_EQ(sbl[0].symbol, "RCVD_IN_SBL");
  EXPECT_TRUE(sbl[0].reject);
  auto bit = interpret(z, ok({"127.0.0.10"}), "192.0.2.1");
  ASSERT_EQ(bit.size(), 1u);
  EXPECT_EQ(bit[0].symbol, "RCVD_IN_BIT8");
  auto other = interpret(z, ok({"127.0.0.4"}), "192.0.2.1");  // no code claims it
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].symbol, "RCVD_IN_ZEN");
  EXPECT_FALSE(other[0].reject);
}

TEST(Listing, IgnoresErrorCodesAndForeignAddresses) {
  Zone z = zen();
  EXPECT_TRUE(interpret(z, ok({"127.255.255.254"}), "s").empty());
  EXPECT_TRUE(interpret(z, ok({"192.0.2.1"}), "s").empty());
  EXPECT_TRUE(interpret(z, dns::Answer{dns::Status::NxDomain, {}, {}, 0}, "s").empty());
}

TEST(Listing, OneSymbolPerNameAndRejectText) {
  DnsblSettings settings;
  Zone z = zen();
  auto listings = interpret(z, ok({"127.0.0.2", "127.0.0.4"}), "192.0.2.1");
  auto more = interpret(z, ok({"127.0.0.2"}), "192.0.2.7");
  listings.insert(listings.end(), more.begin(), more.end());
  Report r;
  report(listings, settings, r);
  ASSERT_EQ(r.symbols().size(), 2u);
  EXPECT_DOUBLE_EQ(r.score(), 7.0);
  auto forced = r.forced();
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->action, Action::Reject);
  EXPECT_EQ(forced->smtp_code, "554");
  EXPECT_EQ(forced->reply_text,
            "Service unavailable; client [192.0.2.1] blocked using zen.example.test");
}

}  // namespace
}  // namespace portcullis::dnsbl
