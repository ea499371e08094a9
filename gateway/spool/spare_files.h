// Queue files kept for reuse (spare/ under the spool root). Creating and deleting an inode per
// message makes ext4 scan past every recently deleted inode when it allocates the next one
// (find_inode_bit / recently_deleted: a quarter of the spool's CPU at two thousand messages a
// second), so with group commit a removed entry's file is renamed into spare/ and a new message
// is written over one from there. What spare/ holds is garbage: never read, safe to delete.
// Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace portcullis::spool {

class SpareFiles {
 public:
  // Takes over what `directory` (which must exist) already holds; keeps at most `capacity`.
  SpareFiles(std::filesystem::path directory, size_t capacity);

  // Renames a spare file to `to`; false when there is none (the caller creates a new file).
  bool take(const std::string& to);
  // Discards the bytes of `from` and renames it into spare/, or unlinks it when spare/ is full.
  // Returns 0, or the errno of the failed rename or unlink (ENOENT: `from` does not exist).
  int give(const std::string& from);
  size_t size() const;

 private:
  const std::filesystem::path directory_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<std::string> names_;
  uint64_t next_name_ = 0;
};

}  // namespace portcullis::spool
