#include "filters/content/rule_engine.h"

#include <stdexcept>

namespace portcullis::content {

std::string formatDiagnostic(const Diagnostic& d) {
  return d.where.file + ":" + std::to_string(d.where.line) + ": " +
         (d.severity == Severity::Error ? "error: " : "warning: ") + d.message;
}

LoadResult loadAndCompile(const EngineConfig& config, std::stop_token stop) {
  LoadResult result;
  RuleSet set = loadRules(config.rule_paths, config.parse);
  result.diagnostics = set.diagnostics;
  result.files = set.files;
  for (const auto& d : set.diagnostics) {
    if (d.severity == Severity::Error) {
      result.error = formatDiagnostic(d);
      return result;
    }
  }
  result.rules = compileRules(set, config.compile, stop);
  if (!result.rules) result.error = "stopped before the compile finished";
  return result;
}

std::shared_ptr<RuleEngine> RuleEngine::create(EngineConfig config,
                                               std::function<void(const LoadResult&)> on_warm) {
  std::shared_ptr<RuleEngine> engine(new RuleEngine(std::move(config)));
  EngineConfig first = engine->config_;
  first.compile.hyperscan_from_cache_only =
      engine->config_.compile.hyperscan_from_cache_only || engine->config_.compile_in_background;
  LoadResult loaded = loadAndCompile(first);
  if (!loaded.rules) throw std::runtime_error("content rules: " + loaded.error);
  const bool cold = loaded.rules->summary().groups_without_hyperscan > 0;
  engine->current_.store(std::move(loaded.rules));
  if (cold && engine->config_.compile_in_background) engine->reloadInBackground(std::move(on_warm));
  return engine;
}

RuleEngine::~RuleEngine() {
  if (!reload_thread_.joinable()) return;
  reload_thread_.request_stop();
  reload_thread_.join();
  for (auto& reload : queue_) {
    reload.promise.set_value(LoadResult{nullptr, {}, {}, "the rule engine was shut down"});
  }
}

std::future<LoadResult> RuleEngine::reloadAsync() {
  return reloadInBackground({});
}

std::future<LoadResult> RuleEngine::reloadInBackground(
    std::function<void(const LoadResult&)> on_done) {
  std::lock_guard lock(queue_mutex_);
  queue_.push_back({std::promise<LoadResult>(), std::move(on_done)});
  auto future = queue_.back().promise.get_future();
  if (!reload_thread_.joinable()) {
    reload_thread_ = std::jthread([this](std::stop_token stop) { reloadLoop(std::move(stop)); });
  }
  queue_changed_.notify_one();
  return future;
}

void RuleEngine::reloadLoop(std::stop_token stop) {
  while (true) {
    Reload reload;
    {
      std::unique_lock lock(queue_mutex_);
      if (!queue_changed_.wait(lock, stop, [this] { return !queue_.empty(); })) return;
      reload = std::move(queue_.front());
      queue_.pop_front();
    }
    LoadResult loaded;
    try {
      loaded = loadAndCompile(config_, stop);
    } catch (const std::exception& e) {
      loaded.rules = nullptr;
      loaded.error = std::string("reload failed: ") + e.what();
    }
    if (loaded.rules) current_.store(loaded.rules);
    if (reload.on_done && !stop.stop_requested()) reload.on_done(loaded);
    reload.promise.set_value(std::move(loaded));
  }
}

}  // namespace portcullis::content
