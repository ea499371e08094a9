// JSON string quoting for the gateway's logs and reports. The ASCII text helpers this header
// used to declare live in the base library (gateway/base/text.h), included here for the files
// that still reach them through this header.
#pragma once

#include <string>
#include <string_view>

#include "gateway/base/text.h"

namespace portcullis {

// `s` as a JSON string literal, quotes included, written by Boost.JSON: '"', '\\' and control
// characters escaped, other bytes (UTF-8) passed through unchanged.
std::string jsonQuoted(std::string_view s);

}  // namespace portcullis
