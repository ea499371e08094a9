// Makes DNS failures visible in the log without flooding it. The resolver counts every query that
// timed out and every one that met a server failure (SERVFAIL, REFUSED, ...); the first failure
// after a quiet spell opens a window, and when the resolver closes it (one failure_log_interval
// later) one warning per kind says how many there were, e.g.
//   dns: 12 queries timed out in the last 10s (server 127.0.0.1:5353)
// So an outage shows in the log within one interval, at most one line per kind per interval.
// Not thread-safe: the resolver uses it on its strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/dns/resolver.h"

namespace portcullis::dns {

class FailureLog {
 public:
  using Clock = std::chrono::steady_clock;

  // `servers`: the servers asked, as the lines name them ("127.0.0.1:5353").
  explicit FailureLog(std::string servers = {});

  // Counts a query that ended with `status` (only Timeout and ServFail count). True when this
  // failure opened a window: the caller must close() it.
  bool record(Status status, Clock::time_point now);
  // Ends the open window: one line per kind of failure counted in it, none when nothing failed.
  std::vector<std::string> close(Clock::time_point now);

 private:
  std::string servers_;
  bool open_ = false;
  Clock::time_point opened_{};
  uint64_t timeouts_ = 0;
  uint64_t server_failures_ = 0;
};

}  // namespace portcullis::dns
