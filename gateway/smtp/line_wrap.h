// Line length towards the next hop (RFC 5321 §4.5.3.1.6: at most 998 octets before CRLF). Pure
// text functions, used by the relay, the DSN writer and the end-of-DATA refusal.
//
// A line ends at CRLF, a bare LF or a bare CR (as the SMTP client's dot-stuffing treats them);
// its length never counts the line end. wrapLongLines() breaks a line the way Postfix's
// smtp_line_length_limit does: after `limit` octets it inserts CRLF and a space, and the line
// goes on; each continuation line holds the space and at most limit-1 further octets. Nothing is
// removed, so a header line becomes a valid folded field and base64 decodes unchanged. Lines
// that fit, and all line ends, are copied byte for byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace portcullis::smtp {

inline constexpr size_t kRfcLineLengthLimit = 998;

// The length in octets of the longest line.
size_t longestLine(std::string_view text);

// What relaying needs to know about a message's lines, from one pass over it.
struct LineShape {
  size_t longest_line = 0;  // as longestLine()
  // A line starts with '.' or does not end with CRLF (a bare CR or LF, or none at the end):
  // DATA must send the message dot-stuffed (client.h's needsDotStuffing() asks this).
  bool needs_dot_stuffing = false;
};
LineShape lineShape(std::string_view text);

// How many lines are longer than `limit` octets.
size_t countLongLines(std::string_view text, size_t limit);

// `text` with every line over `limit` octets broken as described above. `limit` must be at
// least 2; a text whose lines all fit comes back unchanged.
std::string wrapLongLines(std::string_view text, size_t limit);

}  // namespace portcullis::smtp
