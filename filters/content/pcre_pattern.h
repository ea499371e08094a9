// One Perl regular expression compiled by PCRE2 (JIT when asked), with match and depth limits so
// that no pattern can run away on hostile input. Used to confirm Hyperscan prefilter matches, to
// run the few patterns Hyperscan cannot, to count matches of `tflags multiple` rules and to show
// the matched text. A pattern too large for PCRE2's compiled form has its largest repeated groups
// compiled once and called again (same matches). Immutable after construction and safe to share
// between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "filters/content/rule.h"
#include "gateway/base/result.h"

namespace portcullis::content {

struct PcreLimits {
  uint32_t match_limit = 100000;  // PCRE2 match() calls per scan
  uint32_t depth_limit = 10000;   // backtracking depth per scan
};

class PcrePattern {
 public:
  // Compiles `regex` (multiline forced when `force_multiline`), or says why PCRE2 would not.
  static Result<std::unique_ptr<PcrePattern>> compile(const RuleRegex& regex, bool force_multiline,
                                                      bool jit, const PcreLimits& limits);
  ~PcrePattern();
  PcrePattern(const PcrePattern&) = delete;
  PcrePattern& operator=(const PcrePattern&) = delete;

  // Whether the pattern matches somewhere in `text`. A limit hit counts as no match.
  bool matches(std::string_view text) const;
  // Non-overlapping matches, at most `max` (0: no limit), as Perl's `while (m//g)` counts them.
  int count(std::string_view text, int max) const;
  // The first matched text, if any.
  std::optional<std::string> firstMatch(std::string_view text) const;
  bool jitted() const { return jitted_; }

 private:
  PcrePattern() = default;
  // Offset and length of a match at or after `start`; nullopt when none.
  std::optional<std::pair<size_t, size_t>> find(std::string_view text, size_t start) const;
  void* code_ = nullptr;      // pcre2_code_8*
  void* mcontext_ = nullptr;  // pcre2_match_context_8*
  bool jitted_ = false;
};

}  // namespace portcullis::content
