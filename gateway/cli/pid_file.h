// The daemon's pid file: `serve` writes it when [server] pid_file is set (atomically, replacing a
// stale one) and removes it when it stops; `portcullis rules reload` reads it to send SIGHUP.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace portcullis::cli {

class PidFile {
 public:
  // Writes this process's pid to `path` (creating its directory); throws std::runtime_error
  // naming the file when it cannot.
  explicit PidFile(std::filesystem::path path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::filesystem::path path_;
};

// The pid of the running daemon named by `path`; throws std::runtime_error saying why there is
// none (no file, unreadable, or no such process).
pid_t runningDaemon(const std::filesystem::path& path);

}  // namespace portcullis::cli
