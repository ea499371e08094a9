#include "gateway/dns/failure_log.h"

#include <fmt/format.h>

#include <algorithm>

namespace portcullis::dns {

namespace {

std::string queries(uint64_t n) {
  return fmt::format("{} {}", n, n == 1 ? "query" : "queries");
}

}  // namespace

FailureLog::FailureLog(std::string servers) : servers_(std::move(servers)) {}

bool FailureLog::record(Status status, Clock::time_point now) {
  if (status == Status::Timeout) {
    ++timeouts_;
  } else if (status == Status::ServFail) {
    ++server_failures_;
  } else {
    return false;
  }
  if (open_) return false;
  open_ = true;
  opened_ = now;
  return true;
}

std::vector<std::string> FailureLog::close(Clock::time_point now) {
  std::vector<std::string> lines;
  if (!open_) return lines;
  // Whole seconds, at least one: a window closed early (at shutdown) still reads sensibly.
  auto seconds = std::chrono::round<std::chrono::seconds>(now - opened_).count();
  std::string window = fmt::format("in the last {}s ({} {})", std::max<int64_t>(seconds, 1),
                                   servers_.find(',') == std::string::npos ? "server" : "servers",
                                   servers_.empty() ? "unknown" : servers_);
  if (timeouts_) lines.push_back(fmt::format("dns: {} timed out {}", queries(timeouts_), window));
  if (server_failures_) {
    lines.push_back(fmt::format("dns: {} got a server failure (SERVFAIL or REFUSED) {}",
                                queries(server_failures_), window));
  }
  open_ = false;
  timeouts_ = server_failures_ = 0;
  return lines;
}

}  // namespace portcullis::dns
