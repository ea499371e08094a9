// The classifier's token hash: a fixed 64-bit hash of a token's bytes (multiply-xorshift over
// little-endian 8-byte words, with a final avalanche), identical on every build, compiler and
// version, because the store keeps these hashes and never the texts. Not for adversarial keys
// inside a table an attacker can fill at will (the store's table is keyed by these hashes, but a
// collision only merges two tokens' counts).
#pragma once

#include <cstdint>
#include <string_view>

namespace portcullis::classifier {

std::uint64_t hashBytes(std::string_view bytes);

// The hash of an ordered pair of hashes with their distance (the sparse bigrams).
std::uint64_t hashPair(std::uint64_t first, std::uint64_t second, std::uint64_t distance);

}  // namespace portcullis::classifier
