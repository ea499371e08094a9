// The DKIM check end to end: key lookups through a StaticResolver, crypto on a worker pool,
// symbols with configured scores and AuthResults::dkim; dkimpy-signed fixtures (data/) cover
// rsa-sha1, l= and the canonicalisation pairs; the factory reads [checks.dkim].
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "filters/dkim/dkim_check.h"
#include "filters/dkim/dkim_config.h"
#include "gateway/config/section.h"
#include "tests/unit/dkim/test_data.h"

namespace portcullis::dkim {
namespace {

using testing::dataDir;
using testing::loadDns;
using testing::readFile;
using testing::readMessage;

const std::filesystem::path kFixtures =
    std::filesystem::path(PORTCULLIS_SOURCE_DIR) / "tests/unit/dkim/data";
constexpr int64_t kFixtureTime = 1795801526;  // t= of the fixtures

class DkimCheckTest : public ::testing::Test {
 protected:
  DkimCheckTest() {
    loadDns(resolver_, readFile(dataDir() / "dkim_verifier/dns-txt.tsv"));
    loadDns(resolver_, readFile(kFixtures / "fixtures-dns.tsv"));
  }

  Report run(const std::string& message, DkimOptions options = {}) {
    DkimCheck check(std::move(options), workers_, &resolver_, [] { return kFixtureTime; });
    Transaction tx;
    tx.message = message;
    Report report;
    asio::io_context io;
    bool done = false;
    asio::co_spawn(io, check.run(tx, report), [&](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
      done = true;
    });
    io.run();
    EXPECT_TRUE(done);
    return report;
  }

  static std::vector<std::string> names(const Report& report) {
    std::vector<std::string> out;
    for (const auto& s : report.symbols()) out.push_back(s.name);
    std::sort(out.begin(), out.end());
    return out;
  }

