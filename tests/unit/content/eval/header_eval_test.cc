// Tests of the header eval family (filters/content/eval/header_eval.cc) and of the mail date
// parser it measures dates with (filters/content/eval/mail_date.h).
#include <gtest/gtest.h>

#include "filters/content/eval/header_values.h"
#include "filters/content/eval/mail_date.h"
#include "filters/content/eval/message_facts.h"
#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::ScanInput;
using testing::scanWith;

// ---------------------------------------------------------------------------------------------
// Dates, as SpamAssassin's parse_rfc822_date reads them (expected values computed by it).

TEST(MailDate, ReadsDatesAsSpamAssassinDoes) {
  const std::pair<const char*, int64_t> cases[] = {
      {"Sat, 15 Jun 2002 23:37:16 -0000", 1024184236},
      {"Sat Jun 15 23:37:16 2002", 1024099200},  // asctime: the time of day is dropped
      {"15 Jun 02 10:00 EST", 1024153200},
      {"Mon, 1 Feb 99 10:00:00 +0130", 917857800},
      {"31 Apr 2003 10:00:00 GMT", 1051783200},   // rolls over to 1 May
      {"1 Jan 2050 00:00:00 +0000", 2114380800},  // clamped to 2037
      {"Tue,15 Jun 2002 25:61:61 PDT", 1024210799},
      {"Thu, 1 Jan 1970 00:30:00 +0100", 0},
      {"Wed, 3 Mar 2004 12:00:00 MON", 1078315200},  // unknown zone: -0000
      {"WED, 3 Mar 2004 12:00:00 EST-DST", 1078315200},
      {"3 mar 2004 7:05 +0200 (CEST)", 1078290300},
      {"Fri, 22 Nov 2002 05:18:17 +0000 (GMT) from x; 3 Dec 2002 10:00:00 -0500", 1037942297},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parseMailDate(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*parsed, expected) << text;
  }
}

TEST(MailDate, RefusesWhatSpamAssassinRefuses) {
  EXPECT_FALSE(parseMailDate("garbage").has_value());
  EXPECT_FALSE(parseMailDate("0 Jan 2002 10:00:00 +0000").has_value());
  EXPECT_FALSE(parseMailDate("").has_value());
  EXPECT_FALSE(parseMailDate("15-Jun-2002 10:00:00").has_value());
}

TEST(MailDate, UtcSecondsCountsLeapYears) {
  EXPECT_EQ(utcSeconds(1970, 1, 1, 0, 0, 0), 0);
  EXPECT_EQ(utcSeconds(2000, 3, 1, 0, 0, 0), 951868800);
  EXPECT_EQ(utcSeconds(2024, 2, 29, 12, 0, 0), 1709208000);
}

// ---------------------------------------------------------------------------------------------
// Dates against Received dates.

constexpr const char* kDateRules = R"(
header DATE_IN_PAST_03_06 eval:check_for_shifted_date('-6', '-3')
header DATE_IN_FUTURE_03_06 eval:check_for_shifted_date('3', '6')
header DATE_IN_FUTURE_06_12 eval:check_for_shifted_date('6', '12')
header DATE_IN_PAST_96_XX eval:check_for_shifted_date('undef', '-96')
header BAD_SHIFT eval:check_for_shifted_date('soon', '6')
)";

std::string datedMessage(const std::string& date) {
  return "Received: from mx.example.org (mx.example.org [192.0.2.10]) by mail.example.net\n"
         "\twith ESMTP id 1234; Sat, 15 Jun 2002 10:00:00 +0000\n"
         "From: a@example.org\nTo: b@example.net\nDate: " +
         date + "\nSubject: hello\n\nbody\n";
}

TEST(HeaderEval, DateInTheFutureAgainstReceived) {
  auto rules = compileText(kDateRules);
  auto hits = scanWith(*rules, datedMessage("Sat, 15 Jun 2002 14:30:00 +0000"));
  EXPECT_TRUE(hits.hit("DATE_IN_FUTURE_03_06"));
  EXPECT_FALSE(hits.hit("DATE_IN_FUTURE_06_12"));
  EXPECT_FALSE(hits.hit("DATE_IN_PAST_03_06"));
  EXPECT_EQ(hits.hits["DATE_IN_FUTURE_03_06"], "Date is 4.5 hours after the nearest Received date");
}

