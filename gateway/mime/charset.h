// Conversion of text in a declared charset to UTF-8 (glibc iconv, with fast paths for UTF-8,
// ASCII and Latin-1/Windows-1252). Text declared as UTF-8 or ASCII (or undeclared) that is not
// valid UTF-8 has each stray byte read as Windows-1252, as mail readers do; invalid sequences in
// other charsets become U+FFFD. Never throws; thread-safe (converters are cached per thread).
#pragma once

#include <string>
#include <string_view>

namespace portcullis::mime {

// Appends `bytes` converted from `charset` (any case; empty means undeclared) to `out`.
// Returns false when the charset is unknown: the bytes are then appended unchanged.
bool appendAsUtf8(std::string_view bytes, std::string_view charset, std::string& out);

// True when `s` is well-formed UTF-8.
bool isValidUtf8(std::string_view s);

}  // namespace portcullis::mime
