// Refresh callbacks run before each scrape, and the Collectable that runs them and then collects
// the registry: how gauges mirroring another component's state (queue depth, loaded signatures)
// stay current without that component knowing about metrics. Thread-safe; a hook is never running
// once remove() has returned.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

namespace portcullis::metrics {

class ScrapeHooks {
 public:
  // `failures` counts hooks that threw.
  explicit ScrapeHooks(prometheus::Counter& failures) : failures_(failures) {}

  uint64_t add(std::function<void()> refresh);
  void remove(uint64_t id);
  void runAll();

 private:
  prometheus::Counter& failures_;
  std::mutex mutex_;  // held while hooks run, so remove() waits for a running hook
  std::map<uint64_t, std::function<void()>> hooks_;
  uint64_t next_id_ = 1;
};

class RefreshingCollectable : public prometheus::Collectable {
 public:
  RefreshingCollectable(std::shared_ptr<prometheus::Registry> registry,
                        std::shared_ptr<ScrapeHooks> hooks)
      : registry_(std::move(registry)), hooks_(std::move(hooks)) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ScrapeHooks> hooks_;
};

}  // namespace portcullis::metrics
