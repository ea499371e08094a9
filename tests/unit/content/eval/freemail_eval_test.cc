// Tests of the freemail eval family (filters/content/eval/freemail_eval.cc).
#include <gtest/gtest.h>

#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::ScanInput;
using testing::scanWith;

constexpr const char* kFreemailRules = R"(
freemail_domains freemail.example mail.example hotmail.co.?? yahoo.*
freemail_domains bad_entry! gmx.*.*
freemail_whitelist friend@mail.example
util_rb_tld example
header FREEMAIL_FROM eval:check_freemail_from()
header FREEMAIL_FROM_DIGIT eval:check_freemail_from('\d@')
header FREEMAIL_ENVFROM_END_DIGIT eval:check_freemail_header('EnvelopeFrom', '\d@')
header FREEMAIL_REPLYTO_END_DIGIT eval:check_freemail_header('Reply-To', '\d@')
header __freemail_hdr_replyto eval:check_freemail_header('Reply-To:addr')
header __freemail_replyto eval:check_freemail_replyto('replyto')
header __freemail_reply eval:check_freemail_replyto('reply')
header BAD_OPTION eval:check_freemail_replyto('sideways')
header BAD_PATTERN eval:check_freemail_from('(unclosed')
header BAD_HEADER eval:check_freemail_header()
)";

ScanInput message(std::string raw, std::string envelope_from = "") {
  ScanInput input;
  input.raw = std::move(raw);
  if (!envelope_from.empty()) {
    input.envelope_from = std::move(envelope_from);
    FirstHandClient client;
    client.address = "192.0.2.7";
    input.client = client;
  }
  return input;
}

TEST(FreemailEval, FromFreemailDomain) {
  auto rules = compileText(kFreemailRules);
  auto hits = scanWith(*rules, message("From: Ann <ann7@freemail.example>\n\nhi\n"));
  EXPECT_TRUE(hits.hit("FREEMAIL_FROM"));
  EXPECT_EQ(hits.hits["FREEMAIL_FROM"], "ann7(at)freemail.example");
  EXPECT_TRUE(hits.hit("FREEMAIL_FROM_DIGIT"));
  hits = scanWith(*rules, message("From: ann@company.example\n\nhi\n"));
  EXPECT_FALSE(hits.hit("FREEMAIL_FROM"));
  // The envelope sender is one of the senders.
  EXPECT_TRUE(scanWith(*rules, message("From: ann@company.example\n\nhi\n", "a@freemail.example"))
                  .hit("FREEMAIL_FROM"));
}

TEST(FreemailEval, WildcardsStayInsideOneLabel) {
  auto rules = compileText(kFreemailRules);
  EXPECT_TRUE(scanWith(*rules, message("From: a@yahoo.de\n\nhi\n")).hit("FREEMAIL_FROM"));
  EXPECT_FALSE(scanWith(*rules, message("From: a@yahoo.co.uk\n\nhi\n")).hit("FREEMAIL_FROM"));
  EXPECT_TRUE(scanWith(*rules, message("From: a@hotmail.co.uk\n\nhi\n")).hit("FREEMAIL_FROM"));
  EXPECT_TRUE(scanWith(*rules, message("From: a@gmx.co.at\n\nhi\n")).hit("FREEMAIL_FROM"));
  EXPECT_FALSE(
      scanWith(*rules, message("From: a@sub.freemail.example\n\nhi\n")).hit("FREEMAIL_FROM"));
}

TEST(FreemailEval, WelcomedAndRoleAddressesAreNotFreemail) {
  auto rules = compileText(kFreemailRules);
  EXPECT_FALSE(scanWith(*rules, message("From: friend@mail.example\n\nhi\n")).hit("FREEMAIL_FROM"));
  EXPECT_TRUE(scanWith(*rules, message("From: foe@mail.example\n\nhi\n")).hit("FREEMAIL_FROM"));
  EXPECT_FALSE(
      scanWith(*rules, message("From: support@mail.example\n\nhi\n")).hit("FREEMAIL_FROM"));
}

