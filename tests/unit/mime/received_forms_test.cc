// Tests of the common-form recogniser (gateway/mime/received_forms.h) and of the shortcuts the
// Received parser takes with it: parseReceived must give what parseReceivedByPatterns gives (the
// parse by SpamAssassin's patterns alone) for every form it recognises, for near misses of them,
// for hostile fields and for the fuzzer's seed corpus.
#include "gateway/mime/received_forms.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/mime/message.h"
#include "gateway/mime/received.h"

namespace portcullis::mime {
namespace {

std::string describe(const ReceivedParse& parse) {
  std::string text = std::to_string(static_cast<int>(parse.kind)) +
                     (parse.mail_fetcher ? " fetcher" : "") +
                     (parse.qmail_scanner ? " qmail-scanner" : "") + " " +
                     parse.qmail_scanner_envfrom.value_or("-");
  if (parse.kind != ReceivedParse::Kind::Relay) return text;
  const ReceivedRelay& relay = parse.relay;
  return text + " " + relay.asString(false, false) + (relay.envfrom ? " envfrom" : "") +
         (relay.no_reverse_dns ? " no-rdns" : "") + (relay.ip_private ? " private" : "");
}

void expectSameAsPatterns(const std::string& field) {
  EXPECT_EQ(describe(parseReceived(field)), describe(parseReceivedByPatterns(field))) << field;
}

const char* const kPostfix =
    "from mail.example.com (mail.example.com [192.0.2.41]) by mx.example.org (Postfix) with "
    "ESMTP id 4F1B2 for <a@example.org>; Mon, 2 Sep 2002 07:19:11 -0400 (EDT)";
const char* const kSendmail =
    "from a.example (b.example [198.51.100.66]) by mx.example.org (8.11.6/8.11.6) with SMTP id "
    "h2F0c2x31856";
const char* const kForged =
    "from mail1.example.com (host66.example.com [198.51.100.66] (may be forged)) by "
    "mx.example.org (8.11.6/8.11.6) with ESMTP id h2F0c2x31856 for <jm@example.org>";
const char* const kNoReverse =
    "from helo.example ([203.0.113.3]) by mx.example.net (8.9.3/8.9.3) with ESMTP id CAA18619";
const char* const kFetchmail =
    "from jalapeno [127.0.0.1] by localhost with IMAP (fetchmail-5.9.0) for jm@localhost "
    "(single-drop); Thu, 19 Sep 2002 17:51:45 +0100 (IST)";

const char* const kEximHelo =
    "from usw-sf-list1-b.sourceforge.net ([10.3.1.13] helo=usw-sf-list1.sourceforge.net) by "
    "usw-sf-list2.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 17hskl-0002W7-00; "
    "Thu, 22 Aug 2002 07:16:03 -0700";
const char* const kEximBare =
    "from mail-gr-oh.networksonline.com ([65.163.204.6]) by usw-sf-list1.sourceforge.net with "
    "esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 17hskN-0008Ox-00 for "
    "<spamassassin-talk@lists.sourceforge.net>; Thu, 22 Aug 2002 07:15:39 -0700";
const char* const kEximBracket =
    "from [192.168.123.179] (helo=permafrost.net) by sunserver.permafrost.net with asmtp (Exim "
    "3.35 #1) id 17htxj-0008Ad-00 for fork@xent.com; Thu, 22 Aug 2002 12:33:31 -0300";

const char* const kQmailHelo =
    "from unknown (HELO mailgateway.example.com) (192.0.2.27) by mta2.grp.scd.example.com with "
    "SMTP; 22 Aug 2002 11:46:29 -0000";
const char* const kQmailNamed =
    "from llamatron.example.edu (HELO llamatron.example.com) (198.51.100.39) by elmo.example.edu "
    "with SMTP; 7 Oct 2002 22:31:26 -0000";
const char* const kQmailBare =
    "from unknown (192.0.2.217) by m3.grp.scd.example.com with QMQP; 22 Aug 2002 11:46:29 -0000";
const char* const kBracketOnly =
    "from [192.0.2.196] by n20.grp.scd.example.com with NNFMP; 22 Aug 2002 11:46:30 -0000";

// The field as the parser hands it to the recogniser: white space collapsed, no date.
std::optional<CommonForm> recognise(std::string_view text) {
  return recogniseCommonForm(text);
}

TEST(ReceivedForms, RecognisesPostfixAndSendmail) {
  auto postfix = recognise(
      "from mail.example.com (unknown [192.0.2.41]) by mx.example.org (Postfix) with ESMTPSA id "
      "4F1B2 for <a@example.org>");
  ASSERT_TRUE(postfix.has_value());
  EXPECT_EQ(postfix->kind, CommonForm::Kind::Relay);
  EXPECT_EQ(postfix->helo, "mail.example.com");
  EXPECT_EQ(postfix->rdns, "unknown");
  EXPECT_EQ(postfix->ip, "192.0.2.41");
  EXPECT_EQ(postfix->by, "mx.example.org");
  EXPECT_EQ(postfix->auth, "ESMTPSA");
  // Sendmail moves an ident out of the reverse name; Postfix's form keeps it.
  auto sendmail =
      recognise("from a (joe@b.example [192.0.2.1]) by c (8.9.3/8.9.3) with SMTP id x1");
  ASSERT_TRUE(sendmail.has_value());
  EXPECT_EQ(sendmail->ident, "joe");
  EXPECT_EQ(sendmail->rdns, "b.example");
  auto kept = recognise("from a (joe@b.example [192.0.2.1]) by c (Postfix) with SMTP id x1");
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->ident, "");
  EXPECT_EQ(kept->rdns, "joe@b.example");
  auto forged = recognise(
      "from a (joe@b.example [192.0.2.1] (may be forged)) by c (Postfix) with SMTP id x1");
  ASSERT_TRUE(forged.has_value());
  EXPECT_EQ(forged->ident, "joe");
  auto bare = recognise("from host ([203.0.113.3]) by mx (8.9.3/8.9.3) with ESMTP id CAA18619");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->rdns, "");
  EXPECT_EQ(bare->ip, "203.0.113.3");
  auto fetcher = recognise(
      "from mail.example.net [193.120.211.219] by localhost with POP3 (fetchmail-5.9.0) for "
      "jm@localhost (single-drop); Mon, 02 Sep 2002 12:19:11 +0100 (IST)");
  ASSERT_TRUE(fetcher.has_value());
  EXPECT_EQ(fetcher->kind, CommonForm::Kind::MailFetcher);
}

