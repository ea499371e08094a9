// Tests of the list eval family (filters/content/eval/list_eval.cc): WLBLEval,
// WelcomeListSubject and VBounce.
#include <gtest/gtest.h>

#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::ScanInput;
using testing::scanWith;

constexpr const char* kListRules = R"(
welcomelist_from *@friends.example boss@work.example
whitelist_from old@legacy.example
unwelcomelist_from boss@work.example
blacklist_from spammer@*.example
all_spam_to postmaster@*
enlist_addrlist (BANKS) *@bank.example *@*.bank.example
header USER_IN_WELCOMELIST eval:check_from_in_welcomelist()
header USER_IN_WHITELIST eval:check_from_in_whitelist()
header USER_IN_BLOCKLIST eval:check_from_in_blocklist()
header ALL_SPAM_TO eval:check_to_in_all_spam()
header FROM_BANK eval:check_from_in_list('BANKS')
header REPLYTO_BANK eval:check_replyto_in_list('BANKS')
header FROM_NOWHERE eval:check_from_in_list('NOWHERE')
header BAD_ARGS eval:check_from_in_welcomelist('x')
)";

TEST(ListEval, WelcomelistFromGlobs) {
  auto rules = compileText(kListRules);
  auto hits = scanWith(*rules, "From: Ann <Ann@Friends.example>\n\nhi\n");
  EXPECT_TRUE(hits.hit("USER_IN_WELCOMELIST"));
  EXPECT_TRUE(hits.hit("USER_IN_WHITELIST"));
  EXPECT_TRUE(scanWith(*rules, "From: old@legacy.example\n\nhi\n").hit("USER_IN_WELCOMELIST"));
  // Removed again by unwelcomelist_from; a glob matches the whole address only.
  EXPECT_FALSE(scanWith(*rules, "From: boss@work.example\n\nhi\n").hit("USER_IN_WELCOMELIST"));
  EXPECT_FALSE(scanWith(*rules, "From: a@friends.example.net\n\nhi\n").hit("USER_IN_WELCOMELIST"));
}

TEST(ListEval, BlocklistAndRecipientLists) {
  auto rules = compileText(kListRules);
  auto hits = scanWith(*rules, "From: spammer@bulk.example\nTo: postmaster@example.org\n\nhi\n");
  EXPECT_TRUE(hits.hit("USER_IN_BLOCKLIST"));
  EXPECT_EQ(hits.hits["USER_IN_BLOCKLIST"], "spammer@bulk.example matches spammer@*.example");
  EXPECT_TRUE(hits.hit("ALL_SPAM_TO"));
  hits = scanWith(*rules, "From: ham@bulk.example\nTo: ann@example.org\n\nhi\n");
  EXPECT_FALSE(hits.hit("USER_IN_BLOCKLIST"));
  EXPECT_FALSE(hits.hit("ALL_SPAM_TO"));
}

TEST(ListEval, NamedAddressLists) {
  auto rules = compileText(kListRules);
  auto hits =
      scanWith(*rules, "From: alerts@secure.bank.example\nReply-To: x@bank.example\n\nhi\n");
  EXPECT_TRUE(hits.hit("FROM_BANK"));
  EXPECT_TRUE(hits.hit("REPLYTO_BANK"));
  hits = scanWith(*rules, "From: alerts@bank.example.evil\nReply-To: x@evil.example\n\nhi\n");
  EXPECT_FALSE(hits.hit("FROM_BANK"));
  EXPECT_FALSE(hits.hit("REPLYTO_BANK"));
}

TEST(ListEval, BadArgumentsDisableTheRule) {
  auto rules = compileText(kListRules);
  EXPECT_NE(disabledReason(*rules, "FROM_NOWHERE"), "");
  EXPECT_NE(disabledReason(*rules, "BAD_ARGS"), "");
  EXPECT_EQ(disabledReason(*rules, "FROM_BANK"), "");
}

// ---------------------------------------------------------------------------------------------
// Lists that also name the relay.

constexpr const char* kRcvdRules = R"(
welcomelist_from_rcvd *@partner.example partner.example
def_welcomelist_from_rcvd news@vendor.example [192.0.2.0/24]
def_whitelist_from_rcvd news@vendor.example [198.51.100]
header USER_IN_WELCOMELIST eval:check_from_in_welcomelist()
header FORGED_IN_WELCOMELIST eval:check_forged_in_welcomelist()
header USER_IN_DEF_WELCOMELIST eval:check_from_in_default_welcomelist()
header FORGED_IN_DEF_WELCOMELIST eval:check_forged_in_default_welcomelist()
header MAILFROM_MATCHES_RCVD eval:check_mailfrom_matches_rcvd()
)";

ScanInput fromClient(std::string raw, std::string ip, std::string rdns,
                     std::string envelope_from = "sender@example.org") {
  ScanInput input;
  input.raw = std::move(raw);
  FirstHandClient client;
  client.address = std::move(ip);
  client.rdns = std::move(rdns);
  client.helo = client.rdns;
  input.client = client;
  input.envelope_from = std::move(envelope_from);
  return input;
}

