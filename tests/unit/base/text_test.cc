#include "gateway/base/text.h"

#include <gtest/gtest.h>

namespace portcullis {
namespace {

TEST(AsciiTest, ClassesAreAsciiOnly) {
  EXPECT_TRUE(isAsciiAlpha('a'));
  EXPECT_TRUE(isAsciiAlpha('Z'));
  EXPECT_FALSE(isAsciiAlpha('@'));
  EXPECT_FALSE(isAsciiAlpha('['));
  EXPECT_FALSE(isAsciiAlpha('\xE9'));
  EXPECT_TRUE(isAsciiAlnum('7'));
  EXPECT_FALSE(isAsciiAlnum('_'));
  EXPECT_TRUE(isBlank('\t'));
  EXPECT_FALSE(isBlank('\n'));
  for (char c : std::string_view(" \t\n\v\f\r")) EXPECT_TRUE(isAsciiSpace(c)) << int(c);
  EXPECT_FALSE(isAsciiSpace('\0'));
  EXPECT_FALSE(isAsciiSpace('\xA0'));
}

TEST(AsciiTest, CaseFoldingLeavesOtherBytesAlone) {
  EXPECT_EQ(asciiLower('Q'), 'q');
  EXPECT_EQ(asciiUpper('q'), 'Q');
  EXPECT_EQ(asciiLower('\xC9'), '\xC9');
  EXPECT_EQ(toLower("MiXeD-Case \xC9"), "mixed-case \xC9");
  EXPECT_EQ(toUpper("mixed-case"), "MIXED-CASE");
  std::string s = "ABC";
  lowerInPlace(s);
  EXPECT_EQ(s, "abc");
}

TEST(AsciiTest, HexValue) {
  EXPECT_EQ(hexValue('0'), 0);
  EXPECT_EQ(hexValue('a'), 10);
  EXPECT_EQ(hexValue('F'), 15);
  EXPECT_EQ(hexValue('g'), -1);
  EXPECT_EQ(hexValue(' '), -1);
}

TEST(TextTest, CaseInsensitiveComparison) {
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(iequals("\xC9", "\xE9"));
  EXPECT_TRUE(istartsWith("X-Portcullis-Score", "x-portcullis-"));
  EXPECT_FALSE(istartsWith("X-Port", "x-portcullis-"));
  EXPECT_TRUE(istartsWith("anything", ""));
}

TEST(TextTest, TrimStripsProtocolWhiteSpaceOnly) {
  EXPECT_EQ(trim(" \t value \r\n"), "value");
  EXPECT_EQ(trim("\vvalue\f"), "\vvalue\f");
  EXPECT_EQ(trim(" \r\n"), "");
  EXPECT_EQ(trim("a b"), "a b");
}

TEST(TextTest, TrimAsciiSpaceStripsEveryIsspaceByte) {
  EXPECT_EQ(trimAsciiSpace("\v\f value \t\r\n"), "value");
  EXPECT_EQ(trimAsciiSpace("\xA0value\xA0"), "\xA0value\xA0");
  EXPECT_EQ(trimAsciiSpace(""), "");
}

TEST(TextTest, TrimTrailingNewlinesKeepsTheStart) {
  EXPECT_EQ(trimTrailingNewlines("\nmessage\r\n\n"), "\nmessage");
  EXPECT_EQ(trimTrailingNewlines("message \n"), "message ");
}

TEST(TextTest, SplitKeepsEmptyPieces) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split("a,", ','), (std::vector<std::string_view>{"a", ""}));
}

}  // namespace
}  // namespace portcullis