TEST(HeaderEval, DateInThePastAgainstReceived) {
  auto rules = compileText(kDateRules);
  auto hits = scanWith(*rules, datedMessage("Sat, 15 Jun 2002 10:00:00 +0500"));
  EXPECT_TRUE(hits.hit("DATE_IN_PAST_03_06"));
  EXPECT_FALSE(hits.hit("DATE_IN_FUTURE_03_06"));
  hits = scanWith(*rules, datedMessage("Sat, 1 Jun 2002 10:00:00 +0000"));
  EXPECT_TRUE(hits.hit("DATE_IN_PAST_96_XX"));
}

TEST(HeaderEval, DateWithoutReceivedIsNotShifted) {
  auto rules = compileText(kDateRules);
  auto hits =
      scanWith(*rules, "From: a@example.org\nDate: Sat, 15 Jun 2002 10:00:00 +0000\n\nbody\n");
  EXPECT_FALSE(hits.hit("DATE_IN_PAST_96_XX"));
  EXPECT_FALSE(hits.hit("DATE_IN_FUTURE_03_06"));
}

TEST(HeaderEval, ShiftedDateRejectsBadBounds) {
  auto rules = compileText(kDateRules);
  EXPECT_NE(disabledReason(*rules, "BAD_SHIFT"), "");
  EXPECT_EQ(disabledReason(*rules, "DATE_IN_PAST_96_XX"), "");
}

// ---------------------------------------------------------------------------------------------
// Senders.

constexpr const char* kSenderRules = R"(
header HEADER_FROM_DIFFERENT_DOMAINS eval:check_equal_from_domains()
header __ENV_AND_HDR_FROM_MATCH eval:check_for_matching_env_and_hdr_from()
header RATWARE_EFROM eval:check_ratware_envelope_from()
header BAD_ARGS eval:check_equal_from_domains('x')
)";

ScanInput withEnvelope(std::string raw, std::string envelope_from) {
  ScanInput input;
  input.raw = std::move(raw);
  input.envelope_from = std::move(envelope_from);
  FirstHandClient client;
  client.address = "192.0.2.7";
  client.rdns = "mail.example.org";
  client.helo = "mail.example.org";
  input.client = client;
  return input;
}

TEST(HeaderEval, FromAndEnvelopeDomainsCompareSecondLevel) {
  auto rules = compileText(kSenderRules);
  const std::string raw = "From: Ann <ann@news.example.org>\nTo: bob@example.net\n\nhi\n";
  auto hits = scanWith(*rules, withEnvelope(raw, "bounce@mail.example.org"));
  EXPECT_FALSE(hits.hit("HEADER_FROM_DIFFERENT_DOMAINS"));
  hits = scanWith(*rules, withEnvelope(raw, "bounce@sender.example.com"));
  EXPECT_TRUE(hits.hit("HEADER_FROM_DIFFERENT_DOMAINS"));
  EXPECT_EQ(hits.hits["HEADER_FROM_DIFFERENT_DOMAINS"],
            "From domain example.org, envelope sender domain example.com");
  EXPECT_NE(disabledReason(*rules, "BAD_ARGS"), "");
}

TEST(HeaderEval, NoEnvelopeMeansNoDifferentDomains) {
  auto rules = compileText(kSenderRules);
  auto hits = scanWith(*rules, "From: ann@example.org\n\nhi\n");
  EXPECT_FALSE(hits.hit("HEADER_FROM_DIFFERENT_DOMAINS"));
}

TEST(HeaderEval, MatchingEnvelopeAndHeaderFrom) {
  auto rules = compileText(kSenderRules);
  const std::string raw = "From: Ann <Ann@Example.org>\n\nhi\n";
  EXPECT_TRUE(
      scanWith(*rules, withEnvelope(raw, "ann@example.org")).hit("__ENV_AND_HDR_FROM_MATCH"));
  EXPECT_FALSE(
      scanWith(*rules, withEnvelope(raw, "bob@example.org")).hit("__ENV_AND_HDR_FROM_MATCH"));
}

TEST(HeaderEval, RatwareEnvelopeFromBuiltFromTheRecipient) {
  auto rules = compileText(kSenderRules);
  const std::string raw = "From: x@y.example\nTo: john@mail.example.com\n\nhi\n";
  EXPECT_TRUE(scanWith(*rules, withEnvelope(raw, "example.com.john@spam.example.net"))
                  .hit("RATWARE_EFROM"));
  EXPECT_FALSE(scanWith(*rules, withEnvelope(raw, "news@example.com")).hit("RATWARE_EFROM"));
  EXPECT_FALSE(scanWith(*rules, withEnvelope(raw, "SRS0=example.com.john@fwd.example.net"))
                   .hit("RATWARE_EFROM"));
}

