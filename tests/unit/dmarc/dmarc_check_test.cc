// The DMARC check end to end: policy discovery through a StaticResolver (author domain, then
// organisational domain), SPF and DKIM alignment from the report, pct= sampling with a seeded
// generator, forced actions with per-domain overrides, From field anomalies, and the DKIM check
// feeding it on dkim_verifier's vectors (fakePayPal: p=reject without a signature).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "filters/dkim/dkim_check.h"
#include "filters/dmarc/dmarc_check.h"
#include "filters/dmarc/dmarc_config.h"
#include "gateway/config/section.h"
#include "tests/unit/dkim/test_data.h"

namespace portcullis::dmarc {
namespace {

const std::filesystem::path kPsl = std::filesystem::path(PORTCULLIS_SHARED_DIR) /
                                   "testdata/dmarc/mail-dmarc/public_suffix_list.dat";

const std::string kMessage =
    "From: Joe <joe@mail.example.com>\r\nTo: a@b.test\r\nSubject: hi\r\n\r\nbody\r\n";

class DmarcCheckTest : public ::testing::Test {
 protected:
  DmarcOptions options() {
    DmarcOptions o;
    o.org = OrganizationalDomains::fromFile(kPsl);
    o.random_seed = 42;
    return o;
  }

  template <typename Setup>
  Report run(const std::string& message, DmarcOptions o, Setup setup) {
    DmarcCheck check(std::move(o), &resolver_);
    Transaction tx;
    tx.message = message;
    Report report;
    setup(report);
    drive(check.run(tx, report));
    return report;
  }
  Report run(const std::string& message, DmarcOptions o) {
    return run(message, std::move(o), [](Report&) {});
  }

