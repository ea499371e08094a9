// Tests of the network eval family (filters/content/eval/network_eval.cc): DNS list tests answered
// from the symbols of the configured DNS list check, and the reasons of those that cannot run.
#include <gtest/gtest.h>

#include "filters/classifier/unavailable_store.h"
#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::ScanInput;
using testing::scanWith;

const char* kDnsRules = R"(
header __RCVD_IN_ZEN  eval:check_rbl('zen', 'zen.spamhaus.org.')
header SBL            eval:check_rbl_sub('zen', '127.0.0.2')
header SBL_CSS        eval:check_rbl_sub('zen', '127.0.0.3')
header XBL            eval:check_rbl('zen-lastexternal', 'zen.spamhaus.org.', '^127\.0\.0\.[4567]$')
header PBL            eval:check_rbl('zen-lastexternal', 'zen.spamhaus.org.', '^127\.0\.0\.1[01]$')
header DNSWL_ANY      eval:check_rbl_sub('dnswl-firsttrusted', '^127\.0\.\d+\.\d+$')
header NO_SET         eval:check_rbl_sub('nosuchset', '127.0.0.2')
header SPAMCOP        eval:check_rbl_txt('spamcop', 'bl.spamcop.net.', '(?i:spamcop)')
header RHS_SENDER     eval:check_rbl_envfrom('rhs', 'dbl.example.')
header RHS_FROM       eval:check_rbl_from_domain('rhsfrom', 'dbl.example.')
header NO_DNS_FOR_FROM eval:check_dns_sender()
urirhssub URI_BLACK   multi.uribl.example. A 2
body      URI_BLACK   eval:check_uridnsbl('URI_BLACK')
urirhssub URI_GREY    multi.uribl.example. A 4
body      URI_GREY    eval:check_uridnsbl('URI_GREY')
urirhsbl  URI_ANY     multi.uribl.example. A
body      URI_ANY     eval:check_uridnsbl('URI_ANY')
uridnssub URI_NS_SBL  zen.spamhaus.org. A 127.0.0.2
body      URI_NS_SBL  eval:check_uridnsbl('URI_NS_SBL')
body      URI_NAMELESS eval:check_uridnsbl('URI_NAMELESS')
)";

// A classifier for tests that only need one configured (its store is never read).
std::shared_ptr<const classifier::Classifier> configuredClassifier() {
  return std::make_shared<classifier::Classifier>(
      std::make_shared<classifier::UnavailableStore>("test", "not read by this test"),
      classifier::ClassifierSettings{});
}

SiteServices services() {
  SiteServices s;
  DnsList zen;
  zen.zone = "zen.spamhaus.org";
  zen.symbol = "ZEN_LISTED";
  zen.codes = {{{"127.0.0.2"}, 0, "ZEN_SBL"},
               {{"127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"}, 0, "ZEN_XBL"},
               {{"127.0.0.10", "127.0.0.11"}, 0, "ZEN_PBL"}};
  s.dns_lists.push_back(zen);
  DnsList dbl;
  dbl.zone = "dbl.example";
  dbl.kind = DnsList::Kind::Domain;
  dbl.symbol = "DBL_LISTED";
  s.dns_lists.push_back(dbl);
  DnsList uribl;
  uribl.zone = "multi.uribl.example";
  uribl.kind = DnsList::Kind::Uri;
  uribl.symbol = "URIBL_LISTED";
  uribl.codes = {{{}, 2, "URIBL_BLACK_SYM"}};
  s.dns_lists.push_back(uribl);
  return s;
}

const char* kPlainWithUri =
    "From: a@example.org\nTo: b@example.net\nSubject: hi\n\nsee http://x.test/\n";

TEST(NetworkEval, WithoutDnsListsEveryListTestSaysWhatItNeeds) {
  auto rules = compileText(kDnsRules);
  EXPECT_EQ(disabledReason(*rules, "__RCVD_IN_ZEN"),
            "needs DNS list zen.spamhaus.org (kind \"ip\"), which [checks.dnsbl] does not "
            "configure");
  EXPECT_EQ(disabledReason(*rules, "SBL"), disabledReason(*rules, "__RCVD_IN_ZEN"));
  EXPECT_NE(disabledReason(*rules, "URI_BLACK")
                .find("needs DNS list multi.uribl.example (kind "
                      "\"uri\")"),
            std::string::npos);
  EXPECT_NE(disabledReason(*rules, "RHS_SENDER").find("dbl.example (kind \"domain\")"),
            std::string::npos);
  EXPECT_NE(disabledReason(*rules, "NO_SET").find("no check_rbl rule before it defines"),
            std::string::npos);
  EXPECT_NE(disabledReason(*rules, "NO_DNS_FOR_FROM").find("needs A and MX lookups"),
            std::string::npos);
}

TEST(NetworkEval, ConfiguredListsAnswerFromTheirSymbols) {
  CompileOptions options;
  options.services = services();
  auto rules = compileText(kDnsRules, options);
  ScanInput input{kPlainWithUri, std::nullopt, std::nullopt, {}, nullptr, {"ZEN_PBL"}};
  auto scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("__RCVD_IN_ZEN"));
  EXPECT_EQ(scanned.hits["__RCVD_IN_ZEN"],
            "DNS list zen.spamhaus.org: [checks.dnsbl] reported ZEN_PBL");
  EXPECT_TRUE(scanned.hit("PBL"));
  EXPECT_FALSE(scanned.hit("SBL"));
  EXPECT_FALSE(scanned.hit("XBL"));

  input.external = {"ZEN_SBL"};
  scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("SBL"));
  EXPECT_TRUE(scanned.hit("__RCVD_IN_ZEN"));
  EXPECT_FALSE(scanned.hit("PBL"));

  input.external = {"ZEN_XBL", "URIBL_BLACK_SYM", "DBL_LISTED"};
  scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("XBL"));
  EXPECT_TRUE(scanned.hit("URI_BLACK"));
  EXPECT_TRUE(scanned.hit("URI_ANY"));
  EXPECT_TRUE(scanned.hit("RHS_SENDER"));

  input.external = {};
  EXPECT_TRUE(scanWith(*rules, input).hits.empty());
}