// ---------------------------------------------------------------------------------------------
// Webmail forgeries and Message-IDs.

constexpr const char* kForgeryRules = R"(
header FORGED_YAHOO_RCVD eval:check_for_forged_yahoo_received_headers()
header FORGED_GMAIL_RCVD eval:check_for_forged_gmail_received_headers()
header __FORGED_HOTMAIL_RCVD eval:check_for_forged_hotmail_received_headers()
header FORGED_HOTMAIL_RCVD2 eval:check_for_no_hotmail_received_headers()
header __FORGED_AOL_RCVD eval:check_for_fake_aol_relay_in_rcvd()
header __GATED eval:gated_through_received_hdr_remover()
header MSGID_OUTLOOK_INVALID eval:check_outlook_message_id()
)";

TEST(HeaderEval, ForgedYahooReceived) {
  auto rules = compileText(kForgeryRules);
  const std::string forged =
      "Received: from spam.example.net (spam.example.net [198.51.100.9]) by mx.example.org\n"
      "\twith SMTP; Sat, 15 Jun 2002 10:00:00 +0000\nFrom: victim@yahoo.com\n\nhi\n";
  auto hits = scanWith(*rules, forged);
  EXPECT_TRUE(hits.hit("FORGED_YAHOO_RCVD"));
  EXPECT_FALSE(hits.hit("__GATED"));
  const std::string genuine =
      "Received: from [198.51.100.9] by web12.mail.yahoo.com via HTTP;"
      " Sat, 15 Jun 2002 10:00:00 +0000\nFrom: someone@yahoo.com\n\nhi\n";
  EXPECT_FALSE(scanWith(*rules, genuine).hit("FORGED_YAHOO_RCVD"));
  // Without any Received field the test cannot tell.
  hits = scanWith(*rules, "From: someone@yahoo.com\n\nhi\n");
  EXPECT_FALSE(hits.hit("FORGED_YAHOO_RCVD"));
  EXPECT_TRUE(hits.hit("__GATED"));
}

TEST(HeaderEval, ForgedGmailAndHotmail) {
  auto rules = compileText(kForgeryRules);
  const std::string raw =
      "Received: from helo.hotmail.com (spam.example.net [198.51.100.9]) by mx.example.org;"
      " Sat, 15 Jun 2002 10:00:00 +0000\nFrom: a@gmail.com\n\nhi\n";
  auto hits = scanWith(*rules, raw);
  EXPECT_TRUE(hits.hit("FORGED_GMAIL_RCVD"));
  EXPECT_TRUE(hits.hit("__FORGED_HOTMAIL_RCVD"));
  EXPECT_FALSE(hits.hit("FORGED_HOTMAIL_RCVD2"));
  const std::string no_trail =
      "Received: from x.example.net (x.example.net [198.51.100.9]) by mx.example.org;"
      " Sat, 15 Jun 2002 10:00:00 +0000\nFrom: a@hotmail.com\n"
      "X-Received: by 10.1.2.3 with SMTP id abc;\n\nhi\n";
  hits = scanWith(*rules, no_trail);
  EXPECT_TRUE(hits.hit("FORGED_HOTMAIL_RCVD2"));
  EXPECT_FALSE(hits.hit("__FORGED_HOTMAIL_RCVD"));
  EXPECT_FALSE(hits.hit("FORGED_GMAIL_RCVD"));
}

TEST(HeaderEval, FakeAolRelay) {
  auto rules = compileText(kForgeryRules);
  EXPECT_TRUE(scanWith(*rules,
                       "Received: from unknown (HELO x) (198.51.100.1) by rly-xw01.mx.aol.com"
                       " with QMQP; Sat, 15 Jun 2002 23:37:16 -0000\n\nhi\n")
                  .hit("__FORGED_AOL_RCVD"));
  EXPECT_FALSE(scanWith(*rules,
                        "Received: from x by rly-ip01.mx.aol.com (8.8.8/8.8.8/AOL-5.0.0) with"
                        " ESMTP id NAA08955; Thu, 4 Apr 2002 13:11:20 -0500\n\nhi\n")
                   .hit("__FORGED_AOL_RCVD"));
}

