// PCRE2 patterns as rules use them: a pattern whose compiled form outgrows PCRE2's limit (as
// SpamAssassin's __FILL_THIS_FORM_LONG* rules do, a large group repeated five times) is compiled
// with its repeated group written once and called again, and matches exactly what it says.
#include "filters/content/pcre_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace portcullis::content {
namespace {

// `(?:(?:w0|w1|...|w299)\s){count}`: far larger than PCRE2's compiled limit when expanded.
std::string repeatedAlternation(int count) {
  std::string words;
  for (int i = 0; i < 300; ++i) words += (i ? "|" : "") + ("word" + std::to_string(i) + "x");
  return "(?:(?:" + words + ")\\s){" + std::to_string(count) + "}";
}

std::string sentence(int words) {
  std::string text;
  for (int i = 0; i < words; ++i) text += "word" + std::to_string(i * 7) + "x ";
  return text;
}

TEST(PcrePattern, RepeatedGroupsTooLargeToExpandAreCompiledOnce) {
  RuleRegex regex{repeatedAlternation(40)};
  auto pattern = PcrePattern::compile(regex, true, false, {});
  ASSERT_TRUE(pattern) << pattern.error;
  EXPECT_TRUE((*pattern)->matches(sentence(40)));
  EXPECT_TRUE((*pattern)->matches("prefix " + sentence(41)));
  EXPECT_FALSE((*pattern)->matches(sentence(39)));
  EXPECT_EQ((*pattern)->firstMatch(sentence(40)), sentence(40));
  auto jitted = PcrePattern::compile(regex, true, true, {});
  ASSERT_TRUE(jitted) << jitted.error;
  EXPECT_TRUE((*jitted)->matches(sentence(40)));
  EXPECT_FALSE((*jitted)->matches(sentence(39)));
}

TEST(PcrePattern, TooLargeWithABackReferenceStaysAnError) {
  RuleRegex regex{"(a)" + repeatedAlternation(40) + "\\1"};
  auto pattern = PcrePattern::compile(regex, true, false, {});
  EXPECT_FALSE(pattern);
  EXPECT_NE(pattern.error.find("too large"), std::string::npos) << pattern.error;
}

}  // namespace
}  // namespace portcullis::content