TEST(ReceivedForms, RecognisesExim) {
  auto helo = recognise(
      "from a.example ([192.0.2.1] helo=b.example) by c.example with esmtpa (Exim 4.10) id "
      "17hskl-0002W7-00 for <x@y.example>");
  ASSERT_TRUE(helo.has_value());
  EXPECT_EQ(helo->rdns, "a.example");
  EXPECT_EQ(helo->helo, "b.example");
  EXPECT_EQ(helo->ip, "192.0.2.1");
  EXPECT_EQ(helo->by, "c.example");
  EXPECT_EQ(helo->auth, "esmtpa");
  EXPECT_FALSE(helo->looked_up_dns);
  auto bare = recognise("from a.example ([192.0.2.1]) by c with smtp (Exim 3.35 #1) id x-1");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->helo, "a.example");
  EXPECT_EQ(bare->rdns, "a.example");
  EXPECT_EQ(bare->auth, "");
  auto bracket = recognise("from [192.0.2.1] (helo=b) by c with smtp (Exim 3.35 #1) id x-1");
  ASSERT_TRUE(bracket.has_value());
  EXPECT_EQ(bracket->rdns, "");
  EXPECT_EQ(bracket->helo, "b");
  for (const char* text : {
           "from a ([192.0.2.1]) by c with local (Exim 4.10) id x-1",
           "from a ([192.0.2.1]) by c with local-smtp (Exim 4.10) id x-1",
           "from a ([192.0.2.1] helo=) by c with smtp (Exim 4.10) id x-1",
           "from [192.0.2.1] (helo=b) by c with smtp (Exim 4.10) id",
           "from a ([192.0.2.1] helo=b) by c with smtp (Cipher TLSv1:DES) (Exim 4.10) id x",
           "from a ([192.0.2.1] helo=b.hotmail.msn.com) by c with smtp (Exim 4.10) id x",
           "from a ([192.0.2.1]) by c with smtp (Exim 4.10 #) id x",
           "from a ([192.0.2.1]) by c with smtp (Exim 4.10) id x for <a@b",
       }) {
    EXPECT_FALSE(recognise(text).has_value()) << text;
  }
}

