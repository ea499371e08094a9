// Reads a Perl regular-expression literal as SpamAssassin rules write them: `/pattern/flags`,
// `m{pattern}flags`, `m(...)`, `m[...]`, `m<...>` and `m!...!` with any punctuation delimiter.
// Flags i, m, s, x are kept; g and o are accepted and ignored; anything else is an error.
#pragma once

#include <string>
#include <string_view>

#include "filters/content/rule.h"
#include "gateway/base/result.h"

namespace portcullis::content {

// The literal, or why it cannot be read.
Result<RuleRegex> parseRegexLiteral(std::string_view text);

// The literal back in `/pattern/flags` form (for messages and reports).
std::string formatRegex(const RuleRegex& regex);

}  // namespace portcullis::content
