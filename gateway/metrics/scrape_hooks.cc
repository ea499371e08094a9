#include "gateway/metrics/scrape_hooks.h"

namespace portcullis::metrics {

uint64_t ScrapeHooks::add(std::function<void()> refresh) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  hooks_.emplace(id, std::move(refresh));
  return id;
}

void ScrapeHooks::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  hooks_.erase(id);
}

void ScrapeHooks::runAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, refresh] : hooks_) {
    try {
      refresh();
    } catch (...) {
      failures_.Increment();
    }
  }
}

std::vector<prometheus::MetricFamily> RefreshingCollectable::Collect() const {
  hooks_->runAll();
  return registry_->Collect();
}

}  // namespace portcullis::metrics