TEST(ReceivedForms, RecognisesTheShortForms) {
  auto helo = recognise("from unknown (HELO a.example) (192.0.2.1) by b.example with SMTP");
  ASSERT_TRUE(helo.has_value());
  EXPECT_EQ(helo->rdns, "");  // "unknown" is no name, and says no lookup was made
  EXPECT_EQ(helo->helo, "a.example");
  EXPECT_EQ(helo->ip, "192.0.2.1");
  EXPECT_EQ(helo->by, "b.example");
  EXPECT_FALSE(helo->looked_up_dns);
  auto named = recognise("from c.example (192.0.2.1) by b.example with QMQP");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->rdns, "c.example");
  EXPECT_EQ(named->helo, "c.example");
  EXPECT_TRUE(named->looked_up_dns);
  auto bare = recognise("from unknown (192.0.2.1) by b.example with SMTP");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->helo, "unknown");
  EXPECT_EQ(bare->rdns, "");
  auto bracket = recognise("from [192.0.2.1] by b.example with esmtpa");
  ASSERT_TRUE(bracket.has_value());
  EXPECT_EQ(bracket->helo, "");
  EXPECT_EQ(bracket->auth, "esmtpa");
  EXPECT_FALSE(bracket->looked_up_dns);
  for (const char* text : {
           "from unknown (HELO a) (192.0.2.1) by b with ESMTP",
           "from unknown (HELO a) ([192.0.2.1]) by b with SMTP",
           "from unknown (EHLO a) (192.0.2.1) by b with SMTP",
           "from unknown (HELO helo.example) (192.0.2.1) by b with SMTP",
           "from unknown (192.0.2.1) by b with smtp",
           "from unknown (a@192.0.2.1) by b with SMTP",
           "from [192.0.2.1] by b with HTTP",
           "from [192.0.2.1] by b with",
           "from [192.0.2.1] by b with SMTP id x",
       }) {
    EXPECT_FALSE(recognise(text).has_value()) << text;
  }
}

