// Whether a label is a top-level domain in use (from the public suffix list), so that URI and
// e-mail extraction can accept "example.com" in plain text but not "file.txt".
#pragma once

#include <string_view>

namespace portcullis::mime {

// `lowercase_label` is the last label of a domain, already lowercased, without a dot.
bool isKnownTld(std::string_view lowercase_label);

}  // namespace portcullis::mime