TEST(ListEval, WelcomelistFromRcvdNeedsTheRelay) {
  auto rules = compileText(kRcvdRules);
  const std::string raw = "From: ann@partner.example\n\nhi\n";
  auto hits = scanWith(
      *rules, fromClient(raw, "203.0.113.5", "out.mail.partner.example", "ann@partner.example"));
  EXPECT_TRUE(hits.hit("USER_IN_WELCOMELIST"));
  EXPECT_FALSE(hits.hit("FORGED_IN_WELCOMELIST"));
  hits = scanWith(*rules, fromClient(raw, "203.0.113.5", "dsl.isp.example", "ann@partner.example"));
  EXPECT_FALSE(hits.hit("USER_IN_WELCOMELIST"));
  EXPECT_TRUE(hits.hit("FORGED_IN_WELCOMELIST"));
  // A name that merely ends in the domain's letters is another domain.
  hits =
      scanWith(*rules, fromClient(raw, "203.0.113.5", "notpartner.example", "ann@partner.example"));
  EXPECT_FALSE(hits.hit("USER_IN_WELCOMELIST"));
}

TEST(ListEval, DefaultWelcomelistByAddress) {
  auto rules = compileText(kRcvdRules);
  const std::string raw = "From: news@vendor.example\n\nhi\n";
  EXPECT_TRUE(scanWith(*rules, fromClient(raw, "192.0.2.77", "")).hit("USER_IN_DEF_WELCOMELIST"));
  EXPECT_TRUE(scanWith(*rules, fromClient(raw, "198.51.100.3", "")).hit("USER_IN_DEF_WELCOMELIST"));
  auto hits = scanWith(*rules, fromClient(raw, "203.0.113.9", ""));
  EXPECT_FALSE(hits.hit("USER_IN_DEF_WELCOMELIST"));
  EXPECT_TRUE(hits.hit("FORGED_IN_DEF_WELCOMELIST"));
}

TEST(ListEval, EnvelopeSenderMatchesRelayDomain) {
  auto rules = compileText(kRcvdRules);
  const std::string raw = "From: x@y.example\n\nhi\n";
  EXPECT_TRUE(scanWith(*rules, fromClient(raw, "203.0.113.5", "mx2.shop.example.com",
                                          "orders@shop.example.com"))
                  .hit("MAILFROM_MATCHES_RCVD"));
  EXPECT_FALSE(scanWith(*rules, fromClient(raw, "203.0.113.5", "mx2.shop.example.net",
                                           "orders@shop.example.com"))
                   .hit("MAILFROM_MATCHES_RCVD"));
}

// ---------------------------------------------------------------------------------------------
// URI hosts, subjects and bounces.

constexpr const char* kOtherRules = R"(
enlist_uri_host (SUSP) top !good.top
blocklist_uri_host bad.example
header SUSP_URI eval:check_uri_host_listed('SUSP')
header URI_BLOCKED eval:check_uri_host_in_blocklist()
welcomelist_subject [ticket #*]
blocklist_subject make money fast
header SUBJECT_IN_WELCOMELIST eval:check_subject_in_welcomelist()
header SUBJECT_IN_BLACKLIST eval:check_subject_in_blacklist()
welcomelist_bounce_relays relay?.example.org
body __HAVE_BOUNCE_RELAYS eval:have_any_bounce_relays()
body __MY_SERVERS_FOUND eval:check_welcomelist_bounce_relays()
)";

TEST(ListEval, UriHostLists) {
  auto rules = compileText(kOtherRules);
  auto hits = scanWith(*rules, "Subject: x\n\nsee http://shop.deals.top/x now\n");
  EXPECT_TRUE(hits.hit("SUSP_URI"));
  EXPECT_EQ(hits.hits["SUSP_URI"], "URI: shop.deals.top (top)");
  EXPECT_FALSE(hits.hit("URI_BLOCKED"));
  // The most specific entry decides: good.top is excluded.
  EXPECT_FALSE(scanWith(*rules, "Subject: x\n\nsee http://www.good.top/ now\n").hit("SUSP_URI"));
  EXPECT_TRUE(
      scanWith(*rules, "Subject: x\n\nsee http://www.bad.example/ now\n").hit("URI_BLOCKED"));
}

TEST(ListEval, SubjectLists) {
  auto rules = compileText(kOtherRules);
  EXPECT_TRUE(scanWith(*rules, "Subject: Re: [Ticket #4711] printer\n\nhi\n")
                  .hit("SUBJECT_IN_WELCOMELIST"));
  EXPECT_TRUE(scanWith(*rules, "Subject: MAKE MONEY FAST now\n\nhi\n").hit("SUBJECT_IN_BLACKLIST"));
  auto hits = scanWith(*rules, "Subject: make money slowly\n\nhi\n");
  EXPECT_FALSE(hits.hit("SUBJECT_IN_BLACKLIST"));
  EXPECT_FALSE(hits.hit("SUBJECT_IN_WELCOMELIST"));
}

TEST(ListEval, BounceRelays) {
  auto rules = compileText(kOtherRules);
  const std::string bounce =
      "From: MAILER-DAEMON@example.net\nSubject: Undelivered Mail\n\nSorry.\n\n"
      "Received: by relay2.example.org (Postfix, from userid 1007)\n";
  auto hits = scanWith(*rules, bounce);
  EXPECT_TRUE(hits.hit("__HAVE_BOUNCE_RELAYS"));
  EXPECT_TRUE(hits.hit("__MY_SERVERS_FOUND"));
  EXPECT_FALSE(scanWith(*rules, "Subject: Undelivered\n\nReceived: by mx.other.example (Postfix)\n")
                   .hit("__MY_SERVERS_FOUND"));
  auto none = compileText("body __HAVE_BOUNCE_RELAYS eval:have_any_bounce_relays()\n");
  EXPECT_FALSE(scanWith(*none, bounce).hit("__HAVE_BOUNCE_RELAYS"));
}

}  // namespace
}  // namespace portcullis::content