TEST(FreemailEval, HeaderWithPattern) {
  auto rules = compileText(kFreemailRules);
  auto hits =
      scanWith(*rules, message("From: x@company.example\nReply-To: bob12@mail.example\n\nhi\n",
                               "joe99@freemail.example"));
  EXPECT_TRUE(hits.hit("FREEMAIL_ENVFROM_END_DIGIT"));
  EXPECT_TRUE(hits.hit("FREEMAIL_REPLYTO_END_DIGIT"));
  EXPECT_TRUE(hits.hit("__freemail_hdr_replyto"));
  hits = scanWith(*rules, message("Reply-To: bob@mail.example\n\nhi\n", "joe@freemail.example"));
  EXPECT_FALSE(hits.hit("FREEMAIL_ENVFROM_END_DIGIT"));
  EXPECT_FALSE(hits.hit("FREEMAIL_REPLYTO_END_DIGIT"));
}

TEST(FreemailEval, FromAndReplyToDifferentFreemails) {
  auto rules = compileText(kFreemailRules);
  auto hits = scanWith(*rules, message("From: ann@freemail.example\nReply-To: bob@mail.example\n"
                                       "\nhi\n"));
  EXPECT_TRUE(hits.hit("__freemail_replyto"));
  EXPECT_EQ(hits.hits["__freemail_replyto"], "ann(at)freemail.example -> bob(at)mail.example");
  EXPECT_TRUE(hits.hit("__freemail_reply"));
  // The same address in both is no trick.
  EXPECT_FALSE(scanWith(*rules, message("From: ann@freemail.example\nReply-To: ann@freemail.example"
                                        "\n\nhi\n"))
                   .hit("__freemail_replyto"));
  // Bulk senders are skipped.
  EXPECT_FALSE(
      scanWith(*rules, message("From: ann@freemail.example\nReply-To: bob@mail.example\n\nhi\n",
                               "list-bounces@lists.example"))
          .hit("__freemail_replyto"));
}

TEST(FreemailEval, BodyAddressDiffersFromReplyTo) {
  auto rules = compileText(kFreemailRules);
  auto hits = scanWith(*rules, message("From: ann@company.example\nReply-To: bob@mail.example\n\n"
                                       "Write to carl@freemail.example today.\n"));
  EXPECT_TRUE(hits.hit("__freemail_replyto"));
  // Quoted addresses ("<a@b>") and attributions ("a@b wrote:") do not count.
  hits = scanWith(*rules, message("From: ann@company.example\nReply-To: bob@mail.example\n\n"
                                  "Ask <carl@freemail.example> or dave@freemail.example wrote:\n"));
  EXPECT_FALSE(hits.hit("__freemail_replyto"));
  // 'reply' compares From with the body when there is no Reply-To.
  hits = scanWith(*rules, message("From: ann@freemail.example\n\nMail carl@mail.example now.\n"));
  EXPECT_TRUE(hits.hit("__freemail_reply"));
  EXPECT_FALSE(hits.hit("__freemail_replyto"));
}

TEST(FreemailEval, BadArgumentsDisableTheRule) {
  auto rules = compileText(kFreemailRules);
  EXPECT_NE(disabledReason(*rules, "BAD_OPTION"), "");
  EXPECT_NE(disabledReason(*rules, "BAD_PATTERN"), "");
  EXPECT_NE(disabledReason(*rules, "BAD_HEADER"), "");
  EXPECT_EQ(disabledReason(*rules, "FREEMAIL_FROM"), "");
}

TEST(FreemailEval, NoDomainsNoHits) {
  auto rules = compileText("header FREEMAIL_FROM eval:check_freemail_from()\n");
  EXPECT_FALSE(scanWith(*rules, message("From: a@freemail.example\n\nhi\n")).hit("FREEMAIL_FROM"));
}

}  // namespace
}  // namespace portcullis::content
