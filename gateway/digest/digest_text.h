// The text rules of a digest message: values from quarantined mail (subjects, senders) made safe
// to list — control characters, bidirectional overrides and invalid UTF-8 replaced, long values
// cut — and the encodings of the message itself (RFC 2047 for a non-ASCII Subject, quoted-
// printable for a body that is not plain short-lined ASCII). Nothing here can produce a CR or LF
// inside a header field value.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::digest {

// `text` as one line of at most `max_chars` characters (code points): every control character
// (C0, DEL, C1, CR, LF, TAB), bidirectional control (U+202A-U+202E, U+2066-U+2069) and invalid
// UTF-8 sequence becomes U+FFFD; a longer value is cut and ends in "…".
std::string listedText(std::string_view text, size_t max_chars);

// A header field value as ASCII: itself when it is printable ASCII, else RFC 2047 encoded words
// (UTF-8, base64) folded onto continuation lines. `text` must already be one line (listedText).
std::string headerText(std::string_view text);

// True when the body (CRLF line ends) can go as 7bit: ASCII without controls other than CR LF,
// every line at most 998 octets (RFC 5322's limit; a long link stays one readable line).
bool isPlain7bit(std::string_view body);
// Quoted-printable (RFC 2045 §6.7) of a CRLF body: lines of at most 76 octets.
std::string quotedPrintable(std::string_view body);

}  // namespace portcullis::digest
