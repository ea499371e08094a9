// The DNS list checks against zones served by a StaticResolver.
#include <gtest/gtest.h>

#include "filters/dnsbl/dnsbl_check.h"
#include "gateway/dns/static_resolver.h"
#include "tests/unit/dnsbl/test_support.h"

namespace portcullis::dnsbl {
namespace {

using testing::runCheck;
using testing::settingsFrom;

constexpr std::string_view kConfig = R"(
[checks.dnsbl]
skip_local = true
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
  addresses = ["127.0.0.10"]
  symbol = "RCVD_IN_PBL"
  score = 1.5
[[checks.dnsbl.zone]]
zone = "wl.example.test"
symbol = "RCVD_IN_DNSWL"
score = -3.0
[[checks.dnsbl.zone]]
zone = "dbl.example.test"
kind = "domain"
symbol = "DBL_SPAM"
score = 3.0
[[checks.dnsbl.zone]]
zone = "uribl.example.test"
kind = "uri"
symbol = "URIBL_BLACK"
score = 4.0
)";

class DnsListChecks : public ::testing::Test {
 protected:
  std::shared_ptr<const Check> check(std::string_view name, std::string_view toml = kConfig) {
    checks_ = makeDnsblChecks(settingsFrom(toml), zone_);
    for (const auto& c : checks_) {
      if (c->name() == name) return c;
    }
    return nullptr;
  }
  Report run(std::string_view name, const Transaction& tx) {
    Report report;
    auto c = check(name);
    runCheck(*c, tx, report);
    return report;
  }
  dns::StaticResolver zone_;
  std::vector<std::shared_ptr<const Check>> checks_;
};

TEST_F(DnsListChecks, OneCheckPerStage) {
  check("dnsbl");
  ASSERT_EQ(checks_.size(), 3u);
  EXPECT_EQ(checks_[0]->stage(), Stage::Connect);
  EXPECT_EQ(checks_[1]->stage(), Stage::MailFrom);
  EXPECT_EQ(checks_[2]->stage(), Stage::Message);
}

TEST_F(DnsListChecks, ListedClientIsRejected) {
  zone_.add("1.2.0.192.zen.example.test", dns::RrType::A, "127.0.0.2");
  Transaction tx;
  tx.client.address = "192.0.2.1";
  Report report = run("dnsbl", tx);
  EXPECT_TRUE(report.hasSymbol("RCVD_IN_SBL"));
  ASSERT_TRUE(report.forced());
  EXPECT_EQ(report.forced()->action, Action::Reject);
}

TEST_F(DnsListChecks, PolicyListingAndAllowlistOnlyScore) {
  zone_.add("9.2.0.192.zen.example.test", dns::RrType::A, "127.0.0.10");
  zone_.add("9.2.0.192.wl.example.test", dns::RrType::A, "127.0.0.2");
  Transaction tx;
  tx.client.address = "192.0.2.9";
  Report report = run("dnsbl", tx);
  EXPECT_TRUE(report.hasSymbol("RCVD_IN_PBL"));
  EXPECT_TRUE(report.hasSymbol("RCVD_IN_DNSWL"));
  EXPECT_DOUBLE_EQ(report.score(), -1.5);
  EXPECT_FALSE(report.forced());
}

TEST_F(DnsListChecks, CleanAndLocalClients) {
  Transaction tx;
  tx.client.address = "192.0.2.50";
  EXPECT_TRUE(run("dnsbl", tx).symbols().empty());
  size_t before = zone_.queries();
  tx.client.address = "10.0.0.1";
  EXPECT_TRUE(run("dnsbl", tx).symbols().empty());
  EXPECT_EQ(zone_.queries(), before);  // private addresses are never looked up
}

TEST_F(DnsListChecks, IPv6ClientUsesNibbles) {
  zone_.add("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example.test",
            dns::RrType::A, "127.0.0.4");
  Transaction tx;
  tx.client.address = "2001:db8::1";
  EXPECT_TRUE(run("dnsbl", tx).hasSymbol("RCVD_IN_ZEN"));
}

TEST_F(DnsListChecks, TimeoutIsASymbolAndOptionallyATempfail) {
  zone_.setTimeout("1.2.0.192.zen.example.test");
  Transaction tx;
  tx.client.address = "192.0.2.1";
  Report report = run("dnsbl", tx);
  EXPECT_TRUE(report.hasSymbol("DNSBL_TEMPFAIL"));
  EXPECT_DOUBLE_EQ(report.score(), 0);
  EXPECT_FALSE(report.forced());

  std::string tempfail(kConfig);
  tempfail.replace(tempfail.find("skip_local = true"), 17, "fail_mode = \"tempfail\"");
  auto c = check("dnsbl", tempfail);
  Report strict;
  runCheck(*c, tx, strict);
  ASSERT_TRUE(strict.forced());
  EXPECT_EQ(strict.forced()->action, Action::TempFail);
}

TEST_F(DnsListChecks, SenderAndHeloDomains) {
  zone_.add("spammer.example.dbl.example.test", dns::RrType::A, "127.0.1.2");
  zone_.add("bad-helo.example.dbl.example.test", dns::RrType::A, "127.0.1.2");
  Transaction tx;
  tx.client.address = "192.0.2.1";
  tx.client.helo = "bad-helo.example";
  tx.envelope.mail_from = "someone@Spammer.Example";
  Report report = run("rhsbl", tx);
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, "DBL_SPAM");
  EXPECT_NE(symbols[0].detail.find("spammer.example"), std::string::npos);
  EXPECT_NE(symbols[0].detail.find("bad-helo.example"), std::string::npos);

  tx.client.helo = "[192.0.2.1]";
  tx.envelope.mail_from = "";
  size_t before = zone_.queries();
  EXPECT_TRUE(run("rhsbl", tx).symbols().empty());
  EXPECT_EQ(zone_.queries(), before);
}

}  // namespace
}  // namespace portcullis::dnsbl
