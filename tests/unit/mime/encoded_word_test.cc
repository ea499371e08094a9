#include "gateway/mime/encoded_word.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

std::string decode(std::string_view value, HeaderTextFlags* flags_out = nullptr) {
  std::string out;
  HeaderTextFlags flags;
  appendDecodedHeaderText(value, out, flags);
  if (flags_out) *flags_out = flags;
  return out;
}

TEST(MimeEncodedWord, BAndQ) {
  EXPECT_EQ(decode("=?utf-8?B?Y2Fmw6k=?="), "caf\xC3\xA9");
  EXPECT_EQ(decode("=?ISO-8859-1?Q?caf=E9_au_lait?="), "caf\xC3\xA9 au lait");
  EXPECT_EQ(decode("=?iso-8859-1?q?a?="), "a");
}

TEST(MimeEncodedWord, WhitespaceBetweenAdjacentWordsIsDropped) {
  EXPECT_EQ(decode("=?utf-8?Q?a?= =?utf-8?Q?b?="), "ab");
  EXPECT_EQ(decode("=?utf-8?Q?a?=\t  =?iso-8859-1?Q?b?="), "ab");
  EXPECT_EQ(decode("=?utf-8?Q?a?= x =?utf-8?Q?b?="), "a x b");
  EXPECT_EQ(decode("Re: =?utf-8?Q?a?= end"), "Re: a end");
}

TEST(MimeEncodedWord, MultibyteCharacterSplitAcrossWords) {
  // "é" (C3 A9) split between two base64 words.
  EXPECT_EQ(decode("=?utf-8?B?ww==?= =?utf-8?B?qQ==?="), "\xC3\xA9");
}

TEST(MimeEncodedWord, LanguageSuffixIsIgnored) {
  EXPECT_EQ(decode("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
}

TEST(MimeEncodedWord, WordsInsideTextAreDecoded) {
  EXPECT_EQ(decode("\"=?utf-8?Q?J=C3=B6rg?=\" <j@example.com>"), "\"J\xC3\xB6rg\" <j@example.com>");
  EXPECT_EQ(decode("x=?utf-8?Q?y?=z"), "xyz");
}

TEST(MimeEncodedWord, MalformedWordsStayLiteral) {
  EXPECT_EQ(decode("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(decode("=?utf-8?Q?a b?="), "=?utf-8?Q?a b?=");
  EXPECT_EQ(decode("a =? b"), "a =? b");
  EXPECT_EQ(decode("=?"), "=?");
}

TEST(MimeEncodedWord, BadPayloadIsFlagged) {
  HeaderTextFlags flags;
  decode("=?utf-8?B?!!!?=", &flags);
  EXPECT_TRUE(flags.bad_encoded_word);
}

TEST(MimeEncodedWord, UnknownCharsetIsFlaggedAndKept) {
  HeaderTextFlags flags;
  EXPECT_EQ(decode("=?x-martian?Q?abc?=", &flags), "abc");
  EXPECT_TRUE(flags.unknown_charset);
}

TEST(MimeEncodedWord, PlainTextIsItsOwnDecodedForm) {
  EXPECT_TRUE(isPlainHeaderText("Re: hello = world ?"));
  EXPECT_TRUE(isPlainHeaderText(""));
  EXPECT_FALSE(isPlainHeaderText("=?utf-8?Q?x?="));
  EXPECT_FALSE(isPlainHeaderText("a =?"));
  EXPECT_FALSE(isPlainHeaderText("caf\xE9"));
  HeaderTextFlags flags;
  EXPECT_EQ(decode("Re: hello = world ?", &flags), "Re: hello = world ?");
  EXPECT_FALSE(flags.eight_bit || flags.bad_encoded_word || flags.unknown_charset);
}

TEST(MimeEncodedWord, RawEightBitIsFlaggedAndConverted) {
  HeaderTextFlags flags;
  EXPECT_EQ(decode("caf\xE9", &flags), "caf\xC3\xA9");
  EXPECT_TRUE(flags.eight_bit);
}

}  // namespace
}  // namespace portcullis::mime
