// Parser for the tag=value lists of DKIM-Signature fields and DKIM key records (RFC 6376 §3.2).
// Pure: values are views into the input with surrounding folding whitespace trimmed, and each
// tag records where its value lies in the input (the verifier blanks the b= value by offset).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace portcullis::dkim {

struct Tag {
  std::string_view name;
  std::string_view value;  // FWS around the value trimmed
  size_t value_begin = 0;  // offset of the first byte after '=' in the input
  size_t value_end = 0;    // offset of the ';' (or end of input) that ends the value
};

// nullopt when the list is malformed: a tag without '=', an invalid tag name, a duplicate tag.
std::optional<std::vector<Tag>> parseTagList(std::string_view text);

// The tag with this (case-sensitive) name, or nullptr.
const Tag* findTag(const std::vector<Tag>& tags, std::string_view name);

// Removes every whitespace character (FWS inside base64 and h= values).
std::string removeWhitespace(std::string_view text);

}  // namespace portcullis::dkim