TEST(ReceivedForms, LeavesEverythingElseToThePatterns) {
  for (const char* text : {
           "from a (b [192.0.2.1]) by c (Postfix) with ESMTP id x1 (envelope-from <x@y>)",
           "from a (b [192.0.2.1]) by c (Exim) with ESMTP id x1",
           "from a (b [192.0.2.1]) by c (Postfix) with mapi id 1.2.3.4",
           "from a (b [192.0.2.1]) by c (8.9.3) with HTTP id x1",
           "from a (b [192.0.2.01]) by c (8.9.3) with ESMTP id x1",
           "from a (b [192.0.2.256]) by c (8.9.3) with ESMTP id x1",
           "from a (b [192.0.2]) by c (8.9.3) with ESMTP id x1",
           "from a (b [IPv6:2001:db8::1]) by c (Postfix) with ESMTP id x1",
           "from a (b [192.0.2.1]) by c (8.9.3) with ESMTP id x1 for <a@b",
           "from a (b [192.0.2.1) by c (8.9.3) with ESMTP id x1",
           "from a (b [192.0.2.1]) by c (8.9.3) with ESMTP",
           "from a (b [192.0.2.1])",
           "from a ([192.0.2.1]) by c (8.9.3) with SMTPX id x1",
           "from a ([192.0.2.1]) by c (8.9.3) with SMTP id SMTP1",
           "from a ([192.0.2.1]) by c (8.9.3) with SMTP id x1; 2 Sep 2002 07:19:11 -0400 junk",
           "from a (auth02.example [192.0.2.1] (may be forged)) by c (8.9.3) with SMTP id x1 x",
           "from a [192.0.2.1] by localhost with IMAPS (fetchmail) for x@y",
           "from a [192.0.2.1] by localhost with IMAP (fetchmail) for x@y (a b)",
           "FROM a (b [192.0.2.1]) by c (8.9.3) with ESMTP id x1",
           "from  a (b [192.0.2.1]) by c (8.9.3) with ESMTP id x1",
       }) {
    EXPECT_FALSE(recognise(text).has_value()) << text;
  }
  EXPECT_FALSE(recognise(std::string(100000, '(')).has_value());
  EXPECT_FALSE(recognise("from " + std::string(100000, 'a') + " [").has_value());
}

// Near misses of each form: every token replaced by words that some pattern looks for, bytes
// dropped or changed, the field cut short.
std::vector<std::string> nearMisses(const std::string& field) {
  static const char* const kWords[] = {"with",
                                       "SMTP",
                                       "SMTPx",
                                       "QMQP",
                                       "localhost",
                                       "unknown",
                                       "[192.0.2.1]",
                                       "192.0.2.1",
                                       "a@b",
                                       "HTTP",
                                       "ESMTPA",
                                       "esmtpsa",
                                       "::1",
                                       "IPv6:2001:db8::1",
                                       "256.1.1.1",
                                       "01.2.3.4",
                                       "(",
                                       ")",
                                       "[",
                                       "]",
                                       "<",
                                       ">",
                                       ";",
                                       "helo=x",
                                       "HELO",
                                       "EHLO x",
                                       "Exim",
                                       "Postfix",
                                       "(Postfix)",
                                       "id",
                                       "by",
                                       "for",
                                       "from",
                                       "local",
                                       "IMAP",
                                       "POP3",
                                       "mapi",
                                       "aol.com",
                                       "envelope-from",
                                       "Return-Path:",
                                       "authenticated",
                                       "auth",
                                       "x.hotmail.msn.com",
                                       "mx.google.com",
                                       "via",
                                       "softdnserr",
                                       "IDENT:a@b",
                                       "%eth0",
                                       "10.0.0.1",
                                       "",
                                       " ",
                                       "\t",
                                       "qmail-1",
                                       "SMTPSVC",
                                       "\xff",
                                       "(may be forged)",
                                       "UNKNOWN",
                                       "a.",
                                       "-",
                                       "LMTPA",
                                       "HTTPS",
                                       "ASMTP",
                                       "Mon,",
                                       "(EDT)",
                                       "+0000",
                                       "(Exim",
                                       "(Exim 4.10)",
                                       "#1",
                                       "(Debian))",
                                       "helo=",
                                       "([10.0.0.1]",
                                       "[10.0.0.1]",
                                       "(helo=x)",
                                       "localx",
                                       "local-smtp",
                                       "asmtp",
                                       "ident=x",
                                       "(HELO",
                                       "(HELO x)",
                                       "(192.0.2.1)",
                                       "(10.0.0.1)",
                                       "NNFMP",
                                       "esmtp",
                                       "[192.0.2.1]x"};
  std::vector<std::string> out;
  std::vector<size_t> spaces;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == ' ') spaces.push_back(i);
  }
  spaces.push_back(field.size());
  for (size_t t = 0; t + 1 < spaces.size(); ++t) {
    for (const char* word : kWords) {
      std::string m = field;
      m.replace(spaces[t] + 1, spaces[t + 1] - spaces[t] - 1, word);
      out.push_back(m);
    }
  }
  for (size_t at = 0; at < field.size(); ++at) {
    out.push_back(field.substr(0, at));
    std::string dropped = field;
    dropped.erase(at, 1);
    out.push_back(dropped);
    for (char c : std::string_view("([@:.x")) {
      std::string changed = field;
      changed[at] = c;
      out.push_back(changed);
    }
  }
  return out;
}

