// The SPF check as the pipeline runs it: symbols, AuthResults for DMARC, forced actions, config.
#include "filters/spf/spf_check.h"

#include <gtest/gtest.h>

#include "gateway/config/document.h"
#include "gateway/config/section.h"
#include "gateway/dns/static_resolver.h"

namespace portcullis::spf {
namespace {

SpfSettings settingsFrom(std::string_view toml) {
  auto doc = config::Document::parseString(toml, "test.toml");
  auto checks = doc.root().sub("checks");
  auto section = checks->sub("spf");
  return readSpfSettings(*section);
}

class SpfCheckTest : public ::testing::Test {
 protected:
  SpfCheckTest() {
    zone_.add("example.test", dns::RrType::TXT,
              "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all exp=why.example.test");
    zone_.add("why.example.test", dns::RrType::TXT, "%{i} is not a mail server of %{d}");
    zone_.add("soft.example.test", dns::RrType::TXT, "v=spf1 ~all");
    zone_.add("mail.helo.test", dns::RrType::TXT, "v=spf1 a -all");
    zone_.add("mail.helo.test", dns::RrType::A, "198.51.100.7");
    zone_.setTimeout("slow.example.test");
  }

  Report run(const SpfSettings& settings, std::string mail_from, std::string ip,
             std::string helo = "mail.helo.test") {
    SpfCheck check(settings, zone_);
    Transaction tx;
    tx.client.address = std::move(ip);
    tx.client.helo = std::move(helo);
    tx.envelope.mail_from = std::move(mail_from);
    Report report;
    asio::io_context io;
    asio::co_spawn(io, check.run(tx, report), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
    return report;
  }

  dns::StaticResolver zone_;
};

TEST_F(SpfCheckTest, PassIsRecordedForDmarc) {
  Report report = run(SpfSettings{}, "user@example.test", "192.0.2.10");
  EXPECT_TRUE(report.hasSymbol("SPF_PASS"));
  auto auth = report.auth();
  ASSERT_TRUE(auth.spf);
  EXPECT_EQ(auth.spf->result, "pass");
  EXPECT_EQ(auth.spf->identity, "mailfrom");
  EXPECT_EQ(auth.spf->domain, "example.test");
  EXPECT_FALSE(report.forced());
}

TEST_F(SpfCheckTest, FailScoresAndOptionallyRejectsWithExplanation) {
  Report scored = run(SpfSettings{}, "user@example.test", "203.0.113.5");
  EXPECT_TRUE(scored.hasSymbol("SPF_FAIL"));
  EXPECT_DOUBLE_EQ(scored.score(), 3.0);
  EXPECT_FALSE(scored.forced());
  EXPECT_EQ(scored.auth().spf->explanation, "203.0.113.5 is not a mail server of example.test");

  SpfSettings strict;
  strict.reject_on_fail = true;
  Report rejected = run(strict, "user@example.test", "2001:db9::1");
  ASSERT_TRUE(rejected.forced());
  EXPECT_EQ(rejected.forced()->action, Action::Reject);
  EXPECT_EQ(rejected.forced()->enhanced, "5.7.23");
}

TEST_F(SpfCheckTest, NullSenderChecksHelo) {
  Report report = run(SpfSettings{}, "", "198.51.100.7");
  EXPECT_TRUE(report.hasSymbol("SPF_PASS"));
  EXPECT_EQ(report.auth().spf->identity, "helo");
  EXPECT_EQ(report.auth().spf->domain, "mail.helo.test");
}

TEST_F(SpfCheckTest, DnsTimeoutIsTemperrorNeverAnException) {
  Report report = run(SpfSettings{}, "user@slow.example.test", "192.0.2.10");
  EXPECT_TRUE(report.hasSymbol("SPF_TEMPERROR"));
  EXPECT_EQ(report.auth().spf->result, "temperror");
  EXPECT_FALSE(report.forced());

  SpfSettings strict;
  strict.tempfail_on_temperror = true;
  Report tempfailed = run(strict, "user@slow.example.test", "192.0.2.10");
  ASSERT_TRUE(tempfailed.forced());
  EXPECT_EQ(tempfailed.forced()->action, Action::TempFail);
}

TEST_F(SpfCheckTest, OtherResults) {
  EXPECT_TRUE(run(SpfSettings{}, "a@soft.example.test", "192.0.2.1").hasSymbol("SPF_SOFTFAIL"));
  EXPECT_TRUE(run(SpfSettings{}, "a@nothing.example.test", "192.0.2.1").hasSymbol("SPF_NONE"));
}

TEST_F(SpfCheckTest, ReadsSettings) {
  SpfSettings s = settingsFrom(
      "[checks.spf]\nscore_fail = 5.5\nscore_pass = -1\nreject_on_fail = true\n"
      "receiver = \"mx.example.test\"\nmax_void_lookups = 3\nfail_mode = \"tempfail\"\n");
  EXPECT_DOUBLE_EQ(s.scores.of("SPF_FAIL"), 5.5);
  EXPECT_DOUBLE_EQ(s.scores.of("SPF_PASS"), -1);
  EXPECT_DOUBLE_EQ(s.scores.of("SPF_SOFTFAIL"), 1.0);
  EXPECT_TRUE(s.reject_on_fail);
  EXPECT_EQ(s.receiver, "mx.example.test");
  EXPECT_EQ(s.limits.void_lookups, 3);
  EXPECT_EQ(s.fail_mode, FailMode::TempFail);
  EXPECT_THROW(settingsFrom("[checks.spf]\nscore_fial = 1\n"), config::ConfigError);
  EXPECT_EQ(symbolName(SpfResult::PermError), "SPF_PERMERROR");
}

TEST_F(SpfCheckTest, FactoryNeedsAResolver) {
  auto doc = config::Document::parseString("[checks.spf]\n", "test.toml");
  auto checks = doc.root().sub("checks");
  auto section = checks->sub("spf");
  asio::thread_pool workers(1);
  CheckDeps offline{workers};
  EXPECT_TRUE(spfCheckFactory().build(*section, offline).empty());
  CheckDeps online{workers, &zone_};
  auto doc2 = config::Document::parseString("[checks.spf]\n", "test.toml");
  auto section2 = doc2.root().sub("checks")->sub("spf");
  auto built = spfCheckFactory().build(*section2, online);
  ASSERT_EQ(built.size(), 1u);
  EXPECT_EQ(built[0]->stage(), Stage::MailFrom);
  EXPECT_EQ(spfCheckFactory().name, "spf");
}

}  // namespace
}  // namespace portcullis::spf
