#include "gateway/web/login_limiter.h"

#include <algorithm>

namespace portcullis::web {

void LoginLimiter::prune(std::deque<spool::TimePoint>& failures, spool::TimePoint now) const {
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
}

bool LoginLimiter::allowed(const std::string& client, spool::TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(client);
  if (it == failures_.end()) return true;
  prune(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return true;
  }
  return it->second.size() < max_failures_;
}

void LoginLimiter::failed(const std::string& client, spool::TimePoint now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= kMaxTrackedAddresses && !failures_.contains(client)) {
    // Forget the address whose last failure is oldest.
    auto oldest = std::min_element(failures_.begin(), failures_.end(), [](auto& a, auto& b) {
      return a.second.back() < b.second.back();
    });
    failures_.erase(oldest);
  }
  auto& failures = failures_[client];
  prune(failures, now);
  failures.push_back(now);
  while (failures.size() > max_failures_) failures.pop_front();
}

void LoginLimiter::succeeded(const std::string& client) {
  std::lock_guard lock(mutex_);
  failures_.erase(client);
}

void LoginLimiter::setLimits(uint32_t max_failures, std::chrono::milliseconds window) {
  std::lock_guard lock(mutex_);
  max_failures_ = max_failures;
  window_ = window;
}

}  // namespace portcullis::web
