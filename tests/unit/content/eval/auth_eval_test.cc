// Tests of the auth eval family (filters/content/eval/auth_eval.cc): SPF, DKIM and DMARC evals
// answered from our own checks' results, and as SpamAssassin without DNS when there are none.
#include <gtest/gtest.h>

#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::ScanInput;
using testing::scanWith;

const char* kSpfRules = R"(
header SPF_PASS          eval:check_for_spf_pass()
header SPF_FAIL          eval:check_for_spf_fail()
header SPF_SOFTFAIL      eval:check_for_spf_softfail()
header SPF_NONE          eval:check_for_spf_none()
header SPF_HELO_PASS     eval:check_for_spf_helo_pass()
header SPF_HELO_NONE     eval:check_for_spf_helo_none()
header SPF_HELO_SOFTFAIL eval:check_for_spf_helo_softfail()
)";

const char* kPlain =
    "From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: hello\n"
    "Message-ID: <abc@example.org>\n\nHello Bob.\n";

FirstHandClient client() {
  FirstHandClient c;
  c.address = "203.0.113.5";
  c.helo = "mail.example.org";
  return c;
}

TEST(AuthEval, SpfAnswersFromOurCheckForItsIdentityOnly) {
  auto rules = compileText(kSpfRules);
  AuthResults auth;
  auth.spf = SpfOutcome{"softfail", "mailfrom", "example.org", ""};
  ScanInput input{kPlain, client(), "alice@example.org", {}, &auth, {}};
  auto scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("SPF_SOFTFAIL"));
  EXPECT_NE(scanned.hits["SPF_SOFTFAIL"].find("our SPF check of mailfrom example.org"),
            std::string::npos)
      << scanned.hits["SPF_SOFTFAIL"];
  EXPECT_FALSE(scanned.hit("SPF_PASS"));
  EXPECT_FALSE(scanned.hit("SPF_HELO_SOFTFAIL"));

  // The null sender: our check evaluated the HELO identity.
  auth.spf = SpfOutcome{"none", "helo", "mail.example.org", ""};
  input.envelope_from = "";
  scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("SPF_HELO_NONE"));
  EXPECT_FALSE(scanned.hit("SPF_NONE"));
}

TEST(AuthEval, SpfWithoutResultsReusesFieldsOfInternalRelaysOnly) {
  auto rules = compileText(kSpfRules);
  const std::string raw =
      "Received-SPF: fail (example.org: 203.0.113.5 is not permitted) identity=mailfrom;\n"
      "Received: from mail.example.org (mail.example.org [203.0.113.5])\n"
      "\tby mx.example.net (Postfix) with ESMTP id 4F1A2; Mon, 2 Mar 2026 10:00:00 +0000\n"
      "Received-SPF: pass (forged further down the chain) identity=helo\n"
      "Received: from pc.example.org (pc.example.org [198.51.100.7])\n"
      "\tby mail.example.org with SMTP id 77; Mon, 2 Mar 2026 09:59:00 +0000\n" +
      std::string(kPlain);
  auto scanned = scanWith(*rules, raw);
  EXPECT_TRUE(scanned.hit("SPF_FAIL"));
  EXPECT_NE(scanned.hits["SPF_FAIL"].find("Received-SPF"), std::string::npos);
  EXPECT_FALSE(scanned.hit("SPF_HELO_PASS"));  // below the first external relay

  // A live session without an SPF check: the fields came from the client itself.
  ScanInput live{raw, client(), "alice@example.org", {}, nullptr, {}};
  EXPECT_FALSE(scanWith(*rules, live).hit("SPF_FAIL"));

  auto ignoring = compileText(std::string(kSpfRules) + "ignore_received_spf_header 1\n");
  EXPECT_FALSE(scanWith(*ignoring, raw).hit("SPF_FAIL"));
}

TEST(AuthEval, SpfFromAuthenticationResultsNamesTheIdentity) {
  auto rules = compileText(kSpfRules);
  const std::string raw =
      "Authentication-Results: mx.example.net; dkim=none; spf=softfail "
      "smtp.helo=mail.example.org\n"
      "Authentication-Results: mx.example.net; spf=none smtp.mailfrom=alice@example.org\n"
      "Received: from mail.example.org (mail.example.org [203.0.113.5])\n"
      "\tby mx.example.net (Postfix) with ESMTP id 4F1A2; Mon, 2 Mar 2026 10:00:00 +0000\n" +
      std::string(kPlain);
  auto scanned = scanWith(*rules, raw);
  EXPECT_TRUE(scanned.hit("SPF_HELO_SOFTFAIL"));
  EXPECT_TRUE(scanned.hit("SPF_NONE"));
  EXPECT_FALSE(scanned.hit("SPF_SOFTFAIL"));
}

