// Login rate limiting per client address: at most `max_failures` failed attempts (wrong password,
// bad link signature) within `window`; then that address is refused until its oldest failure in
// the window has aged out. A success clears the address's record. Thread safe; memory is bounded
// (the oldest addresses are forgotten first).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "gateway/spool/queue_entry.h"

namespace portcullis::web {

class LoginLimiter {
 public:
  static constexpr size_t kMaxTrackedAddresses = 10'000;

  LoginLimiter(uint32_t max_failures, std::chrono::milliseconds window)
      : max_failures_(max_failures), window_(window) {}

  bool allowed(const std::string& client, spool::TimePoint now = spool::Clock::now());
  void failed(const std::string& client, spool::TimePoint now = spool::Clock::now());
  void succeeded(const std::string& client);
  // New limits (a reloaded [web]); the failures recorded so far count against them.
  void setLimits(uint32_t max_failures, std::chrono::milliseconds window);

 private:
  void prune(std::deque<spool::TimePoint>& failures, spool::TimePoint now) const;

  uint32_t max_failures_;
  std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<spool::TimePoint>> failures_;
};

}  // namespace portcullis::web
