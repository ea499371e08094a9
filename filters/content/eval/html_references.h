// Character references in HTML as HTML::Entities decodes them for Mail::SpamAssassin::HTML: its
// HTML 4 table of 253 names (the Latin-1 names also without ';'), numeric references with or
// without ';', and, in text but not in attribute values, the longest known prefix of an unknown
// name ("&ampx" is "&x"). The result is UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::content::html {

// `text` with its references decoded; `expand_prefix` for text, false for attribute values.
std::string decodeReferences(std::string_view text, bool expand_prefix);

}  // namespace portcullis::content::html