TEST(AuthEval, SpfWelcomelistNeedsAListedSenderAndAPass) {
  auto rules = compileText(R"(
welcomelist_from_spf *@example.org
def_welcomelist_auth bob@partner.example
header USER_IN_SPF_WELCOMELIST eval:check_for_spf_welcomelist_from()
header OLD_SPF_WL              eval:check_for_spf_whitelist_from()
header USER_IN_DEF_SPF_WL      eval:check_for_def_spf_welcomelist_from()
)");
  AuthResults auth;
  auth.spf = SpfOutcome{"pass", "mailfrom", "example.org", ""};
  ScanInput input{kPlain, client(), "Alice@Example.org", {}, &auth, {}};
  auto scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("USER_IN_SPF_WELCOMELIST"));
  EXPECT_TRUE(scanned.hit("OLD_SPF_WL"));
  EXPECT_FALSE(scanned.hit("USER_IN_DEF_SPF_WL"));
  EXPECT_NE(scanned.hits["USER_IN_SPF_WELCOMELIST"].find("alice@example.org is listed"),
            std::string::npos);

  input.envelope_from = "bob@partner.example";
  auth.spf->domain = "partner.example";
  EXPECT_TRUE(scanWith(*rules, input).hit("USER_IN_DEF_SPF_WL"));

  auth.spf->result = "softfail";
  input.envelope_from = "alice@example.org";
  EXPECT_FALSE(scanWith(*rules, input).hit("USER_IN_SPF_WELCOMELIST"));

  // Offline: the sender from the header section, the pass from an internal relay's field.
  const std::string raw =
      "Return-Path: <Alice@example.org>\n"
      "Received-SPF: pass (example.org: 203.0.113.5 is permitted) identity=mailfrom\n"
      "Received: from mail.example.org (mail.example.org [203.0.113.5])\n"
      "\tby mx.example.net (Postfix) with ESMTP id 4F1A2; Mon, 2 Mar 2026 10:00:00 +0000\n" +
      std::string(kPlain);
  EXPECT_TRUE(scanWith(*rules, raw).hit("USER_IN_SPF_WELCOMELIST"));
}

const char* kDkimRules = R"(
full   DKIM_SIGNED        eval:check_dkim_signed()
full   DKIM_VALID         eval:check_dkim_valid()
full   DKIM_VALID_AU      eval:check_dkim_valid_author_sig()
full   DKIM_VALID_EF      eval:check_dkim_valid_envelopefrom()
full   DKIM_VALID_ORG     eval:check_dkim_valid('.example.org')
full   DKIM_VALID_OTHER   eval:check_dkim_valid('other.example')
full   DKIM_SIGNED_OTHER  eval:check_dkim_signed('other.example')
full   DKIM_VERIFIED      eval:check_dkim_verified()
full   __DKIM_DEPENDABLE  eval:check_dkim_dependable()
)";

DkimOutcome signature(std::string result, std::string domain) {
  DkimOutcome sig;
  sig.result = std::move(result);
  sig.domain = std::move(domain);
  sig.selector = "s1";
  return sig;
}

TEST(AuthEval, DkimValidAuthorAndDomainsFromOurCheck) {
  auto rules = compileText(kDkimRules);
  AuthResults auth;
  auth.dkim.push_back(signature("pass", "example.org"));
  ScanInput input{kPlain, client(), "bounce@example.org", {}, &auth, {}};
  auto scanned = scanWith(*rules, input);
  for (const char* rule : {"DKIM_SIGNED", "DKIM_VALID", "DKIM_VALID_AU", "DKIM_VALID_EF",
                           "DKIM_VALID_ORG", "DKIM_VERIFIED", "__DKIM_DEPENDABLE"})
    EXPECT_TRUE(scanned.hit(rule)) << rule;
  EXPECT_FALSE(scanned.hit("DKIM_VALID_OTHER"));
  EXPECT_FALSE(scanned.hit("DKIM_SIGNED_OTHER"));
  EXPECT_EQ(scanned.hits["DKIM_VALID"], "DKIM pass d=example.org s=s1");

  // A third-party signature by a subdomain: valid, but not the author's.
  auth.dkim = {signature("pass", "mail.example.org")};
  input.envelope_from = "bounce@other.example";
  scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("DKIM_VALID"));
  EXPECT_TRUE(scanned.hit("DKIM_VALID_ORG"));
  EXPECT_FALSE(scanned.hit("DKIM_VALID_AU"));
  EXPECT_FALSE(scanned.hit("DKIM_VALID_EF"));

  // The i= identity's domain is what SpamAssassin compares.
  auth.dkim = {signature("pass", "example.org")};
  auth.dkim[0].identity = "@other.example";
  EXPECT_TRUE(scanWith(*rules, input).hit("DKIM_SIGNED_OTHER"));
}

