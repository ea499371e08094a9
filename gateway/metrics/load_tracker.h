// Turns what the filters report (FilterEvents: rule and signature loads, virus scans) into the
// gateway's metrics and the readiness of /readyz, one configuration at a time. The checks of a
// configuration report through the events of its Generation; what they load becomes the gateway's
// state only when that generation is activated (its checks now serve mail). So a reload that fails
// half-way (signatures loaded, then a rule file broken) changes nothing but the failure counters,
// and late reports from the checks of a replaced configuration are ignored.
//   failed load     -> portcullis_reload_failures_total{component} at once (pending or active)
//   successful load -> portcullis_rules_loaded, _signatures_loaded, _signatures_timestamp_seconds,
//                      _clamav_up and _reload_last_success_timestamp_seconds{component}, once
//                      active
//   virus scan      -> portcullis_clamav_scans_total{result}, _clamav_scan_duration_seconds
// Thread-safe; events may come from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "gateway/core/filter_events.h"
#include "gateway/metrics/metrics.h"

namespace portcullis::metrics {

class LoadTracker {
  struct State;

 public:
  // `metrics` must outlive every event of every generation.
  explicit LoadTracker(Metrics& metrics);

  // The loads of one configuration's checks, from building them until they serve mail.
  class Generation {
   public:
    Generation(Generation&&) noexcept = default;
    Generation& operator=(Generation&&) noexcept = default;
    // Never activated (the configuration was not used): what its checks loaded is dropped.
    ~Generation();

    // For CheckDeps::events of the checks being built.
    const FilterEvents& events() const { return events_; }
    // The checks built with events() serve mail now: their loads become the gateway's, and the
    // previously active generation's later reports are ignored.
    void activate();

   private:
    friend class LoadTracker;
    Generation(std::shared_ptr<State> state, uint64_t id, FilterEvents events)
        : state_(std::move(state)), id_(id), events_(std::move(events)) {}

    std::shared_ptr<State> state_;
    uint64_t id_ = 0;
    FilterEvents events_;
  };

  Generation begin();

  // Readiness of the active generation; false before the first activation. A configuration
  // without a content (clamav) check has no rules (signatures) to wait for.
  bool rulesReady() const;
  // Which engines run the active content rules: "hyperscan", "pcre2+re2 (hyperscan compiling)"
  // during a cold start, "" when no rules are loaded (or there is no content check).
  std::string rulesEngine() const;
  bool signaturesReady() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace portcullis::metrics
