// Owns the live compiled rule set of the content check and replaces it on reload: a reload
// parses and compiles in a background thread and swaps the new set in atomically; messages in
// flight finish on the set they started with; a reload whose rules have errors keeps the old set
// and says why. Also the library API for offline tools: load, scan a message, explain hits.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "filters/content/compiled_rules.h"
#include "filters/content/rule_parser.h"

namespace portcullis::content {

struct EngineConfig {
  std::vector<std::filesystem::path> rule_paths;
  ParseOptions parse;
  CompileOptions compile;
  // A cold start (Hyperscan's databases not all in the cache) starts on the confirming engines
  // and compiles the databases in the background (see RuleEngine::create). Off for offline tools,
  // which wait for the compile.
  bool compile_in_background = false;
};

// What one load produced: the parse diagnostics and, unless they contain errors, the rules.
struct LoadResult {
  std::shared_ptr<const CompiledRules> rules;  // null when the rule files have errors
  std::vector<Diagnostic> diagnostics;
  std::vector<std::string> files;
  std::string error;  // empty on success: otherwise the first error, "file:line: message"
};

// Parses and compiles (synchronously). A requested `stop` ends the compile early with an error.
LoadResult loadAndCompile(const EngineConfig& config, std::stop_token stop = {});

class RuleEngine {
 public:
  // Loads the rules now; throws std::runtime_error with file:line when they have errors. With
  // compile_in_background, a cold start is never a long outage: the rules serve at once from the
  // cache's databases and the confirming engines (same verdicts, slower), while the missing
  // Hyperscan databases compile in a background thread and are swapped in when done;
  // `on_warm` then gets the outcome (it is not called when nothing was left to compile).
  static std::shared_ptr<RuleEngine> create(EngineConfig config,
                                            std::function<void(const LoadResult&)> on_warm = {});

  std::shared_ptr<const CompiledRules> current() const { return current_.load(); }

  // Whether every group the live rules have runs on Hyperscan (false during a cold start).
  bool onHyperscan() const { return current()->summary().groups_without_hyperscan == 0; }

  // Starts a background reload of the configured paths. The future yields the outcome; the live
  // rules change only if it succeeded. Concurrent reloads run one after the other.
  std::future<LoadResult> reloadAsync();

  // Stops a compile in progress (between Hyperscan groups) and joins the reload thread; reloads
  // not yet started are answered with an error and their callbacks are not called.
  ~RuleEngine();

 private:
  struct Reload {
    std::promise<LoadResult> promise;
    std::function<void(const LoadResult&)> on_done;
  };
  explicit RuleEngine(EngineConfig config) : config_(std::move(config)) {}
  // Queues a full load and compile of the configured rules on the reload thread (started on first
  // use), which swaps them in if they load, then calls `on_done` (if set) with the outcome.
  std::future<LoadResult> reloadInBackground(std::function<void(const LoadResult&)> on_done);
  void reloadLoop(std::stop_token stop);

  EngineConfig config_;
  std::atomic<std::shared_ptr<const CompiledRules>> current_;
  std::mutex queue_mutex_;
  std::condition_variable_any queue_changed_;
  std::deque<Reload> queue_;
  std::jthread reload_thread_;  // last member: joined before the others are destroyed
};

std::string formatDiagnostic(const Diagnostic& d);

}  // namespace portcullis::content