TEST(AuthEval, DkimFailedSignatureIsSignedButNotValid) {
  auto rules = compileText(kDkimRules);
  AuthResults auth;
  auth.dkim.push_back(signature("fail", "example.org"));
  ScanInput input{kPlain, client(), "alice@example.org", {}, &auth, {}};
  auto scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("DKIM_SIGNED"));
  EXPECT_NE(scanned.hits["DKIM_SIGNED"].find("DKIM fail d=example.org"), std::string::npos);
  EXPECT_FALSE(scanned.hit("DKIM_VALID"));
  EXPECT_FALSE(scanned.hit("DKIM_VALID_AU"));

  // A signature too broken to name its domain still makes the message signed.
  auth.dkim = {signature("permerror", "")};
  scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("DKIM_SIGNED"));
  EXPECT_FALSE(scanned.hit("DKIM_SIGNED_OTHER"));
}

TEST(AuthEval, DkimWithoutResultsHitsNothingAsSpamAssassinWithoutDns) {
  auto rules = compileText(kDkimRules);
  const std::string raw =
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1; h=from:to;\n"
      " bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=c2lnbmF0dXJl\n" +
      std::string(kPlain);
  auto scanned = scanWith(*rules, raw);
  EXPECT_TRUE(scanned.hits.empty()) << scanned.hits.begin()->first;
}

TEST(AuthEval, DkimWelcomelistsNeedAValidSignatureByTheListedSigner) {
  auto rules = compileText(R"(
welcomelist_from_dkim *@example.org
welcomelist_from_dkim news@shop.example *.mailer.example
def_welcomelist_auth *@partner.example
header USER_IN_DKIM_WELCOMELIST eval:check_for_dkim_welcomelist_from()
header OLD_DKIM_WL              eval:check_for_dkim_whitelist_from()
header USER_IN_DEF_DKIM_WL      eval:check_for_def_dkim_welcomelist_from()
)");
  AuthResults auth;
  auth.dkim.push_back(signature("pass", "example.org"));
  ScanInput input{kPlain, client(), "alice@example.org", {}, &auth, {}};
  auto scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("USER_IN_DKIM_WELCOMELIST"));
  EXPECT_TRUE(scanned.hit("OLD_DKIM_WL"));
  EXPECT_FALSE(scanned.hit("USER_IN_DEF_DKIM_WL"));

  auth.dkim = {signature("fail", "example.org")};
  EXPECT_FALSE(scanWith(*rules, input).hit("USER_IN_DKIM_WELCOMELIST"));

  // A listed third-party signer (any subdomain of mailer.example).
  input.raw = "From: news@shop.example\nTo: bob@example.net\nSubject: offers\n\nBuy.\n";
  auth.dkim = {signature("pass", "out.mailer.example")};
  EXPECT_TRUE(scanWith(*rules, input).hit("USER_IN_DKIM_WELCOMELIST"));
  auth.dkim = {signature("pass", "shop.example")};  // not the listed signer
  EXPECT_FALSE(scanWith(*rules, input).hit("USER_IN_DKIM_WELCOMELIST"));

  input.raw = "From: carol@partner.example\nTo: bob@example.net\nSubject: hi\n\nHi.\n";
  auth.dkim = {signature("pass", "partner.example")};
  EXPECT_TRUE(scanWith(*rules, input).hit("USER_IN_DEF_DKIM_WL"));
}

