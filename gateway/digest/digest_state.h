// What the digest remembers between runs, in the quarantine directory:
//   digest.state  the end of the arrival window the last run covered ("until"): the next run lists
//                 only messages that arrived at or after it. Written like the spool's state files
//                 (a checksummed record in a temporary file, fsync, rename over, fsync of the
//                 directory), so a crash leaves the old or the new value, never a mix.
//   digest.lock   flock()ed during a run, so the gateway's daily run and `portcullis quarantine
//                 digest --now` never run at once.
#pragma once

#include <filesystem>
#include <optional>

#include "gateway/base/result.h"
#include "gateway/spool/queue_entry.h"

namespace portcullis::digest {

inline constexpr const char* kStateFileName = "digest.state";
inline constexpr const char* kLockFileName = "digest.lock";

// nullopt when no digest ran yet; an error when the file exists but is damaged.
Result<std::optional<spool::TimePoint>> readLastUntil(const std::filesystem::path& dir);
Status writeLastUntil(const std::filesystem::path& dir, spool::TimePoint until);

// The run lock; released when destroyed.
class DigestLock {
 public:
  // Fails at once (never waits) when another process holds it.
  static Result<DigestLock> acquire(const std::filesystem::path& dir);
  DigestLock(DigestLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DigestLock& operator=(DigestLock&&) = delete;
  DigestLock(const DigestLock&) = delete;
  ~DigestLock();

 private:
  explicit DigestLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace portcullis::digest
