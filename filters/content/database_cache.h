// The on-disk cache of compiled Hyperscan databases. An entry is keyed by a SHA-256 over
// everything the database depends on (the patterns and flags in order, the Hyperscan version and
// the CPU features), so a changed rule, library or machine simply misses. An entry holds the
// engine chosen for each pattern and the serialized database. Writes are atomic (temp + rename);
// a damaged entry is ignored and rewritten.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::content {

std::string sha256Hex(std::string_view data);

struct CacheEntry {
  std::vector<uint8_t> modes;          // one per pattern of the group, in order
  std::vector<std::string> databases;  // hs_serialize_database output of each database
};

std::optional<CacheEntry> readCacheEntry(const std::filesystem::path& dir, const std::string& key);
// Best effort: a cache that cannot be written only costs the next start its compile time.
void writeCacheEntry(const std::filesystem::path& dir, const std::string& key,
                     const CacheEntry& entry);

}  // namespace portcullis::content