std::string outlookMessage(const std::string& token) {
  return "Received: from a by b; Sat, 15 Jun 2002 23:37:16 -0000\n"
         "Date: Sat, 15 Jun 2002 23:37:16 -0000\nMessage-ID: <0000" +
         token + "$0a0b0c0d$0e0f0a0b@example>\n\nhi\n";
}

TEST(HeaderEval, OutlookMessageIdAgainstDate) {
  auto rules = compileText(kForgeryRules);
  // 01c214c5 is the time stamp Outlook writes for the Date above.
  EXPECT_FALSE(scanWith(*rules, outlookMessage("01c214c5")).hit("MSGID_OUTLOOK_INVALID"));
  EXPECT_FALSE(scanWith(*rules, outlookMessage("01c21400")).hit("MSGID_OUTLOOK_INVALID"));
  auto hits = scanWith(*rules, outlookMessage("01c2284d"));
  EXPECT_TRUE(hits.hit("MSGID_OUTLOOK_INVALID"));
  EXPECT_EQ(hits.hits["MSGID_OUTLOOK_INVALID"],
            "Message-ID time stamp matches neither Date nor Received");
  // Upper-case hex is not Outlook's.
  EXPECT_FALSE(scanWith(*rules, outlookMessage("01C2284D")).hit("MSGID_OUTLOOK_INVALID"));
}

// ---------------------------------------------------------------------------------------------
// Characters, templates, recipients and counts.

constexpr const char* kTextRules = R"(
header __SUBJ_ILLEGAL_CHARS eval:check_illegal_chars('Subject','0.00','2')
header FROM_ILLEGAL_CHARS eval:check_illegal_chars('From','0.20','2')
header BAD_ILLEGAL eval:check_illegal_chars('From')
header UNRESOLVED_TEMPLATE eval:check_unresolved_template()
header SUBJ_ALL_CAPS eval:subject_is_all_caps()
header LOCALPART_IN_SUBJECT eval:check_for_to_in_subject('user')
header ADDRESS_IN_SUBJECT eval:check_for_to_in_subject('address')
header MISSING_HEADERS eval:check_for_missing_to_header()
header HEADER_COUNT_SUBJECT eval:check_header_count_range('Subject','2','999')
header SORTED_RECIPS eval:sorted_recipients()
header SUSPICIOUS_RECIPS eval:similar_recipients('0.65','undef')
)";

TEST(HeaderEval, IllegalCharactersInSubject) {
  auto rules = compileText(kTextRules);
  auto hits = scanWith(*rules, "To: a@example.org\nSubject: caf\xe9 cr\xe8me\n\nhi\n");
  EXPECT_TRUE(hits.hit("__SUBJ_ILLEGAL_CHARS"));
  EXPECT_EQ(hits.hits["__SUBJ_ILLEGAL_CHARS"],
            "Subject has 2 unencoded 8-bit or control characters");
  // Valid UTF-8 is legal (RFC 6532); one pound sign is exempt in Subject.
  EXPECT_FALSE(
      scanWith(*rules, "Subject: caf\xc3\xa9 cr\xc3\xa8me\n\nhi\n").hit("__SUBJ_ILLEGAL_CHARS"));
  EXPECT_FALSE(
      scanWith(*rules, "Subject: only \xa3 5 and \xe9\n\nhi\n").hit("__SUBJ_ILLEGAL_CHARS"));
  EXPECT_NE(disabledReason(*rules, "BAD_ILLEGAL"), "");
}

TEST(HeaderEval, UnresolvedTemplate) {
  auto rules = compileText(kTextRules);
  EXPECT_TRUE(scanWith(*rules, "X-Mailer: %MAILER_NAME\n\nhi\n").hit("UNRESOLVED_TEMPLATE"));
  // Subject and the address fields are exempt.
  EXPECT_FALSE(scanWith(*rules, "Subject: %FIRST_NAME, hi\n\nhi\n").hit("UNRESOLVED_TEMPLATE"));
  EXPECT_FALSE(scanWith(*rules, "X-Note: 100%Sure\n\nhi\n").hit("UNRESOLVED_TEMPLATE"));
}