TEST(ReceivedForms, ParsesEveryFormAsThePatternsDo) {
  for (const char* field :
       {kPostfix, kSendmail, kForged, kNoReverse, kFetchmail, kEximHelo, kEximBare, kEximBracket,
        kQmailHelo, kQmailNamed, kQmailBare, kBracketOnly}) {
    expectSameAsPatterns(field);
    for (const std::string& variant : nearMisses(field)) expectSameAsPatterns(variant);
  }
}

TEST(ReceivedForms, ParsesHostileFieldsAsThePatternsDo) {
  const std::string huge_host(20000, 'a');
  for (const std::string& field : {
           "from " + huge_host + " (" + huge_host + " [192.0.2.1]) by mx (Postfix) with ESMTP id x",
           "from a (b [192.0.2.1]) by " + huge_host + " (8.9.3) with SMTP id " + huge_host,
           std::string("from a (b [192.0.2.1]) by c (8.9.3) with SMTP id x ") + huge_host,
           std::string("from a (b [192.0.2.1 by c (8.9.3) with SMTP id x"),
           std::string("from a (b [[[[[[192.0.2.1]) by c (Postfix) with SMTP id x"),
           std::string("from a (b [192.0.2.1]) (Postfix) with SMTP id x"),
           std::string("from a ([IPv6:::ffff:192.0.2.1]) by c (8.9.3) with SMTP id x"),
           std::string("from a (b [fe80::1%eth0]) by c (Postfix) with SMTP id x"),
           std::string("from a (b\t[192.0.2.1])\n\tby c (Postfix)\r\n with SMTP id x;"),
           std::string("from a (b [192.0.2.1]) by c (8.9.3) with SMTP id x\0y", 49),
       }) {
    expectSameAsPatterns(field);
  }
}

TEST(ReceivedForms, ParsesTheFuzzCorpusAsThePatternsDo) {
  const std::filesystem::path corpus =
      std::filesystem::path(PORTCULLIS_SOURCE_DIR) / "tests/fuzz/received/corpus";
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    expectSameAsPatterns(content.str());
    for (const std::string& variant : nearMisses(content.str())) expectSameAsPatterns(variant);
    ++seen;
  }
  EXPECT_GT(seen, 10u);
}

// Every Received field of the development corpus, decoded as the content checks read it and as
// on the wire.
TEST(ReceivedForms, ParsesEveryCorpusFieldAsThePatternsDo) {
  const std::filesystem::path corpus = std::filesystem::path(PORTCULLIS_BINARY_DIR) / "corpus";
  if (!std::filesystem::is_directory(corpus)) GTEST_SKIP() << corpus << " is missing";
  size_t seen = 0;
  for (const char* group : {"easy-ham-1", "spam-1"}) {
    for (const auto& entry : std::filesystem::directory_iterator(corpus / group)) {
      if (entry.path().extension() != ".txt") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      const std::string raw = content.str();
      const Message message = Message::parse(raw);
      for (const Header* field : message.headers().findAll("Received")) {
        expectSameAsPatterns(field->value);
        expectSameAsPatterns(std::string(field->raw));
        ++seen;
      }
    }
  }
  EXPECT_GT(seen, 10000u);
}

}  // namespace
}  // namespace portcullis::mime
