// Reads the names in a zip archive's central directory (including ZIP64 archives and archives
// with data prepended, such as self-extractors) without decompressing anything. Pure and bounded:
// at most `max_entries` names are read, and every offset is checked against the buffer.
// Hand-written because libzip is not installed here; it needs only the directory, not extraction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::attachments {

struct ZipEntry {
  std::string name;  // as stored (CP437 or UTF-8); may contain directories
  bool encrypted = false;
  uint64_t uncompressed_size = 0;
};

struct ZipDirectory {
  bool readable = false;   // an end-of-central-directory record and a consistent directory
  bool truncated = false;  // more than max_entries entries: only the first ones are listed
  std::vector<ZipEntry> entries;
};

ZipDirectory readZipDirectory(std::string_view archive, size_t max_entries);

}  // namespace portcullis::attachments
