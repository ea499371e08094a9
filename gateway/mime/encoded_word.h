// RFC 2047 encoded words ("=?charset?B|Q?text?=") in header values, decoded to UTF-8. Whitespace
// between adjacent encoded words is dropped (RFC 2047 section 6.2) and adjacent words in the same
// charset are joined before conversion, so a multi-byte character split across words survives.
// Words are recognised wherever they stand (also inside quoted strings and words), as mail
// readers and SpamAssassin do. Bytes outside encoded words are kept if UTF-8, else read as
// Windows-1252.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::mime {

struct HeaderTextFlags {
  bool bad_encoded_word = false;  // a word whose payload did not decode cleanly
  bool unknown_charset = false;   // a word in a charset iconv does not know (bytes kept)
  bool eight_bit = false;         // raw 8-bit bytes outside encoded words
};

// Appends the decoded form of the unfolded header text `value` to `out`.
void appendDecodedHeaderText(std::string_view value, std::string& out, HeaderTextFlags& flags);

// Whether `value` is ASCII without "=?": its decoded form is then `value` itself, with no flag.
bool isPlainHeaderText(std::string_view value);

}  // namespace portcullis::mime
