// The context new sessions start with, for every front end: read by each new session, replaced by
// a reload, from any thread without a lock. A session keeps the context it started with (the
// shared_ptr it took), so a replacement never changes a running session.
#pragma once

#include <atomic>
#include <memory>

namespace portcullis {

template <typename Context>
class ContextHolder {
 public:
  explicit ContextHolder(std::shared_ptr<const Context> first) : current_(std::move(first)) {}
  ContextHolder(const ContextHolder&) = delete;
  ContextHolder& operator=(const ContextHolder&) = delete;

  std::shared_ptr<const Context> current() const { return current_.load(); }
  void replace(std::shared_ptr<const Context> next) { current_.store(std::move(next)); }

 private:
  std::atomic<std::shared_ptr<const Context>> current_;
};

}  // namespace portcullis
