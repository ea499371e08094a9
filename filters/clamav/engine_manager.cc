#include "filters/clamav/engine_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace portcullis::clamav {

namespace {

// The modification time of the newest file of the fingerprint; the epoch when it has none.
std::chrono::system_clock::time_point newestFile(const SignatureFingerprint& fingerprint) {
  if (fingerprint.files.empty()) return {};
  int64_t newest_ns = fingerprint.files.front().mtime_ns;
  for (const auto& file : fingerprint.files) newest_ns = std::max(newest_ns, file.mtime_ns);
  auto mtime = std::chrono::file_clock::time_point(
      std::chrono::duration_cast<std::chrono::file_clock::duration>(
          std::chrono::nanoseconds(newest_ns)));
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      std::chrono::file_clock::to_sys(mtime));
}

}  // namespace

EngineManager::EngineManager(EngineOptions options, std::chrono::milliseconds check_period,
                             std::function<void(const LoadEvent&)> on_load)
    : options_(std::move(options)), check_period_(check_period), on_load_(std::move(on_load)) {
  reload();
  background_ = std::jthread([this](std::stop_token stop) { backgroundLoop(std::move(stop)); });
}

EngineManager::~EngineManager() = default;  // std::jthread stops and joins the background loop

std::shared_ptr<const Engine> EngineManager::current() const {
  std::lock_guard lock(current_mutex_);
  return current_;
}

ReloadResult EngineManager::reload() {
  std::lock_guard load_lock(load_mutex_);
  last_attempt_ = fingerprintOf(options_.signature_dirs);
  LoadResult loaded = Engine::load(options_);
  if (!loaded.engine) {
    bool had_engine = false;
    {
      std::lock_guard stats_lock(stats_mutex_);
      ++stats_.failed_reloads;
      stats_.last_error = loaded.error;
      had_engine = stats_.available;
    }
    spdlog::error("clamav: signature load failed, {}: {}",
                  had_engine ? "keeping the previous engine" : "scanner unavailable", loaded.error);
    if (on_load_) on_load_({LoadedData::Signatures, false, had_engine});
    return {false, 0, loaded.error};
  }

  unsigned signatures = loaded.engine->signatureCount();
  std::shared_ptr<const Engine> previous;
  {
    std::lock_guard current_lock(current_mutex_);
    previous = std::exchange(current_, std::move(loaded.engine));
  }
  {
    std::lock_guard stats_lock(stats_mutex_);
    stats_.available = true;
    stats_.signatures = signatures;
    stats_.last_reload = std::chrono::system_clock::now();
    ++stats_.successful_reloads;
  }
  spdlog::info("clamav: engine loaded with {} signatures", signatures);
  if (on_load_)
    on_load_({LoadedData::Signatures, true, true, signatures, newestFile(last_attempt_)});
  // `previous` is freed here unless a scan still holds it; then the last scan frees it.
  return {true, signatures, {}};
}

void EngineManager::requestReload() {
  {
    std::lock_guard lock(wake_mutex_);
    reload_requested_ = true;
  }
  wake_.notify_all();
}

std::optional<ReloadResult> EngineManager::reloadIfChanged() {
  {
    std::lock_guard load_lock(load_mutex_);
    if (fingerprintOf(options_.signature_dirs) == last_attempt_) return std::nullopt;
  }
  spdlog::info("clamav: signature directories changed, reloading");
  return reload();
}

EngineStats EngineManager::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void EngineManager::backgroundLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    bool requested = false;
    {
      std::unique_lock lock(wake_mutex_);
      auto woken = [this] { return reload_requested_; };
      if (check_period_.count() > 0) {
        wake_.wait_for(lock, stop, check_period_, woken);
      } else {
        wake_.wait(lock, stop, woken);
      }
      requested = std::exchange(reload_requested_, false);
    }
    if (stop.stop_requested()) return;
    if (requested) {
      reload();
    } else {
      reloadIfChanged();
    }
  }
}

}  // namespace portcullis::clamav
