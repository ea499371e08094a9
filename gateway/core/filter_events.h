// What filters tell the gateway about their own work, so that it can be exported as metrics
// without the filters knowing about Prometheus: each load of a rule set or of a signature database
// (at start-up, on reload, by a background check) and each virus scan. Every callback may be empty
// (offline tools, unit tests). They are called from any thread (I/O and worker threads, a filter's
// own reload thread) and must be quick and thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

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
  // Rules (ok only): served by the confirming engines (PCRE2, RE2) until Hyperscan's databases,
  // compiling in the background after a cold start, take over with a later event.
  bool interim = false;
};

enum class VirusScanOutcome { Clean, Infected, Error };

// The classifier (filters/classifier): who taught it a message, and as what.
enum class LearnSource { Cli, Autolearn, Release, Report };
enum class LearnedClass { Spam, Ham };

struct ClassifierStoreSize {
  std::uint64_t bytes = 0;  // 0 when the backend does not know
  std::uint64_t tokens = 0;
  std::uint64_t spam_messages = 0;
  std::uint64_t ham_messages = 0;
};

using ClassifierSizeProbe = std::function<std::optional<ClassifierStoreSize>()>;

struct FilterEvents {
  std::function<void(const LoadEvent&)> loaded;
  std::function<void(VirusScanOutcome, std::chrono::duration<double> took)> virus_scanned;
  // A message learnt (new, or moved from the other class).
  std::function<void(LearnedClass, LearnSource)> learned;
  // One classification's read of the store, and whether it succeeded.
  std::function<void(std::chrono::duration<double> took, bool ok)> classified;
  // A store operation that failed (Redis down or answering garbage, a corrupt file).
  std::function<void()> classifier_failed;
  // A message autolearn would have learnt, dropped because the learner's queue was full.
  std::function<void()> autolearn_dropped;
  // Hands the metrics a probe that reads the store's size (at each scrape); the probe stays
  // valid while the store is in use, and answers nullopt when the store cannot be read.
  std::function<void(std::weak_ptr<const ClassifierSizeProbe>)> classifier_store;
};

}  // namespace portcullis