TEST(HeaderEval, SubjectAllCaps) {
  auto rules = compileText(kTextRules);
  EXPECT_TRUE(scanWith(*rules, "Subject: Re: FREE MONEY FOR YOU\n\nhi\n").hit("SUBJ_ALL_CAPS"));
  EXPECT_FALSE(scanWith(*rules, "Subject: FREEMONEYFORYOU\n\nhi\n").hit("SUBJ_ALL_CAPS"));
  EXPECT_FALSE(scanWith(*rules, "Subject: Free money for you\n\nhi\n").hit("SUBJ_ALL_CAPS"));
  EXPECT_FALSE(
      scanWith(*rules, "Subject: =?koi8-r?B?8NLJ18XU?= HELLO THERE\n\nhi\n").hit("SUBJ_ALL_CAPS"));
}

TEST(HeaderEval, RecipientInSubject) {
  auto rules = compileText(kTextRules);
  auto hits = scanWith(*rules, "To: john@example.org\nSubject: john, your offer\n\nhi\n");
  EXPECT_TRUE(hits.hit("LOCALPART_IN_SUBJECT"));
  EXPECT_FALSE(hits.hit("ADDRESS_IN_SUBJECT"));
  hits = scanWith(*rules, "To: john@example.org\nSubject: hi john@example.org\n\nhi\n");
  EXPECT_TRUE(hits.hit("ADDRESS_IN_SUBJECT"));
  EXPECT_FALSE(scanWith(*rules, "To: john@example.org\nSubject: johnny\n\nhi\n")
                   .hit("LOCALPART_IN_SUBJECT"));
}

TEST(HeaderEval, MissingToAndHeaderCounts) {
  auto rules = compileText(kTextRules);
  EXPECT_TRUE(scanWith(*rules, "Subject: a\n\nhi\n").hit("MISSING_HEADERS"));
  EXPECT_FALSE(scanWith(*rules, "Apparently-To: x@example.org\n\nhi\n").hit("MISSING_HEADERS"));
  EXPECT_TRUE(scanWith(*rules, "To: x@example.org\nSubject: a\nSubject: b\n\nhi\n")
                  .hit("HEADER_COUNT_SUBJECT"));
  // The same value twice counts once.
  EXPECT_FALSE(scanWith(*rules, "To: x@example.org\nSubject: a\nSubject: a\n\nhi\n")
                   .hit("HEADER_COUNT_SUBJECT"));
}

TEST(HeaderEval, SortedAndSimilarRecipients) {
  auto rules = compileText(kTextRules);
  const std::string sorted =
      "To: jo1@example.org, jo2@example.org, jo3@example.org, jo4@example.org,"
      " jo5@example.org, jo6@example.org, jo7@example.org\n\nhi\n";
  auto hits = scanWith(*rules, sorted);
  EXPECT_TRUE(hits.hit("SORTED_RECIPS"));
  EXPECT_TRUE(hits.hit("SUSPICIOUS_RECIPS"));
  const std::string varied =
      "To: zed@one.example, amy@two.example, kim@three.example, bob@four.example,"
      " lou@five.example, cat@six.example, dan@seven.example\n\nhi\n";
  hits = scanWith(*rules, varied);
  EXPECT_FALSE(hits.hit("SORTED_RECIPS"));
  EXPECT_FALSE(hits.hit("SUSPICIOUS_RECIPS"));
}

TEST(HeaderEval, SurvivesHostileHeaders) {
  std::string rules_text = std::string(kDateRules) + kSenderRules + kForgeryRules + kTextRules;
  auto rules = compileText(rules_text);
  std::string raw;
  for (int i = 0; i < 2000; ++i) {
    raw += "Received: from " + std::string(200, 'a') +
           " (1.2.3.4) by rly-ab12.x with ESMTP id "
           "RELAY; 99 Foo 9999 99:99:99 +9999 " +
           std::string(100, '@') + "\n";
  }
  raw += "From: " + std::string(5000, '"') + "<" + std::string(3000, '.') + "@yahoo.com>\n";
  raw += "To: " + std::string(20000, ',') + "x@y\n";
  raw += "Subject: " + std::string(100000, '%') + std::string(50000, '\xff') + "\n";
  raw += "Date: " + std::string(10000, ' ') + "1 Jan " + std::string(5000, '9') + "\n";
  raw += "Message-ID: <" + std::string(100000, 'A') + ">\n\nbody\n";
  // Unreadable dates measure nothing.
  auto hits = scanWith(*rules, raw);
  EXPECT_FALSE(hits.hit("DATE_IN_FUTURE_03_06"));
  EXPECT_FALSE(hits.hit("DATE_IN_PAST_96_XX"));
}

