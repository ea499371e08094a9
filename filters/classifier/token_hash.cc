#include "filters/classifier/token_hash.h"

#include <cstring>

namespace portcullis::classifier {
namespace {

constexpr std::uint64_t kSeed = 0x243f6a8885a308d3ULL;  // digits of pi: a fixed, public seed
constexpr std::uint64_t kMulA = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kMulB = 0xbf58476d1ce4e5b9ULL;
constexpr std::uint64_t kMulC = 0x94d049bb133111ebULL;

std::uint64_t rotl(std::uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

// The final avalanche of SplitMix64: every input bit affects every output bit.
std::uint64_t avalanche(std::uint64_t x) {
  x = (x ^ (x >> 30)) * kMulB;
  x = (x ^ (x >> 27)) * kMulC;
  return x ^ (x >> 31);
}

// Little-endian on every host, so the hash is the same everywhere.
std::uint64_t loadLittleEndian(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

std::uint64_t hashBytes(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  std::uint64_t h = kSeed ^ (n * kMulA);
  while (n >= 8) {
    h = rotl(h ^ (loadLittleEndian(p, 8) * kMulB), 29) * kMulA;
    p += 8;
    n -= 8;
  }
  if (n > 0) h = rotl(h ^ (loadLittleEndian(p, n) * kMulC), 29) * kMulA;
  return avalanche(h);
}

std::uint64_t hashPair(std::uint64_t first, std::uint64_t second, std::uint64_t distance) {
  return avalanche((first * kMulA) ^ rotl(second, 31) ^ ((distance + 1) * kMulC));
}

}  // namespace portcullis::classifier
