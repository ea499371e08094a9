#include "filters/content/rule_engine.h"

#include <stdexcept>
#include <thread>

namespace portcullis::content {

std::string formatDiagnostic(const Diagnostic& d) {
  return d.where.file + ":" + std::to_string(d.where.line) + ": " +
         (d.severity == Severity::Error ? "error: " : "warning: ") + d.message;
}

LoadResult loadAndCompile(const EngineConfig& config) {
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
  result.rules = compileRules(set, config.compile);
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
  if (cold) engine->reloadInBackground(std::move(on_warm));
  return engine;
}

std::future<LoadResult> RuleEngine::reloadAsync() {
  return reloadInBackground({});
}

std::future<LoadResult> RuleEngine::reloadInBackground(
    std::function<void(const LoadResult&)> on_done) {
  std::promise<LoadResult> promise;
  auto future = promise.get_future();
  std::thread([self = shared_from_this(), promise = std::move(promise),
               on_done = std::move(on_done)]() mutable {
    std::lock_guard lock(self->reload_mutex_);
    LoadResult loaded;
    try {
      loaded = loadAndCompile(self->config_);
    } catch (const std::exception& e) {
      loaded.rules = nullptr;
      loaded.error = std::string("reload failed: ") + e.what();
    }
    if (loaded.rules) self->current_.store(loaded.rules);
    if (on_done) on_done(loaded);
    promise.set_value(std::move(loaded));
  }).detach();
  return future;
}

}  // namespace portcullis::content