// ---------------------------------------------------------------------------------------------
// The rarer tests of the family.

constexpr const char* kRareRules = R"(
ok_locales en ja
header __FORGED_JUNO_RCVD eval:check_for_forged_juno_received_headers()
header __FORGED_EUDORAMAIL_RCVD eval:check_for_forged_eudoramail_received_headers()
header __MSN_GROUPS eval:check_for_msn_groups_headers()
header __UNUSABLE_MSGID eval:check_messageid_not_usable()
header __RATWARE_NAME_ID eval:check_ratware_name_id()
header CHARSET_FARAWAY_HEADER eval:check_for_faraway_charset_in_headers()
header __UNIQUE_SUBJECT_ID eval:check_for_unique_subject_id()
header __FORGED_GW05 eval:check_for_forged_gw05_received_headers()
)";

TEST(HeaderEval, ForgedJunoAndEudoramail) {
  auto rules = compileText(kRareRules);
  const std::string received =
      "Received: from x.example.net (x.example.net [198.51.100.9]) by mx.example.org;"
      " Sat, 15 Jun 2002 10:00:00 +0000\n";
  EXPECT_TRUE(scanWith(*rules, received + "From: a@juno.com\n\nhi\n").hit("__FORGED_JUNO_RCVD"));
  EXPECT_TRUE(scanWith(*rules, received + "From: a@eudoramail.com\n\nhi\n")
                  .hit("__FORGED_EUDORAMAIL_RCVD"));
  const std::string genuine_juno =
      "Received: from m1.juno.com (m1.juno.com [64.136.24.1]) by mx.example.org;"
      " Sat, 15 Jun 2002 10:00:00 +0000\nX-Originating-IP: [198.51.100.9]\n"
      "X-Mailer: Juno 5.0\nFrom: a@juno.com\n\nhi\n";
  EXPECT_FALSE(scanWith(*rules, genuine_juno).hit("__FORGED_JUNO_RCVD"));
  EXPECT_FALSE(
      scanWith(*rules, received + "From: a@example.org\n\nhi\n").hit("__FORGED_JUNO_RCVD"));
}

TEST(HeaderEval, MsnGroupsAndUnusableMessageIds) {
  auto rules = compileText(kRareRules);
  const std::string msn =
      "Received: from mail pickup service by p04.groups.msn.com with Microsoft SMTPSVC;"
      " Thu, 5 May 2005 20:30:37 -0700\nTo: \"List\" <notifications@groups.msn.com>\n"
      "Message-ID: <TK2DCPUBA042cv0aGlt00020aa3@p04.groups.msn.com>\n\nhi\n";
  EXPECT_TRUE(scanWith(*rules, msn).hit("__MSN_GROUPS"));
  EXPECT_FALSE(scanWith(*rules, "To: a@example.org\n\nhi\n").hit("__MSN_GROUPS"));
  EXPECT_TRUE(scanWith(*rules,
                       "Received: from a by b (iPlanet Messaging Server 5.2); Sat, 15 Jun"
                       " 2002 10:00:00 +0000\n\nhi\n")
                  .hit("__UNUSABLE_MSGID"));
  EXPECT_FALSE(scanWith(*rules, "Received: from a by b; Sat, 15 Jun 2002 10:00:00 +0000\n\nhi\n")
                   .hit("__UNUSABLE_MSGID"));
}

TEST(HeaderEval, ForgedGw05Received) {
  auto rules = compileText(kRareRules);
  const std::string top =
      "Received: from a.example (a.example [192.0.2.1]) by mx.example.org;"
      " Thu, 21 Jun 2001 02:30:00 -0400\n";
  EXPECT_TRUE(scanWith(*rules, top + "Received: from mail3.icytundra.example by gw05 with ESMTP;"
                                     " Thu, 21 Jun 2001 02:28:32 -0400\n\nhi\n")
                  .hit("__FORGED_GW05"));
  EXPECT_FALSE(scanWith(*rules, top + "Received: from mail3.icytundra.example by gw05.example with"
                                      " ESMTP; Thu, 21 Jun 2001 02:28:32 -0400\n\nhi\n")
                   .hit("__FORGED_GW05"));
}