  asio::thread_pool workers_{1};
  dns::StaticResolver resolver_;
};

TEST_F(DkimCheckTest, AuthorDomainSignaturesAreValidAu) {
  Report report = run(readMessage(dataDir() / "dkim_verifier/rfc8463-A.3.eml"));
  EXPECT_EQ(names(report),
            (std::vector<std::string>{"DKIM_SIGNED", "DKIM_VALID", "DKIM_VALID_AU"}));
  auto auth = report.auth();
  ASSERT_EQ(auth.dkim.size(), 2u);
  EXPECT_EQ(auth.dkim[0].result, "pass");
  EXPECT_EQ(auth.dkim[0].domain, "football.example.com");
  EXPECT_EQ(auth.dkim[0].selector, "brisbane");  // message order: the Ed25519 one is on top
  EXPECT_EQ(auth.dkim[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(auth.dkim[0].identity, "@football.example.com");
  EXPECT_EQ(auth.dkim[1].algorithm, "rsa-sha256");
  EXPECT_EQ(auth.dkim[0].signature_prefix, "/gCrinpc");
  EXPECT_EQ(auth.dkim[1].signature_prefix, "F45dVWDf");
  EXPECT_NEAR(report.score(), 0.1 - 0.1 - 0.1, 1e-9);
}

TEST_F(DkimCheckTest, ParentDomainSignatureIsValidButNotAu) {
  Report report =
      run(readMessage(dataDir() / "dkim_verifier/dkim/alignment-signed_by_parent_domain.eml"));
  EXPECT_EQ(names(report), (std::vector<std::string>{"DKIM_SIGNED", "DKIM_VALID"}));
}

TEST_F(DkimCheckTest, BrokenSignatureIsInvalid) {
  Report report = run(readMessage(dataDir() / "dkim_verifier/rfc6376-A.2-body_modified.eml"));
  EXPECT_EQ(names(report), (std::vector<std::string>{"DKIM_INVALID", "DKIM_SIGNED"}));
  auto auth = report.auth();
  ASSERT_EQ(auth.dkim.size(), 1u);
  EXPECT_EQ(auth.dkim[0].result, "fail");
  EXPECT_EQ(auth.dkim[0].reason, "body hash mismatch");
}

TEST_F(DkimCheckTest, AddedFromIsPolicy) {
  Report report = run(readMessage(dataDir() / "dkim_verifier/dkim/added_header-from.eml"));
  EXPECT_EQ(names(report),
            (std::vector<std::string>{"DKIM_INVALID", "DKIM_POLICY", "DKIM_SIGNED"}));
  EXPECT_EQ(report.auth().dkim[0].result, "policy");
}

TEST_F(DkimCheckTest, UnsignedMessageAddsNothing) {
  Report report = run("From: a@example.com\r\n\r\nhi\r\n");
  EXPECT_TRUE(report.symbols().empty());
  EXPECT_TRUE(report.auth().dkim.empty());
}

TEST_F(DkimCheckTest, Sha1IsVerifiedButWeak) {
  Report report = run(readMessage(kFixtures / "rsa-sha1-relaxed.eml"));
  EXPECT_EQ(names(report), (std::vector<std::string>{"DKIM_SIGNED", "DKIM_VALID", "DKIM_VALID_AU",
                                                     "DKIM_WEAK_SHA1"}));
  EXPECT_EQ(report.auth().dkim[0].algorithm, "rsa-sha1");
}

TEST_F(DkimCheckTest, DkimpySignedFixturesPass) {
  for (const char* file : {"rsa-sha256-simple-relaxed.eml", "rsa-sha256-length.eml",
                           "rsa2048-sha256.eml", "ed25519-sha256.eml"}) {
    Report report = run(readMessage(kFixtures / file));
    ASSERT_EQ(report.auth().dkim.size(), 1u) << file;
    EXPECT_EQ(report.auth().dkim[0].result, "pass") << file << ": " << report.auth().dkim[0].reason;
  }
}

TEST_F(DkimCheckTest, BodyLengthLimitsWhatIsCovered) {
  std::string message = readMessage(kFixtures / "rsa-sha256-length.eml");
  // Text after l= bytes is not covered; a change inside them is.
  EXPECT_EQ(run(message + "More appended text.\r\n").auth().dkim[0].result, "pass");
  std::string changed = message;
  changed.replace(changed.find("We lost"), 7, "We won!");
  EXPECT_EQ(run(changed).auth().dkim[0].result, "fail");
}

TEST_F(DkimCheckTest, RelaxedBodyToleratesWhitespaceChanges) {
  std::string message = readMessage(kFixtures / "rsa-sha1-relaxed.eml");
  std::string changed = message;
  changed.replace(changed.find("We lost  the"), 12, "We lost the ");
  EXPECT_EQ(run(changed).auth().dkim[0].result, "pass");
  std::string simple = readMessage(kFixtures / "ed25519-sha256.eml");  // c=relaxed/simple
  simple.replace(simple.find("We lost  the"), 12, "We lost the ");
  EXPECT_EQ(run(simple).auth().dkim[0].result, "fail");
}

TEST_F(DkimCheckTest, MinimumKeySizeFromOptions) {
  DkimOptions options;
  options.verify.min_rsa_bits = 2048;
  EXPECT_EQ(run(readMessage(kFixtures / "rsa2048-sha256.eml"), options).auth().dkim[0].result,
            "pass");
  EXPECT_EQ(run(readMessage(kFixtures / "rsa-sha1-relaxed.eml"), options).auth().dkim[0].result,
            "policy");
}

TEST_F(DkimCheckTest, SignatureLimit) {
  DkimOptions options;
  options.max_signatures = 1;
  Report report = run(readMessage(dataDir() / "dkim_verifier/rfc8463-A.3.eml"), options);
  EXPECT_TRUE(report.hasSymbol("DKIM_TOO_MANY_SIGNATURES"));
  EXPECT_EQ(report.auth().dkim.size(), 1u);
}

TEST_F(DkimCheckTest, DnsTimeoutIsTemperror) {
  resolver_.setTimeout("brisbane._domainkey.example.com");
  Report report = run(readMessage(dataDir() / "dkim_verifier/rfc6376-A.2.eml"));
  EXPECT_EQ(names(report), (std::vector<std::string>{"DKIM_SIGNED", "DKIM_TEMPERROR"}));
  EXPECT_EQ(report.auth().dkim[0].result, "temperror");
}

TEST(DkimConfig, FactoryReadsOptionsAndScores) {
  auto table = toml::parse(
      "min_rsa_bits = 2048\nclock_skew = \"1m\"\nmax_signatures = 3\n"
      "single_instance_headers = [\"From\", \"Subject\"]\n[scores]\nDKIM_VALID = -1.5\n",
      std::string_view("test.toml"));
  config::Section section(&table, "checks.dkim", "test.toml");
  DkimOptions options = parseDkimOptions(section);
  EXPECT_NO_THROW(section.finish());
  EXPECT_EQ(options.verify.min_rsa_bits, 2048);
  EXPECT_EQ(options.verify.clock_skew, std::chrono::seconds(60));
  EXPECT_EQ(options.max_signatures, 3u);
  EXPECT_EQ(options.verify.single_instance_headers, (std::vector<std::string>{"from", "subject"}));
  EXPECT_EQ(options.scores.of("DKIM_VALID"), -1.5);
  EXPECT_EQ(options.scores.of("DKIM_SIGNED"), 0.1);

  asio::thread_pool workers(1);
  dns::StaticResolver resolver;
  CheckDeps deps{workers, &resolver};
  auto factory = dkimCheckFactory();
  EXPECT_EQ(factory.name, "dkim");
  auto good = toml::parse("max_signatures = 2\n", std::string_view("c.toml"));
  config::Section good_section(&good, "checks.dkim", "c.toml");
  auto checks = factory.build(good_section, deps);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0]->name(), "dkim");
  EXPECT_EQ(checks[0]->stage(), Stage::Message);

  auto bad = toml::parse("[scores]\nDKIM_TYPO = 1\n", std::string_view("c.toml"));
  config::Section bad_section(&bad, "checks.dkim", "c.toml");
  EXPECT_THROW(factory.build(bad_section, deps), config::ConfigError);
  auto typo = toml::parse("max_signature = 2\n", std::string_view("c.toml"));
  config::Section typo_section(&typo, "checks.dkim", "c.toml");
  EXPECT_THROW(factory.build(typo_section, deps), config::ConfigError);
}

}  // namespace
}  // namespace portcullis::dkim
