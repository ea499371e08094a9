#include "gateway/metrics/load_tracker.h"

#include <map>
#include <mutex>
#include <optional>

namespace portcullis::metrics {
namespace {

using Clock = std::chrono::system_clock;

// What one generation's checks have loaded so far.
struct Loaded {
  bool rules_ready = true;  // no content check: nothing to wait for
  bool rules_loaded = false;
  bool rules_interim = false;
  size_t rules = 0;
  std::optional<Clock::time_point> rules_loaded_at;
  bool signatures_ready = true;  // no clamav check: nothing to wait for
  bool clamav_up = false;
  size_t signatures = 0;
  Clock::time_point newest_signatures{};
  std::optional<Clock::time_point> signatures_loaded_at;
};

ReloadComponent componentOf(LoadedData what) {
  return what == LoadedData::Rules ? ReloadComponent::Rules : ReloadComponent::Signatures;
}

ScanResult resultOf(VirusScanOutcome outcome) {
  switch (outcome) {
    case VirusScanOutcome::Clean:
      return ScanResult::Clean;
    case VirusScanOutcome::Infected:
      return ScanResult::Infected;
    case VirusScanOutcome::Error:
      break;
  }
  return ScanResult::Error;
}

void update(Loaded& loaded, const LoadEvent& event) {
  if (event.what == LoadedData::Rules) {
    loaded.rules_ready = event.available;
    if (!event.ok) return;
    loaded.rules_loaded = true;
    loaded.rules_interim = event.interim;
    loaded.rules = event.items;
    loaded.rules_loaded_at = event.when;
    return;
  }
  loaded.signatures_ready = event.available;
  loaded.clamav_up = event.available;
  if (!event.ok) return;
  loaded.signatures = event.items;
  loaded.newest_signatures = event.newest_data;
  loaded.signatures_loaded_at = event.when;
}

double unixSeconds(Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

struct LoadTracker::State {
  explicit State(Metrics& m) : metrics(m) {}

  void loaded(uint64_t id, const LoadEvent& event) {
    std::lock_guard lock(mutex);
    auto pending_generation = pending.find(id);
    bool is_active = id == active_id;
    if (!is_active && pending_generation == pending.end()) return;  // replaced or abandoned
    if (!event.ok) metrics.reloadFailed(componentOf(event.what));
    update(is_active ? active : pending_generation->second, event);
    if (is_active) publish();
  }

  void activate(uint64_t id) {
    std::lock_guard lock(mutex);
    auto generation = pending.find(id);
    if (generation == pending.end()) return;
    active = generation->second;
    active_id = id;
    pending.erase(generation);
    publish();
  }

  void abandon(uint64_t id) {
    std::lock_guard lock(mutex);
    pending.erase(id);
  }

  // Under the lock: the active generation's state into the gauges.
  void publish() {
    metrics.rulesLoaded().Set(static_cast<double>(active.rules));
    if (active.rules_loaded_at)
      metrics.reloadSucceeded(ReloadComponent::Rules, *active.rules_loaded_at);
    metrics.signaturesLoaded().Set(static_cast<double>(active.signatures));
    metrics.signaturesTimestamp().Set(unixSeconds(active.newest_signatures));
    metrics.clamavUp().Set(active.clamav_up ? 1 : 0);
    if (active.signatures_loaded_at) {
      metrics.reloadSucceeded(ReloadComponent::Signatures, *active.signatures_loaded_at);
    }
  }

  Metrics& metrics;
  mutable std::mutex mutex;
  uint64_t next_id = 1;
  uint64_t active_id = 0;  // 0: none activated yet
  Loaded active;
  std::map<uint64_t, Loaded> pending;
};

LoadTracker::LoadTracker(Metrics& metrics) : state_(std::make_shared<State>(metrics)) {}

LoadTracker::Generation LoadTracker::begin() {
  uint64_t id = 0;
  {
    std::lock_guard lock(state_->mutex);
    id = state_->next_id++;
    state_->pending.emplace(id, Loaded{});
  }
  FilterEvents events;
  events.loaded = [state = state_, id](const LoadEvent& event) { state->loaded(id, event); };
  Metrics* metrics = &state_->metrics;
  events.virus_scanned = [metrics](VirusScanOutcome outcome, std::chrono::duration<double> took) {
    metrics->clamavScans(resultOf(outcome)).Increment();
    metrics->clamavScanDuration().Observe(took.count());
  };
  metrics->classifier().observe(events);
  return Generation(state_, id, std::move(events));
}

LoadTracker::Generation::~Generation() {
  if (state_) state_->abandon(id_);
}

void LoadTracker::Generation::activate() {
  state_->activate(id_);
}

bool LoadTracker::rulesReady() const {
  std::lock_guard lock(state_->mutex);
  return state_->active_id != 0 && state_->active.rules_ready;
}

std::string LoadTracker::rulesEngine() const {
  std::lock_guard lock(state_->mutex);
  if (state_->active_id == 0 || !state_->active.rules_loaded) return "";
  return state_->active.rules_interim ? "pcre2+re2 (hyperscan compiling)" : "hyperscan";
}

bool LoadTracker::signaturesReady() const {
  std::lock_guard lock(state_->mutex);
  return state_->active_id != 0 && state_->active.signatures_ready;
}

}  // namespace portcullis::metrics
