// The seven results of an SPF check (RFC 7208 section 2.6) and their RFC 8601 keywords.
#pragma once

#include <optional>
#include <string_view>

namespace portcullis::spf {

enum class SpfResult { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };

// "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror".
std::string_view toString(SpfResult result);
std::optional<SpfResult> parseSpfResult(std::string_view text);

}  // namespace portcullis::spf
