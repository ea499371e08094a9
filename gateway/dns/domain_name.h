// Small facts about DNS names that several lookups need: the trailing root dot and whether a
// name can be asked about at all (RFC 1035 lengths).
#pragma once

#include <cstddef>
#include <string_view>

namespace portcullis::dns {

constexpr size_t kMaxDomainLength = 253;

std::string_view withoutTrailingDot(std::string_view name);
// 1..63-octet labels, at most 253 octets (a trailing dot aside).
bool isQueryableName(std::string_view name);

}  // namespace portcullis::dns
