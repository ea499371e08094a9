// Builds zip archives byte by byte for tests: stored entries with correct CRCs, optionally with
// the encryption flag, a ZIP64 end record, or data prepended (like a self-extractor).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace portcullis::testing {

struct ZipOptions {
  uint16_t flags = 0;  // general purpose flags of every entry (bit 0: encrypted)
  bool zip64 = false;  // write a ZIP64 end record and locator, with 0xffff markers in the EOCD
  std::string prefix;  // bytes before the archive (offsets are not adjusted, as in SFX stubs)
};

std::string buildZip(const std::vector<std::pair<std::string, std::string>>& entries,
                     const ZipOptions& options = {});

}  // namespace portcullis::testing