TEST(HeaderEval, RatwareNameId) {
  auto rules = compileText(kRareRules);
  const std::string ratware =
      "Message-ID: <ABCDEFGHIJKLMNOPQRSTUVWXYZAB.joe@spam.example>\n"
      "From: \"Joe\" <joe@spam.example>\n\nhi\n";
  EXPECT_TRUE(scanWith(*rules, ratware).hit("__RATWARE_NAME_ID"));
  EXPECT_FALSE(scanWith(*rules,
                        "Message-ID: <ABCDEFGHIJKLMNOPQRSTUVWXYZAB.joe@spam.example>\n"
                        "From: \"Joe\" <other@spam.example>\n\nhi\n")
                   .hit("__RATWARE_NAME_ID"));
}

TEST(HeaderEval, FarawayCharsetsFollowTheLocales) {
  auto rules = compileText(kRareRules);
  auto hits = scanWith(*rules, "Subject: =?koi8-r?B?8NLJ18XU?=\n\nhi\n");
  EXPECT_TRUE(hits.hit("CHARSET_FARAWAY_HEADER"));
  EXPECT_EQ(hits.hits["CHARSET_FARAWAY_HEADER"], "Subject in charset koi8-r");
  EXPECT_FALSE(scanWith(*rules, "Subject: =?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=\n\nhi\n")
                   .hit("CHARSET_FARAWAY_HEADER"));
  EXPECT_FALSE(
      scanWith(*rules, "Subject: =?utf-8?Q?caf=C3=A9?=\n\nhi\n").hit("CHARSET_FARAWAY_HEADER"));
  EXPECT_FALSE(scanWith(*rules, "Subject: x\n\nhi\n").hit("__UNIQUE_SUBJECT_ID"));
  // With the stock "ok_locales all" no charset is far away.
  auto all = compileText(
      "ok_locales all\nheader CHARSET_FARAWAY_HEADER "
      "eval:check_for_faraway_charset_in_headers()\n");
  EXPECT_FALSE(
      scanWith(*all, "Subject: =?koi8-r?B?8NLJ18XU?=\n\nhi\n").hit("CHARSET_FARAWAY_HEADER"));
}

// ---------------------------------------------------------------------------------------------
// Header values kept once per scan (header_values.h).

TEST(HeaderValues, KeptPerScanGiveWhatTheViewGives) {
  const std::string raw =
      "Received: from a.example (a.example [192.0.2.1])\n"
      "\tby b.example; Sat, 15 Jun 2002 23:37:16 -0000\n"
      "Received: from c.example by a.example;\n  Sat, 15 Jun 2002 23:30:00 -0000\n"
      "From: Someone <Some.One@Example.COM>\n"
      "Resent-Sender: other@example.org\n"
      "To: a@x.example, \"B\" <b@y.example>\n"
      "Cc: c@z.example\n"
      "Subject: hi\n\nbody\n";
  const mime::Message message = mime::Message::parse(raw);
  const ContentView view = viewOfMessage(message);
  const RelayTrust trust;
  MessageFacts facts(view, trust);
  const ExternalSymbols external;
  const EvalInput in{view, facts, external};

  EXPECT_EQ(unfoldedValues(in, "Received"), unfoldedValues(view, "Received"));
  EXPECT_EQ(&unfoldedValues(in, "received"), &unfoldedValues(in, "Received"));
  EXPECT_EQ(receivedText(in), joinedLines(unfoldedValues(view, "Received")));

  const std::vector<std::string> to = {"a@x.example", "b@y.example"};
  EXPECT_EQ(headerAddresses(in, "To"), to);
  const std::vector<std::string>* first = &headerAddresses(in, "To");
  EXPECT_EQ(headerAddresses(in, "Cc"), std::vector<std::string>{"c@z.example"});
  EXPECT_TRUE(headerAddresses(in, "Bcc").empty());
  EXPECT_EQ(&headerAddresses(in, "to"), first);  // still valid after other names were added
  EXPECT_EQ(firstAddress(in, "From"), "Some.One@Example.COM");

  const std::vector<std::string> from = {"Some.One@Example.COM", "other@example.org"};
  EXPECT_EQ(allFromAddresses(in), from);
  EXPECT_EQ(&allFromAddresses(in), &allFromAddresses(in));
  const std::vector<std::string> all_to = {"a@x.example", "b@y.example", "c@z.example"};
  EXPECT_EQ(allToAddresses(in), all_to);
}

}  // namespace
}  // namespace portcullis::content
