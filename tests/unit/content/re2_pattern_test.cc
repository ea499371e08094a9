// RE2 confirms long patterns only where it matches exactly as PCRE2 does: these compare the two
// engines on Latin-1 text, where RE2's case folding of letters above 0x7f would otherwise differ.
#include "filters/content/re2_pattern.h"

#include <gtest/gtest.h>

#include "filters/content/pcre_pattern.h"

namespace portcullis::content {
namespace {

// `pattern` long enough for RE2 to take it, by an alternative no test text holds.
RuleRegex longForm(std::string pattern, bool caseless) {
  return {pattern + "|" + std::string(Re2Pattern::kMinimumLength, '~'), caseless};
}

TEST(Re2Pattern, AgreesWithPcre2OnLatin1Text) {
  const char* patterns[] = {R"(caf\xe9\b)",        "caf\xe9 au lait",      R"(endere[\xe7]o)",
                            R"(\bst[\xe4]dt?e\b)", R"([a-c\xe4-\xe6]{3})", R"(x[^a\xe4]y)",
                            R"(x[^\W\xe4]y)",      R"(x[\S\xe4]+y)",       R"(\w+\s\xdf)",
                            R"(k.\s[^\x00-\x7f]+)"};
  const char* texts[] = {"CAF\xc9 au lait",
                         "caf\xe9 au lait",
                         "endere\xc7o",
                         "endere\xe7o",
                         "st\xc4"
                         "dte",
                         "st\xe4"
                         "dte",
                         "ab\xc4",
                         "a\xe4\xe6",
                         "x\xc4y",
                         "xAy",
                         "xby",
                         "x\xe4y",
                         "x\xc4\xe4y",
                         "stra\xdf"
                         "e \xdf",
                         "STRASSE \xdf",
                         "K\xe9\t\xff\xc0",
                         "k\xe9 \xe9"};
  for (const char* pattern : patterns) {
    for (bool caseless : {false, true}) {
      const RuleRegex regex = longForm(pattern, caseless);
      auto re2 = Re2Pattern::compile(regex);
      ASSERT_TRUE(re2) << pattern;
      auto compiled = PcrePattern::compile(regex, true, false, {});
      ASSERT_TRUE(compiled) << compiled.error;
      const PcrePattern* pcre = compiled->get();
      for (const char* text : texts) {
        ASSERT_TRUE(Re2Pattern::agreeOn(text));
        EXPECT_EQ(re2->matches(text), pcre->matches(text))
            << "/" << pattern << "/" << (caseless ? "i" : "") << " on \"" << text << '"';
      }
    }
  }
}

// Beyond RE2's repeat limits, the pattern with its large repeats unbounded filters: it matches
// wherever PCRE2 does, and more.
TEST(Re2Pattern, FiltersWherePatternExceedsRe2RepeatLimits) {
  const RuleRegex regex = longForm(R"((?:(?:name|phone|address)[-=_.,:;*\s]{1,300}){5})", true);
  auto re2 = Re2Pattern::compile(regex);
  ASSERT_TRUE(re2);
  EXPECT_FALSE(re2->exact());
  auto compiled = PcrePattern::compile(regex, true, false, {});
  ASSERT_TRUE(compiled) << compiled.error;
  const PcrePattern* pcre = compiled->get();
  const std::string wide(301, ' ');
  const std::string texts[] = {"name: phone: address: name, phone.",
                               "Name:" + wide + "phone: address: name, phone.", "name phone",
                               "Your NAME, PHONE, ADDRESS, NAME and PHONE"};
  for (const auto& text : texts) {
    EXPECT_TRUE(!pcre->matches(text) || re2->matches(text)) << text;
  }
  EXPECT_TRUE(pcre->matches(texts[0]));
  EXPECT_FALSE(pcre->matches(texts[1]));  // 301 spaces: beyond the bound
  EXPECT_TRUE(re2->matches(texts[1]));    // the filter passes it; PCRE2 settles
  EXPECT_FALSE(re2->matches(texts[2]));

  auto exact = Re2Pattern::compile(longForm(R"(name[-=_.,:;*\s]{1,100}phone)", true));
  ASSERT_TRUE(exact);
  EXPECT_TRUE(exact->exact());
}

TEST(Re2Pattern, LeavesVerticalTabsAndShortPatternsToPcre2) {
  EXPECT_FALSE(Re2Pattern::agreeOn("a\vb"));
  EXPECT_FALSE(Re2Pattern::compile({"short|pattern", true}));
  EXPECT_FALSE(Re2Pattern::compile(longForm(R"(^name)", false)));
}

}  // namespace
}  // namespace portcullis::content
