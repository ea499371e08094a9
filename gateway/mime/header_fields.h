// RFC 5322 header sections: splitting into fields (folding kept in the raw value), unfolding, and
// parameterised values such as Content-Type and Content-Disposition with RFC 2231 parameters
// (continuations, charset'language'percent-encoding) and, leniently, RFC 2047 words in quoted
// parameter values as many mailers write them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::mime {

struct RawField {
  std::string_view name;   // without surrounding whitespace
  std::string_view value;  // after the colon up to the end of its last continuation line
};

struct RawHeaderSection {
  std::vector<RawField> fields;
  size_t header_end = 0;   // offset of the end of the header section (before the blank line)
  size_t body_offset = 0;  // offset where the body starts (after the blank line)
  bool malformed = false;  // a line that is neither a field nor a continuation, or a NUL
  bool truncated = false;  // more than max_fields fields: the rest were skipped
};

// Splits the header section at the start of `entity`. The section ends at the first empty line,
// or at the first line that is neither a field nor a continuation (that line starts the body).
RawHeaderSection splitHeaderSection(std::string_view entity, size_t max_fields);

// The value with line breaks removed (RFC 5322 unfolding) and surrounding whitespace trimmed.
std::string unfoldHeaderValue(std::string_view raw);

struct ParameterizedValue {
  std::string value;  // the part before the first ';', lowercased, comments removed
  std::vector<std::pair<std::string, std::string>> params;  // names lowercased, values UTF-8

  // The parameter's value, or nullptr.
  const std::string* param(std::string_view name) const;
};

// Parses `type/subtype; a=b; c="d"` style values (already unfolded).
ParameterizedValue parseParameterizedValue(std::string_view unfolded);

}  // namespace portcullis::mime
