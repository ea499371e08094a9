#include "filters/clamav/signature_fingerprint.h"

#include <algorithm>
#include <chrono>
#include <system_error>

namespace portcullis::clamav {

SignatureFingerprint fingerprintOf(const std::vector<std::filesystem::path>& dirs) {
  namespace fs = std::filesystem;
  SignatureFingerprint fp;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    fp.existing_dirs.push_back(dir.string());
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code entry_ec;
      if (!it->is_regular_file(entry_ec)) continue;
      SignatureFileStamp stamp;
      stamp.path = it->path().string();
      stamp.size = it->file_size(entry_ec);
      if (entry_ec) continue;
      auto mtime = it->last_write_time(entry_ec);
      if (entry_ec) continue;
      stamp.mtime_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
      fp.files.push_back(std::move(stamp));
    }
  }
  std::sort(fp.files.begin(), fp.files.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return fp;
}

}  // namespace portcullis::clamav
