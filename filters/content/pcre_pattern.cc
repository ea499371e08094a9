#define PCRE2_CODE_UNIT_WIDTH 8
#include "filters/content/pcre_pattern.h"

#include <pcre2.h>

#include <string>

#include "filters/content/pattern_rewrite.h"

namespace portcullis::content {
namespace {

// One match-data block per thread, big enough for the overall match (captures are not needed).
pcre2_match_data* threadMatchData() {
  thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
  return data.get();
}

// `(?:BODY){n}`, with the largest such BODY, written as `(?:(?<_repK>BODY)(?&_repK){n-1})`: the
// same matches (subroutine calls backtrack as Perl's do since PCRE2 10.30), but BODY is compiled
// once instead of n times.
std::optional<std::string> repeatsAsSubroutineCalls(std::string_view pattern, int serial) {
  const auto group = largestRepeatedGroup(pattern);
  if (!group) return std::nullopt;
  const std::string name = "_rep" + std::to_string(serial);
  return std::string(pattern.substr(0, group->open)) + "(?:(?<" + name + ">" +
         std::string(group->body(pattern)) + ")(?&" + name + "){" +
         std::to_string(group->count - 1) + "})" + std::string(pattern.substr(group->end));
}

pcre2_code* compileOrShrink(std::string pattern, uint32_t options, int& code, PCRE2_SIZE& offset) {
  constexpr int kMaxRewrites = 8;
  for (int round = 0;; ++round) {
    pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()),
                                         pattern.size(), options, &code, &offset, nullptr);
    if (compiled || code != PCRE2_ERROR_PATTERN_TOO_LARGE || round == kMaxRewrites ||
        (options & PCRE2_EXTENDED))
      return compiled;
    auto smaller = repeatsAsSubroutineCalls(pattern, round);
    if (!smaller) return nullptr;
    pattern = std::move(*smaller);
  }
}

}  // namespace

Result<std::unique_ptr<PcrePattern>> PcrePattern::compile(const RuleRegex& regex,
                                                          bool force_multiline, bool jit,
                                                          const PcreLimits& limits) {
  uint32_t options = 0;
  if (regex.caseless) options |= PCRE2_CASELESS;
  if (regex.multiline || force_multiline) options |= PCRE2_MULTILINE;
  if (regex.dotall) options |= PCRE2_DOTALL;
  if (regex.extended) options |= PCRE2_EXTENDED;
  int code = 0;
  PCRE2_SIZE offset = 0;
  // A pattern too large for PCRE2's compiled form (SpamAssassin's __FILL_THIS_FORM_LONG*) has its
  // repeated groups compiled once each.
  pcre2_code* compiled = compileOrShrink(regex.pattern, options, code, offset);
  if (!compiled) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(code, message, sizeof message);
    return Result<std::unique_ptr<PcrePattern>>::failure(
        std::string(reinterpret_cast<const char*>(message)) + " at offset " +
        std::to_string(offset));
  }
  std::unique_ptr<PcrePattern> pattern(new PcrePattern());
  pattern->code_ = compiled;
  if (jit) pattern->jitted_ = pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE) == 0;
  auto* context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(context, limits.match_limit);
  pcre2_set_depth_limit(context, limits.depth_limit);
  pattern->mcontext_ = context;
  return Result<std::unique_ptr<PcrePattern>>::success(std::move(pattern));
}

PcrePattern::~PcrePattern() {
  pcre2_code_free(static_cast<pcre2_code*>(code_));
  pcre2_match_context_free(static_cast<pcre2_match_context*>(mcontext_));
}

std::optional<std::pair<size_t, size_t>> PcrePattern::find(std::string_view text,
                                                           size_t start) const {
  pcre2_match_data* data = threadMatchData();
  const int rc =
      pcre2_match(static_cast<const pcre2_code*>(code_), reinterpret_cast<PCRE2_SPTR>(text.data()),
                  text.size(), start, 0, data, static_cast<pcre2_match_context*>(mcontext_));
  if (rc < 0) return std::nullopt;  // no match, or a limit was hit
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
  if (ovector[0] > ovector[1]) return std::nullopt;  // \K tricks
  return std::make_pair(static_cast<size_t>(ovector[0]),
                        static_cast<size_t>(ovector[1] - ovector[0]));
}

bool PcrePattern::matches(std::string_view text) const {
  return find(text, 0).has_value();
}

int PcrePattern::count(std::string_view text, int max) const {
  int hits = 0;
  size_t start = 0;
  while (start <= text.size()) {
    auto found = find(text, start);
    if (!found) break;
    ++hits;
    if (max > 0 && hits >= max) break;
    const size_t end = found->first + found->second;
    start = found->second == 0 ? end + 1 : end;
  }
  return hits;
}

std::optional<std::string> PcrePattern::firstMatch(std::string_view text) const {
  auto found = find(text, 0);
  if (!found) return std::nullopt;
  return std::string(text.substr(found->first, found->second));
}

}  // namespace portcullis::content