TEST(AuthEval, DkimAdspComesFromAdspOverrideWithoutAValidAuthorSignature) {
  auto rules = compileText(R"(
adsp_override example.org
adsp_override *.bank.example custom_high
header DKIM_ADSP_DISCARD     eval:check_dkim_adsp('D')
header DKIM_ADSP_CUSTOM_HIGH eval:check_dkim_adsp('3')
header DKIM_ADSP_ANY_ORG     eval:check_dkim_adsp('*', 'example.org')
header DKIM_POLICY_SIGNALL   eval:check_dkim_signall()
header DKIM_POLICY_SIGNSOME  eval:check_dkim_signsome()
)");
  AuthResults auth;
  ScanInput input{kPlain, client(), "alice@example.org", {}, &auth, {}};
  auto scanned = scanWith(*rules, input);
  EXPECT_TRUE(scanned.hit("DKIM_ADSP_DISCARD"));
  EXPECT_TRUE(scanned.hit("DKIM_ADSP_ANY_ORG"));
  EXPECT_FALSE(scanned.hit("DKIM_ADSP_CUSTOM_HIGH"));
  EXPECT_FALSE(scanned.hit("DKIM_POLICY_SIGNALL"));
  EXPECT_FALSE(scanned.hit("DKIM_POLICY_SIGNSOME"));
  EXPECT_NE(scanned.hits["DKIM_ADSP_DISCARD"].find("author domain example.org"), std::string::npos);

  auth.dkim.push_back(signature("pass", "example.org"));
  EXPECT_FALSE(scanWith(*rules, input).hit("DKIM_ADSP_DISCARD"));

  input.raw = "From: alerts@secure.bank.example\nTo: bob@example.net\nSubject: x\n\nx\n";
  EXPECT_TRUE(scanWith(*rules, input).hit("DKIM_ADSP_CUSTOM_HIGH"));

  // Offline SpamAssassin verifies nothing, so it has no ADSP answer either.
  EXPECT_FALSE(scanWith(*rules, std::string(kPlain)).hit("DKIM_ADSP_DISCARD"));
}

TEST(AuthEval, DmarcAnswersFromOurCheck) {
  auto rules = compileText(R"(
header DMARC_PASS    eval:check_dmarc_pass()
header DMARC_REJECT  eval:check_dmarc_reject()
header DMARC_QUAR    eval:check_dmarc_quarantine()
header DMARC_NONE    eval:check_dmarc_none()
header DMARC_MISSING eval:check_dmarc_missing()
)");
  AuthResults auth;
  ScanInput input{kPlain, client(), "alice@example.org", {}, &auth, {}};
  EXPECT_TRUE(scanWith(*rules, input).hits.empty());
  struct Case {
    const char* result;
    const char* policy;
    const char* rule;
  };
  for (const Case& c :
       {Case{"pass", "reject", "DMARC_PASS"}, Case{"fail", "reject", "DMARC_REJECT"},
        Case{"fail", "quarantine", "DMARC_QUAR"}, Case{"fail", "none", "DMARC_NONE"},
        Case{"none", "none", "DMARC_MISSING"}}) {
    auth.dmarc = DmarcOutcome{c.result, "example.org", c.policy, c.policy};
    auto scanned = scanWith(*rules, input);
    EXPECT_EQ(scanned.hits.size(), 1u) << c.rule;
    EXPECT_TRUE(scanned.hit(c.rule)) << c.rule;
  }
  auth.dmarc = DmarcOutcome{"fail", "example.org", "reject", "reject"};
  EXPECT_EQ(scanWith(*rules, input).hits["DMARC_REJECT"],
            "DMARC fail for example.org, policy reject");
  auth.dmarc = DmarcOutcome{"temperror", "example.org", "none", "none"};
  EXPECT_TRUE(scanWith(*rules, input).hits.empty());
}

TEST(AuthEval, WhatOurChecksDoNotReportIsDisabledWithTheReason) {
  auto rules = compileText(R"(
full   ARC_SIGNED          eval:check_arc_signed()
full   ARC_VALID           eval:check_arc_valid()
header DKIM_POLICY_TESTING eval:check_dkim_testing()
header BAD_SPF             eval:check_for_spf_pass('x')
header BAD_ADSP            eval:check_dkim_adsp()
header BAD_DMARC           eval:check_dmarc_pass(1)
)");
  EXPECT_NE(disabledReason(*rules, "ARC_SIGNED").find("needs ARC verification"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "ARC_VALID").find("[checks.dkim]"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "DKIM_POLICY_TESTING").find("testing flag"), std::string::npos);
  EXPECT_EQ(disabledReason(*rules, "BAD_SPF"), "eval:check_for_spf_pass expects no arguments");
  EXPECT_NE(disabledReason(*rules, "BAD_ADSP").find("expects"), std::string::npos);
  EXPECT_NE(disabledReason(*rules, "BAD_DMARC").find("expects"), std::string::npos);
}

}  // namespace
}  // namespace portcullis::content
