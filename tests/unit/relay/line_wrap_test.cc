// Wrapping long lines as Postfix's smtp_line_length_limit does.
#include "gateway/smtp/line_wrap.h"

#include <gtest/gtest.h>

#include <string>

namespace portcullis::smtp {
namespace {

std::string removeBreaks(std::string text) {
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
  return text;
}

TEST(LineWrap, LongestLineIgnoresEveryKindOfLineEnd) {
  EXPECT_EQ(longestLine(""), 0u);
  EXPECT_EQ(longestLine("abc"), 3u);
  EXPECT_EQ(longestLine("ab\r\nabcd\r\n"), 4u);
  EXPECT_EQ(longestLine("abcde\nab\rabc"), 5u);
  EXPECT_EQ(countLongLines("aaaa\r\nb\r\ncccc\r\n", 3), 2u);
}

TEST(LineWrap, LinesThatFitAreUnchanged) {
  std::string text = "Subject: hi\r\n\r\n" + std::string(998, 'x') + "\r\nend\r\n";
  EXPECT_EQ(wrapLongLines(text, 998), text);
}

TEST(LineWrap, BreaksAfterLimitAndContinuesWithASpace) {
  // Postfix: the first piece has `limit` octets, each continuation a space and limit-1 more.
  EXPECT_EQ(wrapLongLines("abcdefghij\r\n", 4), "abcd\r\n efg\r\n hij\r\n");
  EXPECT_EQ(wrapLongLines("abcde\r\nxy\r\n", 4), "abcd\r\n e\r\nxy\r\n");
  EXPECT_EQ(wrapLongLines("abcdefg", 4), "abcd\r\n efg");
}

TEST(LineWrap, KeepsLineEndsAsTheyAre) {
  EXPECT_EQ(wrapLongLines("abcdef\nxy\rabcdef", 4), "abcd\r\n ef\nxy\rabcd\r\n ef");
}

TEST(LineWrap, AFiveThousandOctetLineFitsAndLosesNothing) {
  std::string base64;
  for (int i = 0; i < 5000; ++i) base64.push_back("ABCDEFGHabcdefgh0123456789+/"[i % 28]);
  std::string text = "Content-Transfer-Encoding: base64\r\n\r\n" + base64 + "\r\n";
  std::string wrapped = wrapLongLines(text, 998);
  EXPECT_LE(longestLine(wrapped), 998u);
  EXPECT_EQ(countLongLines(wrapped, 998), 0u);
  EXPECT_EQ(removeBreaks(wrapped), text);
  // 5000 = 998 + 4 * 997 + 14: five breaks.
  EXPECT_EQ(wrapped.size(), text.size() + 5 * 3);
  EXPECT_EQ(wrapLongLines(wrapped, 998), wrapped) << "wrapping twice changes nothing";
}

TEST(LineWrap, AWrappedHeaderIsAFoldedField) {
  std::string subject = "Subject: " + std::string(1500, 's');
  std::string wrapped = wrapLongLines(subject + "\r\n\r\nbody\r\n", 998);
  auto second = wrapped.find("\r\n") + 2;
  EXPECT_EQ(wrapped[second], ' ') << "a continuation line starts with white space";
  EXPECT_EQ(removeBreaks(wrapped), subject + "\r\n\r\nbody\r\n");
}

}  // namespace
}  // namespace portcullis::smtp
