// dotStuff() (the message as DATA sends it) against a plain one-character-at-a-time statement of
// the rule, on the corner cases and on many random mixes of dots, CRs, LFs and text; and
// needsDotStuffing() (lineShape() in line_wrap.h) against whether that statement changes anything
// but the added ".\r\n"; and lineShape()'s longest line against longestLine().
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "gateway/smtp/client.h"
#include "gateway/smtp/line_wrap.h"

namespace portcullis::smtp {
namespace {

// Every CR, LF or CRLF becomes CRLF, a dot that starts a line is doubled, a last line without its
// end gets one, and ".\r\n" follows.
std::string reference(std::string_view message) {
  std::string out;
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out.push_back('.');
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
      continue;
    }
    out.push_back(c);
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  return out + ".\r\n";
}

TEST(DotStuff, CornerCases) {
  for (std::string_view m :
       {"", ".", "..", "\r\n", ".\r\n", "a\r\n.\r\n", "a\rb\nc\r\n", "a\r", "a\n", "\r\r\n",
        "\n\n.", "Subject: x\r\n\r\n.hidden\r\n..two\r\nend", ".\r.\n.\r\n.", "a\r\nb.\r\n",
        "Subject: x\r\n\r\nbody\r\n", "a\r\n\r\n", "a\r\nb\rc\r\n", "a\r\nb\nc\r\n"}) {
    EXPECT_EQ(dotStuff(m), reference(m)) << "input: " << testing::PrintToString(std::string(m));
    EXPECT_EQ(needsDotStuffing(m), reference(m) != std::string(m) + ".\r\n")
        << "input: " << testing::PrintToString(std::string(m));
    EXPECT_EQ(lineShape(m).longest_line, longestLine(m))
        << "input: " << testing::PrintToString(std::string(m));
  }
}

TEST(DotStuff, RandomMixes) {
  std::mt19937 random(17);
  const char alphabet[] = {'.', '\r', '\n', 'a', 'b'};
  for (int round = 0; round < 20'000; ++round) {
    std::string m(random() % 24, ' ');
    for (char& c : m) c = alphabet[random() % sizeof alphabet];
    ASSERT_EQ(dotStuff(m), reference(m)) << "input: " << testing::PrintToString(m);
    ASSERT_EQ(needsDotStuffing(m), reference(m) != m + ".\r\n")
        << "input: " << testing::PrintToString(m);
    ASSERT_EQ(lineShape(m).longest_line, longestLine(m)) << "input: " << testing::PrintToString(m);
  }
}

}  // namespace
}  // namespace portcullis::smtp
