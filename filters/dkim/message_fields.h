// Splits a raw message (CRLF line ends) into its header fields, byte for byte as on the wire,
// and its body: what DKIM canonicalisation and the author-domain lookup work on. Pure; lines
// without a colon in the header section are skipped, a missing blank line means an empty body.
#pragma once

#include <string_view>
#include <vector>

namespace portcullis::dkim {

struct RawField {
  std::string_view name;   // before the colon, trailing whitespace removed
  std::string_view value;  // after the colon up to (not including) the final CRLF, folding kept
  std::string_view raw;    // the whole field including the final CRLF
};

struct RawMessage {
  std::vector<RawField> fields;  // in message order (top first)
  std::string_view body;         // everything after the blank line
};

RawMessage splitMessage(std::string_view message);

}  // namespace portcullis::dkim
