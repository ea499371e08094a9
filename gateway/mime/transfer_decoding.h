// Content-Transfer-Encoding decoders (RFC 2045): base64 tolerant of line breaks and garbage as
// mail readers are, quoted-printable, and uuencode (whole bodies and "begin ... end" blocks found
// inside text). Each appends to `out` and never writes more than `max_out` bytes in total to it;
// each reports malformed input and truncation instead of failing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portcullis::mime {

struct DecodeStatus {
  bool malformed = false;  // input was not valid in this encoding (decoded as far as sensible)
  bool truncated = false;  // output stopped at max_out
};

// Characters outside the base64 alphabet are skipped (malformed unless whitespace); decoding ends
// at the first '=' as MIME::Base64 does.
DecodeStatus decodeBase64(std::string_view in, std::string& out, size_t max_out);

// Soft line breaks joined, =XX decoded (either case), trailing blanks of a line removed; a '='
// not followed by two hex digits is kept literally and counts as malformed. Line ends are kept as
// written. In header mode (RFC 2047 "Q"), '_' means a space.
DecodeStatus decodeQuotedPrintable(std::string_view in, std::string& out, size_t max_out,
                                   bool header_mode = false);

// Decodes uuencoded lines; a "begin" line, if present, is skipped, decoding stops at "end".
DecodeStatus decodeUuencode(std::string_view in, std::string& out, size_t max_out);

// A "begin MODE NAME" ... "end" block inside a text body.
struct UuencodedBlock {
  std::string_view filename;
  std::string_view lines;  // the encoded lines between the begin and end lines
};

// Finds uuencoded blocks; a "begin" without the following encoded lines is not a block.
std::vector<UuencodedBlock> findUuencodedBlocks(std::string_view text);

}  // namespace portcullis::mime