  static void drive(awaitable<void> work) {
    asio::io_context io;
    asio::co_spawn(io, std::move(work), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
  }

  static void spfPass(Report& r, std::string domain) {
    r.updateAuth([&](AuthResults& a) { a.spf = SpfOutcome{"pass", "mailfrom", domain, ""}; });
  }
  static void dkimPass(Report& r, std::string domain) {
    r.updateAuth([&](AuthResults& a) {
      a.dkim.push_back({"pass", domain, "s", "@" + domain, "rsa-sha256", ""});
    });
  }

  dns::StaticResolver resolver_;
};

TEST_F(DmarcCheckTest, OrganizationalPolicyAndRelaxedDkimAlignment) {
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=reject");
  Report report = run(kMessage, options(), [](Report& r) { dkimPass(r, "example.com"); });
  EXPECT_TRUE(report.hasSymbol("DMARC_PASS"));
  EXPECT_FALSE(report.forced());
  auto dmarc = report.auth().dmarc;
  ASSERT_TRUE(dmarc);
  EXPECT_EQ(dmarc->result, "pass");
  EXPECT_EQ(dmarc->header_from_domain, "mail.example.com");
  EXPECT_EQ(dmarc->policy, "reject");
  EXPECT_EQ(dmarc->disposition, "none");
}

TEST_F(DmarcCheckTest, StrictAlignmentFailsAndRejects) {
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=reject; adkim=s; aspf=s");
  Report report = run(kMessage, options(), [](Report& r) {
    dkimPass(r, "example.com");
    spfPass(r, "bounce.example.com");
  });
  EXPECT_TRUE(report.hasSymbol("DMARC_FAIL_REJECT"));
  ASSERT_TRUE(report.forced());
  EXPECT_EQ(report.forced()->action, Action::Reject);
  EXPECT_EQ(report.forced()->smtp_code, "550");
  EXPECT_EQ(report.forced()->enhanced, "5.7.1");
  EXPECT_EQ(report.auth().dmarc->result, "fail");
  EXPECT_EQ(report.auth().dmarc->disposition, "reject");
}

TEST_F(DmarcCheckTest, AlignedSpfPasses) {
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=reject");
  Report report = run(kMessage, options(), [](Report& r) { spfPass(r, "bounce.example.com"); });
  EXPECT_TRUE(report.hasSymbol("DMARC_PASS"));
}

TEST_F(DmarcCheckTest, FailingDkimAndUnalignedSpfDoNotPass) {
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=quarantine");
  Report report = run(kMessage, options(), [](Report& r) {
    spfPass(r, "example.org");
    r.updateAuth([](AuthResults& a) {
      a.dkim.push_back({"fail", "example.com", "s", "@example.com", "rsa-sha256", "bad"});
    });
  });
  EXPECT_TRUE(report.hasSymbol("DMARC_FAIL_QUARANTINE"));
  ASSERT_TRUE(report.forced());
  EXPECT_EQ(report.forced()->action, Action::Quarantine);
}

TEST_F(DmarcCheckTest, SubdomainPolicyAppliesOnlyToOrganizationalRecords) {
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=reject; sp=none");
  EXPECT_TRUE(run(kMessage, options()).hasSymbol("DMARC_FAIL_NONE"));
  resolver_.add("_dmarc.mail.example.com", dns::RrType::TXT, "v=DMARC1; p=quarantine; sp=none");
  EXPECT_TRUE(run(kMessage, options()).hasSymbol("DMARC_FAIL_QUARANTINE"));
}

TEST_F(DmarcCheckTest, NoPolicyTempErrorAndAmbiguousRecords) {
  EXPECT_TRUE(run(kMessage, options()).hasSymbol("DMARC_NONE"));
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=reject");
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=none");
  EXPECT_TRUE(run(kMessage, options()).hasSymbol("DMARC_NONE"));  // two records: no policy
  resolver_.setServFail("_dmarc.mail.example.com");
  Report report = run(kMessage, options());
  EXPECT_TRUE(report.hasSymbol("DMARC_TEMPERROR"));
  EXPECT_EQ(report.auth().dmarc->result, "temperror");
}

TEST_F(DmarcCheckTest, UnusableRecordIsPermerror) {
  resolver_.add("_dmarc.mail.example.com", dns::RrType::TXT, "v=DMARC1; p=sometimes");
  resolver_.add("_dmarc.mail.example.com", dns::RrType::TXT, "unrelated text");
  EXPECT_TRUE(run(kMessage, options()).hasSymbol("DMARC_PERMERROR"));
}

TEST_F(DmarcCheckTest, PercentSamplingIsDeterministicForASeed) {
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=reject; pct=50");
  auto sample = [&] {
    DmarcCheck check(options(), &resolver_);  // seed 42
    std::vector<std::string> outcomes;
    for (int i = 0; i < 40; ++i) {
      Transaction tx;
      tx.message = kMessage;
      Report report;
      drive(check.run(tx, report));
      outcomes.push_back(report.hasSymbol("DMARC_FAIL_REJECT") ? "reject" : "quarantine");
      if (outcomes.back() == "quarantine") {
        EXPECT_TRUE(report.hasSymbol("DMARC_FAIL_QUARANTINE"));  // sampled out: one step down
      }
    }
    return outcomes;
  };
  auto first = sample();
  EXPECT_EQ(first, sample());
  auto rejects = std::count(first.begin(), first.end(), "reject");
  EXPECT_GT(rejects, 0);
  EXPECT_LT(rejects, 40);
}

TEST_F(DmarcCheckTest, PerDomainOverrideSoftensTheAction) {
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=reject");
  DmarcOptions o = options();
  o.domain_actions["example.com"] = FailureActions{FailureAction::Tag, FailureAction::None};
  Report report = run(kMessage, o);
  EXPECT_TRUE(report.hasSymbol("DMARC_FAIL_REJECT"));
  ASSERT_TRUE(report.forced());
  EXPECT_EQ(report.forced()->action, Action::Tag);
  EXPECT_EQ(report.auth().dmarc->disposition, "none");
}

TEST_F(DmarcCheckTest, FromFieldAnomalies) {
  Report none = run("To: a@b.test\r\n\r\nbody\r\n", options());
  EXPECT_TRUE(none.hasSymbol("DMARC_NO_FROM"));
  EXPECT_EQ(none.auth().dmarc->result, "permerror");

  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=none");
  resolver_.add("_dmarc.evil.test", dns::RrType::TXT, "v=DMARC1; p=reject");
  // Two From fields: each domain is evaluated and the worst outcome decides.
  Report twice = run("From: joe@example.com\r\nFrom: boss@evil.test\r\n\r\nx\r\n", options(),
                     [](Report& r) { dkimPass(r, "example.com"); });
  EXPECT_TRUE(twice.hasSymbol("DMARC_MULTIPLE_FROM"));
  EXPECT_TRUE(twice.hasSymbol("DMARC_FAIL_REJECT"));
  EXPECT_EQ(twice.auth().dmarc->header_from_domain, "evil.test");

  Report no_domain = run("From: undisclosed-recipients:;\r\n\r\nx\r\n", options());
  EXPECT_TRUE(no_domain.hasSymbol("DMARC_PERMERROR"));
}

TEST_F(DmarcCheckTest, AfterTheDkimCheckOnDkimVerifierVectors) {
  using namespace dkim::testing;
  loadDns(resolver_, readFile(dataDir() / "dkim_verifier/dns-txt.tsv"));
  resolver_.add("_dmarc.example.com", dns::RrType::TXT, "v=DMARC1; p=quarantine");
  asio::thread_pool workers(1);
  dkim::DkimCheck dkim_check({}, workers, &resolver_, [] { return int64_t{1700000000}; });
  DmarcCheck dmarc_check(options(), &resolver_);
  EXPECT_LT(dkim_check.priority(), dmarc_check.priority());
  auto both = [&](const std::string& file) {
    Transaction tx;
    tx.message = readMessage(dataDir() / "dkim_verifier" / file);
    Report report;
    drive(dkim_check.run(tx, report));
    drive(dmarc_check.run(tx, report));
    return report;
  };
  // No signature, _dmarc.paypal.com says p=reject.
  Report paypal = both("fakePayPal.eml");
  EXPECT_TRUE(paypal.hasSymbol("DMARC_FAIL_REJECT"));
  EXPECT_EQ(paypal.forced()->action, Action::Reject);
  // d=example.com signs for joe@football.example.com: relaxed alignment passes.
  EXPECT_TRUE(both("rfc6376-A.2.eml").hasSymbol("DMARC_PASS"));
  // The same message with a broken body: DKIM fails, the policy of example.com applies.
  Report broken = both("rfc6376-A.2-body_modified.eml");
  EXPECT_TRUE(broken.hasSymbol("DMARC_FAIL_QUARANTINE"));
  EXPECT_EQ(broken.forced()->action, Action::Quarantine);
}

TEST(DmarcConfig, FactoryReadsOptions) {
  auto table = toml::parse("on_reject = \"quarantine\"\npsl_file = \"" + kPsl.string() +
                               "\"\nrandom_seed = 7\n[domains.\"Example.ORG\"]\non_quarantine = "
                               "\"none\"\n[scores]\nDMARC_PASS = -2\n",
                           std::string_view("test.toml"));
  config::Section section(&table, "checks.dmarc", "test.toml");
  DmarcOptions o = parseDmarcOptions(section);
  EXPECT_NO_THROW(section.finish());
  EXPECT_EQ(o.actions.on_reject, FailureAction::Quarantine);
  EXPECT_EQ(o.actions.on_quarantine, FailureAction::Quarantine);
  EXPECT_EQ(o.domain_actions.at("example.org").on_reject, FailureAction::Quarantine);  // inherits
  EXPECT_EQ(o.domain_actions.at("example.org").on_quarantine, FailureAction::None);
  EXPECT_EQ(o.random_seed, 7u);
  EXPECT_EQ(o.scores.of("DMARC_PASS"), -2);

  asio::thread_pool workers(1);
  dns::StaticResolver resolver;
  CheckDeps deps{workers, &resolver};
  auto factory = dmarcCheckFactory();
  EXPECT_EQ(factory.name, "dmarc");
  auto good = toml::parse("", std::string_view("c.toml"));
  config::Section good_section(&good, "checks.dmarc", "c.toml");
  auto checks = factory.build(good_section, deps);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0]->priority(), 10);
  for (const char* bad : {"on_reject = \"bounce\"\n", "psl_file = \"/nonexistent\"\n",
                          "[domains.\"x.org\"]\non_reject = \"maybe\"\n", "typo = 1\n"}) {
    auto t = toml::parse(bad, std::string_view("c.toml"));
    config::Section s(&t, "checks.dmarc", "c.toml");
    EXPECT_THROW(factory.build(s, deps), config::ConfigError) << bad;
  }
}

}  // namespace
}  // namespace portcullis::dmarc
