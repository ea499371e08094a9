// UTF-8 encoding of code points. What a code point means in the source format (an HTML
// reference to U+0000, a charset's unmapped byte) is the caller's rule; this file only encodes.
#pragma once

#include <cstdint>
#include <string>

namespace portcullis {

// The replacement character, written where a value is not a Unicode scalar value.
inline constexpr uint32_t kReplacementCharacter = 0xFFFD;

// Appends `cp` to `out` as UTF-8 (one to four bytes). Every Unicode scalar value is written as
// it is, U+0000 included (as one NUL byte); a surrogate (U+D800..U+DFFF) or a value above
// U+10FFFF is written as U+FFFD, so `out` stays well-formed UTF-8.
void appendCodePoint(uint32_t cp, std::string& out);

}  // namespace portcullis
