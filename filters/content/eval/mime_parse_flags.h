// The flags SpamAssassin's message parser (Mail::SpamAssassin::Message) sets while it reads a
// message, which check_msg_parse_flags and check_for_mime('mime_missing_boundary') test: a header
// section without its blank line, an over-long header field, a multipart whose parts lack their
// header or the blank line after it, text after the closing boundary, a boundary opened and never
// closed. Found by re-reading the raw header section and each multipart body line by line as
// that parser does (bounded: one pass over each). Computed once per message.
#pragma once

#include <string_view>

#include "filters/content/eval/eval_input.h"

namespace portcullis::content {

struct MimeParseFlags {
  // A field name over 256 bytes, a value over 8 KiB, or more than 64 KiB of header fields.
  bool truncated_header = false;
  bool missing_head_body_separator = false;  // the header section did not end with a blank line
  bool missing_mime_headers = false;         // a boundary not followed by a header field
  bool missing_mime_head_body_separator = false;  // a part's header without the blank line
  bool mime_epilogue_exists = false;     // text other than blanks and dots after a closing boundary
  bool mimepart_limit_exceeded = false;  // parsing stopped at the part limit
  bool missing_boundary = false;         // a multipart's opening boundary without its closing one
};

// The flags of the message of `input` (all false without a parsed message).
const MimeParseFlags& mimeParseFlags(const EvalInput& input);

// The flag named as SpamAssassin names it, or nullptr for an unknown name.
const bool* mimeParseFlag(const MimeParseFlags& flags, std::string_view name);

}  // namespace portcullis::content
