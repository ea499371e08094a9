// One rule pattern run by RE2, for confirming hits on pieces where PCRE2's backtracking would cost
// the most: SpamAssassin's long alternations (the __FILL_THIS_FORM_* family runs about ten times
// faster on RE2's automaton). Built only for patterns RE2 can be given in its own dialect (see
// inRe2Dialect), and used only on texts where the two agree: those without vertical tabs.
// A pattern beyond RE2's repeat limits (the __FILL_THIS_FORM_LONG* with {1,100} inside {5}) gets
// a filter instead: the pattern with its large repeats unbounded, a superset, whose hits PCRE2
// confirms; PCRE2 would otherwise run on every piece (about 50 times slower there).
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

  // The pattern in multiline mode, as rules read in pieces see it, exact or else as a filter;
  // nullptr when it is short, has no equivalent in RE2's dialect, or RE2 takes neither.
  static std::unique_ptr<Re2Pattern> compile(const RuleRegex& regex);
  ~Re2Pattern();
  Re2Pattern(const Re2Pattern&) = delete;
  Re2Pattern& operator=(const Re2Pattern&) = delete;

  // Exact: matches() is the rule's answer. Otherwise a miss is certain and a hit needs PCRE2.
  bool exact() const { return exact_; }
  bool matches(std::string_view text) const;
  // Whether RE2 and PCRE2 agree on `text`: it has no vertical tab, which PCRE2's \s matches.
  static bool agreeOn(std::string_view text);

 private:
  Re2Pattern(std::unique_ptr<re2::RE2> re, bool exact);
  std::unique_ptr<re2::RE2> re_;
  bool exact_;
};

}  // namespace portcullis::content