TEST(NetworkEval, AnswersNoSymbolOfItsOwnCarriesAreDisabledWithTheReason) {
  CompileOptions options;
  options.services = services();
  auto rules = compileText(kDnsRules, options);
  EXPECT_NE(disabledReason(*rules, "SBL_CSS")
                .find("needs the answers '127.0.0.3' of DNS list "
                      "zen.spamhaus.org"),
            std::string::npos);
  EXPECT_NE(disabledReason(*rules, "URI_GREY").find("'4'"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "SPAMCOP").find("TXT answer"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "RHS_FROM").find("the From address's domain"),
            std::string::npos);
  EXPECT_NE(disabledReason(*rules, "URI_NS_SBL").find("name servers"), std::string::npos);
  EXPECT_EQ(disabledReason(*rules, "URI_NAMELESS"),
            "no uridnsbl, urirhsbl or urirhssub setting names URI_NAMELESS");
  EXPECT_NE(disabledReason(*rules, "DNSWL_ANY").find("no check_rbl rule"), std::string::npos);
}

TEST(NetworkEval, ClassifierAndNetworkServicesSayWhyTheyDoNotRun) {
  auto rules = compileText(R"(
body BAYES_99       eval:check_bayes('0.99', '1.00')
body BAYES_BAD      eval:check_bayes('high')
full RAZOR2_CHECK   eval:check_razor2()
full RAZOR2_RANGE   eval:check_razor2_range('','51','100')
full PYZOR_CHECK    eval:check_pyzor()
full DCC_CHECK      eval:check_dcc()
full DCC_REPUT      eval:check_dcc_reputation_range(99)
body HASHBL         eval:check_hashbl_bodyre('bl.example', 'raw', '\b\w+\b')
header TXREP        eval:check_senders_reputation()
header AWL          eval:check_from_in_auto_welcomelist()
header AWL_OLD      eval:check_from_in_auto_whitelist()
)");
  EXPECT_EQ(disabledReason(*rules, "BAYES_99"), "needs the classifier (not configured)");
  EXPECT_NE(disabledReason(*rules, "BAYES_BAD").find("expects (min, max)"), std::string::npos);
  EXPECT_EQ(disabledReason(*rules, "RAZOR2_CHECK"),
            "needs the Razor2 network service, which this gateway does not run");
  EXPECT_EQ(disabledReason(*rules, "RAZOR2_RANGE"), disabledReason(*rules, "RAZOR2_CHECK"));
  EXPECT_NE(disabledReason(*rules, "PYZOR_CHECK").find("Pyzor"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "DCC_CHECK").find("DCC"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "DCC_REPUT").find("DCC"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "HASHBL").find("HashBL"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "TXREP").find("TxRep"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "AWL").find("AWL"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "AWL_OLD").find("AWL"), std::string::npos);
}

TEST(NetworkEval, ScoreSetsWithoutNetworkOrClassifierRunNoSuchEvalRules) {
  const char* rules_text = R"(
header SPF_PASS  eval:check_for_spf_pass()
tflags SPF_PASS  net
header __PLAIN   eval:check_for_spf_pass()
body   LEARNED   eval:check_for_spf_pass()
tflags LEARNED   learn
)";
  AuthResults auth;
  auth.spf = SpfOutcome{"pass", "mailfrom", "example.org", ""};
  ScanInput input{kPlainWithUri, std::nullopt, std::nullopt, {}, &auth, {}};
  for (int set = 0; set <= 3; ++set) {
    CompileOptions options;
    options.score_set = set;
    auto rules = compileText(rules_text, options);
    auto scanned = scanWith(*rules, input);
    EXPECT_EQ(scanned.hit("SPF_PASS"), (set & 1) != 0) << set;
    EXPECT_EQ(scanned.hit("LEARNED"), (set & 2) != 0) << set;
    EXPECT_TRUE(scanned.hit("__PLAIN")) << set;
  }
  CompileOptions set0;
  set0.score_set = 0;
  EXPECT_EQ(disabledReason(*compileText(rules_text, set0), "SPF_PASS"),
            "needs a score set with network tests (1 or 3): a `tflags net` eval rule does not run "
            "in score set 0");
  EXPECT_NE(disabledReason(*compileText(rules_text, set0), "LEARNED").find("classifier (2 or 3)"),
            std::string::npos);
}

TEST(NetworkEval, ScoreSetFollowsTheServicesAsSpamAssassinPicksIt) {
  SiteServices none;
  EXPECT_EQ(scoreSetFor(none), 0);
  SiteServices lists = services();
  EXPECT_EQ(scoreSetFor(lists), 1);
  SiteServices classifier;
  classifier.classifier = configuredClassifier();
  EXPECT_EQ(scoreSetFor(classifier), 2);
  lists.classifier = configuredClassifier();
  EXPECT_EQ(scoreSetFor(lists), 3);
}

}  // namespace
}  // namespace portcullis::content
