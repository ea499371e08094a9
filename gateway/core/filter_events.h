// What filters tell the gateway about their own work, so that it can be exported as metrics
// without the filters knowing about Prometheus: each load of a rule set or of a signature database
// (at start-up, on reload, by a background check) and each virus scan. Every callback may be empty
// (offline tools, unit tests). They are called from any thread (I/O and worker threads, a filter's
// own reload thread) and must be quick and thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace portcullis {

enum class LoadedData { Rules, Signatures };

struct LoadEvent {
  LoadedData what = LoadedData::Rules;
  bool ok = false;
  // After this load the filter can work: true when it succeeded, and when it failed but the
  // previously loaded set stays in use; false when the filter has nothing loaded.
  bool available = false;
  size_t items = 0;  // rules or signatures in the set now loaded (ok only)
  // Signatures (ok only): modification time of the newest database file; epoch when unknown.
  std::chrono::system_clock::time_point newest_data{};
  std::chrono::system_clock::time_point when = std::chrono::system_clock::now();
};

enum class VirusScanOutcome { Clean, Infected, Error };

struct FilterEvents {
  std::function<void(const LoadEvent&)> loaded;
  std::function<void(VirusScanOutcome, std::chrono::duration<double> took)> virus_scanned;
};

}  // namespace portcullis
