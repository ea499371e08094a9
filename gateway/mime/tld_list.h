// Whether a label is a top-level domain in use, from the system's public suffix list (libpsl), so
// that URI and e-mail extraction can accept "example.com" in plain text but not "file.txt".
// Thread-safe; the list is loaded once, on first use, and follows the OS's publicsuffix package.
#pragma once

#include <string_view>

namespace portcullis::mime {

// `lowercase_label` is the last label of a domain, already lowercased, without a dot. True when
// the ICANN section of the list names it as a public suffix (by itself or under a wildcard).
bool isKnownTld(std::string_view lowercase_label);

}  // namespace portcullis::mime
