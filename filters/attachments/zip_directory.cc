#include "filters/attachments/zip_directory.h"

#include <optional>

namespace portcullis::attachments {
namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr size_t kEndOfDirectorySize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kMaxCommentSize = 0xffff;

// Little-endian reads that fail instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool has(uint64_t at, uint64_t n) const { return at <= data_.size() && n <= data_.size() - at; }
  uint64_t le(uint64_t at, int bytes) const {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(data_[at + i]);
    return v;
  }
  std::string_view bytes(uint64_t at, uint64_t n) const { return data_.substr(at, n); }
  size_t size() const { return data_.size(); }

 private:
  std::string_view data_;
};

struct DirectoryLocation {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t entries = 0;
  uint64_t end_record = 0;  // where the (ZIP64) end record starts: the directory ends there
};

std::optional<uint64_t> findEndOfDirectory(const Reader& r) {
  if (r.size() < kEndOfDirectorySize) return std::nullopt;
  uint64_t last = r.size() - kEndOfDirectorySize;
  uint64_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
  for (uint64_t at = last + 1; at-- > first;) {
    if (r.le(at, 4) == kEndOfDirectory) return at;
  }
  return std::nullopt;
}

std::optional<DirectoryLocation> locateDirectory(const Reader& r) {
  std::optional<uint64_t> eocd = findEndOfDirectory(r);
  if (!eocd) return std::nullopt;
  DirectoryLocation loc;
  loc.entries = r.le(*eocd + 10, 2);
  loc.size = r.le(*eocd + 12, 4);
  loc.offset = r.le(*eocd + 16, 4);
  loc.end_record = *eocd;
  bool zip64 = loc.entries == 0xffff || loc.size == 0xffffffff || loc.offset == 0xffffffff;
  if (zip64 && *eocd >= 20 && r.le(*eocd - 20, 4) == kZip64Locator) {
    uint64_t record = r.le(*eocd - 20 + 8, 8);
    if (!r.has(record, 56) || r.le(record, 4) != kZip64EndOfDirectory) return std::nullopt;
    loc.entries = r.le(record + 32, 8);
    loc.size = r.le(record + 40, 8);
    loc.offset = r.le(record + 48, 8);
    loc.end_record = record;
  }
  if (loc.size > loc.end_record) return std::nullopt;
  // Data prepended to the archive (a self-extractor stub) shifts every offset: trust the
  // directory's position just before the end record over the stored offset.
  uint64_t expected = loc.end_record - loc.size;
  if (!r.has(loc.offset, 4) || r.le(loc.offset, 4) != kCentralHeader) loc.offset = expected;
  return loc;
}

}  // namespace

ZipDirectory readZipDirectory(std::string_view archive, size_t max_entries) {
  Reader r(archive);
  ZipDirectory dir;
  std::optional<DirectoryLocation> loc = locateDirectory(r);
  if (!loc) return dir;
  uint64_t at = loc->offset;
  uint64_t end = loc->offset + loc->size;
  for (uint64_t i = 0; i < loc->entries; ++i) {
    if (dir.entries.size() == max_entries) {
      dir.truncated = true;
      break;
    }
    if (!r.has(at, kCentralHeaderSize) || at + kCentralHeaderSize > end ||
        r.le(at, 4) != kCentralHeader) {
      return dir;
    }
    uint64_t name_length = r.le(at + 28, 2);
    uint64_t extra_length = r.le(at + 30, 2);
    uint64_t comment_length = r.le(at + 32, 2);
    uint64_t record = kCentralHeaderSize + name_length + extra_length + comment_length;
    if (!r.has(at, record) || at + record > end) return dir;
    ZipEntry entry;
    entry.encrypted = (r.le(at + 8, 2) & 1) != 0;
    entry.uncompressed_size = r.le(at + 24, 4);
    entry.name = std::string(r.bytes(at + kCentralHeaderSize, name_length));
    dir.entries.push_back(std::move(entry));
    at += record;
  }
  dir.readable = true;
  return dir;
}

}  // namespace portcullis::attachments
