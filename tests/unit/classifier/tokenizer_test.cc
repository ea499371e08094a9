// The tokenizer: body words as SpamAssassin's Bayes tokenizer makes them, header fields under
// their prefixes, URIs and their host parts, sparse bigrams, the bounds on hostile input, the
// stability of the hash and the message digest.
#include "filters/classifier/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>

namespace portcullis::classifier {
namespace {

std::set<std::string> textsOf(const ClassifierInput& input, std::size_t osb_window = 5) {
  TokenizerSettings settings;
  settings.keep_texts = true;
  settings.osb_window = osb_window;
  const Tokens tokens = tokenize(input, settings);
  EXPECT_EQ(tokens.texts.size(), tokens.hashes.size());
  return {tokens.texts.begin(), tokens.texts.end()};
}

std::string joined(const std::set<std::string>& texts) {
  std::string out;
  for (const std::string& t : texts) out += "[" + t + "] ";
  return out;
}

std::set<std::string> bodyTexts(std::string_view body, std::size_t osb_window = 0) {
  ClassifierInput input;
  input.body = body;
  return textsOf(input, osb_window);
}

TEST(Tokenizer, BodyWordsFollowBayesRules) {
  const auto t = bodyTexts("Hello wonderful World of SPAM. Another line");
  EXPECT_TRUE(t.contains("hello"));  // Title Case at the start of a sentence is lowered
  EXPECT_FALSE(t.contains("Hello"));
  EXPECT_TRUE(t.contains("wonderful"));
  EXPECT_TRUE(t.contains("World"));  // mid-sentence capitals kept, plus the lowercase variant
  EXPECT_TRUE(t.contains("world"));
  EXPECT_TRUE(t.contains("SPAM"));
  EXPECT_TRUE(t.contains("spam"));
  EXPECT_TRUE(t.contains("another"));  // after a full stop: a new sentence
  EXPECT_FALSE(t.contains("of"));      // shorter than three bytes
}

TEST(Tokenizer, PunctuationIsTrimmedAndDecomposed) {
  const auto t = bodyTexts("buy \"Hits!\" now... $31,000,000 f*ck --dash-- end...start");
  EXPECT_TRUE(t.contains("Hits!"));
  EXPECT_TRUE(t.contains("Hits"));
  EXPECT_TRUE(t.contains("hits!"));
  EXPECT_TRUE(t.contains("hits"));
  EXPECT_TRUE(t.contains("$31,000,000"));
  EXPECT_TRUE(t.contains("31000000"));
  EXPECT_TRUE(t.contains("f*ck"));
  EXPECT_TRUE(t.contains("dash"));
  EXPECT_TRUE(t.contains("end"));  // "..." between words separates them
  EXPECT_TRUE(t.contains("start"));
  EXPECT_FALSE(t.contains("\"Hits!\""));
}

TEST(Tokenizer, LongTokensBecomeSkipPrefixes) {
  const auto t = bodyTexts("pneumonoultramicroscopic and fifteenchars123");
  EXPECT_TRUE(t.contains("sk:pneumon"));
  EXPECT_FALSE(t.contains("pneumonoultramicroscopic"));
  EXPECT_TRUE(t.contains("fifteenchars123"));  // exactly 15: kept whole
}

TEST(Tokenizer, Utf8IsKeptWholeAndLongRunsSplitIntoCharacters) {
  const auto t = bodyTexts(
      "the Größe \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE6\x96\x87\xE7\xAB\xA0");
  EXPECT_TRUE(t.contains("Größe"));
  EXPECT_TRUE(t.contains("u8:\xE6\x97\xA5"));  // each CJK character of a long run
  EXPECT_TRUE(t.contains("u8:\xE7\xAB\xA0"));
}

TEST(Tokenizer, MailAddressesAndHostNamesInTheBodySplitIntoParts) {
  const auto t = bodyTexts("write to sales@mail.example.com or visit www.example.org today");
  EXPECT_TRUE(t.contains("U*sales"));
  EXPECT_TRUE(t.contains("D*mail.example.com"));
  EXPECT_TRUE(t.contains("D*example.com"));
  EXPECT_TRUE(t.contains("D*com"));
  EXPECT_TRUE(t.contains("UD:www.example.org"));
  EXPECT_TRUE(t.contains("UD:example.org"));
  // A host name counts as its UD: parts alone, not again as a word or without its dots.
  EXPECT_FALSE(t.contains("www.example.org"));
  EXPECT_FALSE(t.contains("wwwexampleorg"));
  EXPECT_TRUE(t.contains("visit"));
}

TEST(Tokenizer, UrisGiveHostAndDomainParts) {
  ClassifierInput input;
  input.uris = {"http://www.shop.example.net/buy/now?id=1"};
  const auto t = textsOf(input);
  EXPECT_TRUE(t.contains("UD:www.shop.example.net"));
  EXPECT_TRUE(t.contains("UD:shop.example.net"));
  EXPECT_TRUE(t.contains("UD:example.net"));
  EXPECT_TRUE(t.contains("http"));
  EXPECT_TRUE(t.contains("buy"));
}

TEST(Tokenizer, HeaderFieldsCarryPrefixes) {
  ClassifierInput input;
  input.headers = {
      {"From", "\"John Doe\" <john@mail.example.com>"},
      {"Subject", "cheap watches"},
      {"Date", "Mon, 1 Jan 2024 10:00:00 +0000"},
      {"X-Mailer", "Microsoft Outlook Express 6.00"},
      {"Content-Type", "multipart/alternative; boundary=\"----=_NextPart_000_0012_01C2\""},
      {"DKIM-Signature", "v=1; a=rsa-sha256; b=abcdefghijklmnop"},
      {"X-Spam-Status", "No, score=1.0"},
      {"List-Id", "<users.lists.example.org>"},
  };
  const auto t = textsOf(input);
  EXPECT_TRUE(t.contains("H*F:N*John"));
  EXPECT_TRUE(t.contains("H*F:U*john"));
  EXPECT_TRUE(t.contains("H*F:D*mail.example.com"));
  EXPECT_TRUE(t.contains("H*F:D*example.com"));
  EXPECT_TRUE(t.contains("H*Ad:U*john"));  // From, To and Cc also count together
  EXPECT_TRUE(t.contains("H*x:Microsoft"));
  EXPECT_TRUE(t.contains("H*UA:Outlook"));
  EXPECT_TRUE(t.contains("H*ct:multipart")) << joined(t);
  EXPECT_TRUE(t.contains("H*ct:alternative"));
  EXPECT_TRUE(t.contains("H*ct:NHxtPHrt"));  // the boundary's shape, hex digits as H
  EXPECT_TRUE(t.contains("H*ct:HHHH"));
  EXPECT_TRUE(t.contains("Hdkim-signature:present"));
  EXPECT_FALSE(t.contains("Hdkim-signature:rsa-sha256"));
  for (const std::string& text : t) {
    EXPECT_FALSE(text.starts_with("Hsubject:")) << text;  // Subject is read in the body
    EXPECT_FALSE(text.starts_with("Hdate:")) << text;
    EXPECT_FALSE(text.starts_with("Hx-spam-status:")) << text;
    EXPECT_FALSE(text.starts_with("Hlist-id:")) << text;
  }
}

TEST(Tokenizer, ContentTypeWordsIgnoreCaseButTheBoundaryShapeKeepsIt) {
  ClassifierInput upper, lower;
  upper.headers = {{"Content-Type", "Text/Plain; CharSet=US-ASCII; Format=Flowed"}};
  lower.headers = {{"Content-Type", "text/plain; charset=us-ascii; format=flowed"}};
  const auto u = textsOf(upper);
  EXPECT_EQ(u, textsOf(lower)) << joined(u);
  EXPECT_TRUE(u.contains("H*ct:us-ascii"));
  EXPECT_TRUE(u.contains("H*ct:flowed"));
  EXPECT_FALSE(u.contains("H*ct:text"));  // Bayes.pm's stop words for the field, in any case

  ClassifierInput boundary;
  boundary.headers = {{"Content-Type", "Multipart/Mixed; boundary=\"=_NextPart_2a\""}};
  const auto b = textsOf(boundary);
  EXPECT_TRUE(b.contains("H*ct:multipart")) << joined(b);
  EXPECT_TRUE(b.contains("H*ct:NHxtPHrt"));
}

TEST(Tokenizer, OnlyTheTwoOldestReceivedFieldsCountWithoutDatesAndIds) {
  ClassifierInput input;
  input.headers = {
      {"Received", "from gw.example.org by mx.example.org (Portcullis) with ESMTP id Q1"},
      {"Received", "from newest.example.net ([203.0.113.9]) by hop3.example.net"},
      {"Received",
       "from middle.example.net ([198.51.100.7]) by hop2.example.net with SMTP id "
       "AbCdEfGh123; Tue, 2 Jan 2024 10:00:00 +0000"},
      {"Received", "from oldest.example.com (HELO spamware) ([192.168.1.5]) by hop1.example.com"},
  };
  const auto t = textsOf(input);
  EXPECT_TRUE(t.contains("H*r:sk:oldest.")) << joined(t);  // long header tokens: 7 characters
  EXPECT_TRUE(t.contains("H*r:spamware"));
  EXPECT_TRUE(t.contains("H*r:192.168.1.5"));  // private: kept whole
  EXPECT_TRUE(t.contains("H*r:ip*192.168.1.5"));
  EXPECT_TRUE(t.contains("H*r:198.51.100"));  // public: its /24 as well
  EXPECT_TRUE(t.contains("H*r:ip*198.51.100.7"));
  EXPECT_TRUE(t.contains("H*r:sk:middle."));
  EXPECT_FALSE(t.contains("H*r:sk:newest."));      // not among the two oldest
  EXPECT_FALSE(t.contains("H*r:mx.example.org"));  // this gateway's own field
  EXPECT_FALSE(t.contains("H*r:AbCdEfGh123"));     // queue id
  EXPECT_FALSE(t.contains("H*r:Tue"));             // date
  EXPECT_FALSE(t.contains("H*r:SMTP"));
}

TEST(Tokenizer, SparseBigramsPairEachWordWithTheFourBefore) {
  const auto t = bodyTexts("alpha beta gamma delta epsilon zeta", 5);
  EXPECT_TRUE(t.contains("OSB:alpha 1 beta"));
  EXPECT_TRUE(t.contains("OSB:alpha 2 gamma"));
  EXPECT_TRUE(t.contains("OSB:alpha 4 epsilon"));
  EXPECT_FALSE(t.contains("OSB:alpha 5 zeta"));  // beyond the window
  EXPECT_TRUE(t.contains("OSB:beta 4 zeta"));
  const auto words = bodyTexts("alpha beta gamma delta epsilon zeta", 0);
  EXPECT_TRUE(std::none_of(words.begin(), words.end(),
                           [](const std::string& s) { return s.starts_with("OSB:"); }));
}

TEST(Tokenizer, TokensAreDistinctAndHashedStably) {
  ClassifierInput input;
  input.body = "same same same words words";
  TokenizerSettings settings;
  settings.keep_texts = true;
  settings.osb_window = 0;
  const Tokens tokens = tokenize(input, settings);
  ASSERT_EQ(tokens.hashes.size(), 2u);
  EXPECT_NE(tokens.hashes[0], tokens.hashes[1]);
  EXPECT_EQ(tokens.texts[0], "same");  // in order of first appearance
  EXPECT_EQ(tokens.texts[1], "words");
  for (std::size_t i = 0; i < tokens.hashes.size(); ++i)
    EXPECT_EQ(tokens.hashes[i], hashToken(tokens.texts[i]));
  // The store keeps hashes across versions: the algorithm must never change.
  EXPECT_EQ(hashToken("viagra"), 5638275572377003809ULL);
  EXPECT_EQ(hashToken(""), 16852473371444490038ULL);
  EXPECT_EQ(hashToken("a much longer token text"), 13677408540511519555ULL);
}

TEST(Tokenizer, AMillionDistinctTokensStopAtTheBound) {
  std::string body;
  body.reserve(12'000'000);
  for (int i = 0; i < 1'000'000; ++i) body += "w" + std::to_string(i) + " ";
  ClassifierInput input;
  input.body = body;
  TokenizerSettings settings;
  settings.max_tokens = 20000;
  const Tokens tokens = tokenize(input, settings);
  EXPECT_EQ(tokens.hashes.size(), 20000u);
}

TEST(Tokenizer, BinaryBodiesAreBoundedAndHarmless) {
  std::mt19937 random(42);
  std::string body(4 << 20, '\0');
  for (char& c : body) c = static_cast<char>(random());
  ClassifierInput input;
  input.body = body;
  input.uris = {std::string_view(body).substr(0, 100000)};
  input.headers = {{"X-Binary", std::string_view(body).substr(0, 100000)}};
  TokenizerSettings settings;
  settings.max_tokens = 5000;
  const Tokens tokens = tokenize(input, settings);
  EXPECT_LE(tokens.hashes.size(), 5000u);
  EXPECT_GT(tokens.hashes.size(), 0u);
}

TEST(Tokenizer, EmptyInputHasNoTokens) {
  EXPECT_TRUE(tokenize(ClassifierInput{}, TokenizerSettings{}).hashes.empty());
}

TEST(MessageDigest, IgnoresTheMboxLineLineEndsAndOurOwnFields) {
  const std::string plain =
      "Received: from a.example by b.example; Mon, 1 Jan 2024 10:00:00 +0000\n"
      "Subject: hello\n"
      "\n"
      "body line\n";
  const std::string ours =
      "From sender@example.com Mon Jan  1 10:00:00 2024\r\n"
      "X-Portcullis-Released: Q123 Mon, 1 Jan 2024 11:00:00 +0000\r\n"
      "Received: from b.example by gw.example (Portcullis) with ESMTP id Q123;\r\n"
      "\tMon, 1 Jan 2024 10:00:01 +0000\r\n"
      "Received: from a.example by b.example; Mon, 1 Jan 2024 10:00:00 +0000\r\n"
      "Subject: hello\r\n"
      "X-Spam-Status: No, score=0.1\r\n"
      "\r\n"
      "body line\r\n";
  const MessageDigest a = messageDigest(plain);
  EXPECT_EQ(a.hex.size(), 64u);
  EXPECT_EQ(a.hex, messageDigest(ours).hex);
  EXPECT_NE(a.hex, messageDigest(plain + "another line\n").hex);
  EXPECT_NE(a.hex, messageDigest("Subject: hello\n\nbody line\n").hex);
}

}  // namespace
}  // namespace portcullis::classifier
