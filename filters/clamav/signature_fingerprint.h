// A cheap fingerprint of the signature directories (every regular file's name, size and
// modification time, and which directories exist) used to notice that freshclam or an
// administrator changed the signatures, without loading them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace portcullis::clamav {

struct SignatureFileStamp {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const SignatureFileStamp&) const = default;
};

struct SignatureFingerprint {
  std::vector<std::string> existing_dirs;
  std::vector<SignatureFileStamp> files;  // sorted by path
  bool operator==(const SignatureFingerprint&) const = default;
};

// Never throws: unreadable entries are left out (and so count as a change when they come back).
SignatureFingerprint fingerprintOf(const std::vector<std::filesystem::path>& dirs);

}  // namespace portcullis::clamav
