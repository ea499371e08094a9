// One rule pattern run by RE2, for confirming hits on pieces where PCRE2's backtracking would cost
// the most: SpamAssassin's long alternations (the __FILL_THIS_FORM_* family runs about ten times
// faster on RE2's automaton). Built only for patterns RE2 can be given in its own dialect (see
// inRe2Dialect), and used only on texts where the two agree: those without vertical tabs.
// Immutable after construction and safe to share between threads.
#pragma once

#include <memory>
#include <string_view>

#include "filters/content/rule.h"

namespace re2 {
class RE2;
}

namespace portcullis::content {

class Re2Pattern {
 public:
  // Patterns shorter than this stay with PCRE2, whose JIT is faster on them.
  static constexpr size_t kMinimumLength = 500;

  // The pattern in multiline mode, as rules read in pieces see it; nullptr when it is short, has
  // no equivalent in RE2's dialect, or RE2 does not take it.
  static std::unique_ptr<Re2Pattern> compile(const RuleRegex& regex);
  ~Re2Pattern();
  Re2Pattern(const Re2Pattern&) = delete;
  Re2Pattern& operator=(const Re2Pattern&) = delete;

  bool matches(std::string_view text) const;
  // Whether RE2 and PCRE2 agree on `text`: it has no vertical tab, which PCRE2's \s matches.
  static bool agreeOn(std::string_view text);

 private:
  explicit Re2Pattern(std::unique_ptr<re2::RE2> re);
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace portcullis::content
