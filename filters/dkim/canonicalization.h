// DKIM canonicalisation (RFC 6376 §3.4): the "simple" and "relaxed" forms of a header field and
// of the body. Pure functions over CRLF text.
#pragma once

#include <string>
#include <string_view>

#include "filters/dkim/signature.h"

namespace portcullis::dkim {

// A header field in canonical form, with a final CRLF. `raw` is the whole field as on the wire
// (name, colon, value with folding, final CRLF when present).
std::string canonicalizeHeader(std::string_view raw, Canonicalization canon);

// The canonical body (simple: trailing empty lines removed, at least one CRLF; relaxed: also
// whitespace runs reduced and trailing whitespace removed, an empty body stays empty).
std::string canonicalizeBody(std::string_view body, Canonicalization canon);

}  // namespace portcullis::dkim
