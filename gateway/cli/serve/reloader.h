// Where SIGHUP's work runs: a thread of its own, off the I/O threads, since rebuilding the checks
// may compile rules. One reload at a time: a request while one runs is logged and dropped. The
// destructor waits for a running reload.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace portcullis::cli {

class Reloader {
 public:
  Reloader() = default;
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;
  ~Reloader();

  // Starts `work` unless a reload is still running.
  void request(std::function<void()> work);

 private:
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace portcullis::cli
