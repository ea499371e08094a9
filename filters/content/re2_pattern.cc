#include "filters/content/re2_pattern.h"

#include <re2/re2.h>

#include "filters/content/pattern_rewrite.h"

namespace portcullis::content {
namespace {

constexpr int64_t kMemoryBudget = 16 << 20;  // compiled program and automaton cache, per pattern

std::unique_ptr<re2::RE2> compileMultiline(const std::string& pattern, const RuleRegex& regex) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_case_sensitive(!regex.caseless);
  options.set_dot_nl(regex.dotall);
  options.set_max_mem(kMemoryBudget);
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>("(?m)" + pattern, options);
  if (!re->ok()) return nullptr;
  return re;
}

}  // namespace

std::unique_ptr<Re2Pattern> Re2Pattern::compile(const RuleRegex& regex) {
  if (regex.pattern.size() < kMinimumLength || regex.extended) return nullptr;
  const auto pattern = inRe2Dialect(regex.pattern);
  if (!pattern) return nullptr;
  if (auto re = compileMultiline(*pattern, regex))
    return std::unique_ptr<Re2Pattern>(new Re2Pattern(std::move(re), true));
  const auto loosened = inRe2DialectLoosened(regex.pattern);
  if (!loosened || *loosened == *pattern) return nullptr;
  if (auto re = compileMultiline(*loosened, regex))
    return std::unique_ptr<Re2Pattern>(new Re2Pattern(std::move(re), false));
  return nullptr;
}

Re2Pattern::Re2Pattern(std::unique_ptr<re2::RE2> re, bool exact)
    : re_(std::move(re)), exact_(exact) {}
Re2Pattern::~Re2Pattern() = default;

bool Re2Pattern::matches(std::string_view text) const {
  return RE2::PartialMatch(text, *re_);
}

bool Re2Pattern::agreeOn(std::string_view text) {
  return text.find('\v') == std::string_view::npos;
}

}  // namespace portcullis::content
