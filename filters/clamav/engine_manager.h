// Owns the current ClamAV engine and replaces it. The engine is loaded once at start-up and
// shared by every scan; reload() (e.g. on SIGHUP) and a periodic check of the signature
// directories' fingerprint load a new engine off the I/O threads and swap it in atomically.
// In-flight scans keep the engine they started with (they hold a shared_ptr); a failed load keeps
// the old engine, is logged, counted and returned with its reason. Every load, successful or not,
// is also reported to the `on_load` callback (for the gateway's metrics).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "filters/clamav/engine.h"
#include "filters/clamav/signature_fingerprint.h"
#include "gateway/core/filter_events.h"

namespace portcullis::clamav {

struct ReloadResult {
  bool ok = false;
  unsigned signatures = 0;  // of the new engine when ok
  std::string error;        // why the load failed (the old engine stays)
};

// What the metrics exporter shows.
struct EngineStats {
  bool available = false;   // an engine is loaded (scans can run)
  unsigned signatures = 0;  // signatures in the current engine
  std::optional<std::chrono::system_clock::time_point> last_reload;  // last successful load
  uint64_t successful_reloads = 0;                                   // including the start-up load
  uint64_t failed_reloads = 0;  // including a failed start-up load
  std::string last_error;       // reason of the last failed load, empty if none yet
};

class EngineManager {
 public:
  // Loads the first engine in the calling thread (a failure is logged and leaves the scanner
  // unavailable until a later load succeeds) and starts the background reload thread, which
  // compares the directories' fingerprint every `check_period` (zero: only on requestReload()).
  // `on_load` (may be empty) is called after each load, from the thread that loaded.
  EngineManager(EngineOptions options, std::chrono::milliseconds check_period,
                std::function<void(const LoadEvent&)> on_load = {});
  ~EngineManager();
  EngineManager(const EngineManager&) = delete;
  EngineManager& operator=(const EngineManager&) = delete;

  // The engine for a new scan; null while none could be loaded.
  std::shared_ptr<const Engine> current() const;

  // Loads a new engine in the calling thread and swaps it in; blocks for the load (seconds with
  // the official databases): call it from a thread that may block, or use requestReload().
  ReloadResult reload();
  // Asks the background thread to reload now; returns at once (safe from an I/O thread).
  void requestReload();
  // Reloads now if the signature directories changed since the last load attempt.
  // Returns nullopt when nothing changed.
  std::optional<ReloadResult> reloadIfChanged();

  EngineStats stats() const;

 private:
  void backgroundLoop(std::stop_token stop);

  const EngineOptions options_;
  const std::chrono::milliseconds check_period_;
  const std::function<void(const LoadEvent&)> on_load_;
  mutable std::mutex current_mutex_;  // guards only the pointer copy/swap, never a load or scan
  std::shared_ptr<const Engine> current_;

  std::mutex load_mutex_;  // one load at a time
  SignatureFingerprint last_attempt_;

  mutable std::mutex stats_mutex_;
  EngineStats stats_;

  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  bool reload_requested_ = false;
  std::jthread background_;  // last member: starts after, and stops before, everything above
};

}  // namespace portcullis::clamav
