// The classifier's metrics (filters/classifier reports them through FilterEvents, without
// Prometheus): messages learnt by class and by who taught it, the store read of each
// classification, failed store operations, and the store's size (read at each scrape through the
// probe the store hands over). Registered in the gateway's registry by Metrics; observe() fills
// the FilterEvents callbacks that feed them.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "gateway/core/filter_events.h"

namespace portcullis::metrics {

inline constexpr std::array kLearnSources{LearnSource::Cli, LearnSource::Autolearn,
                                          LearnSource::Release, LearnSource::Report};
inline constexpr std::array kLearnedClasses{LearnedClass::Spam, LearnedClass::Ham};

std::string_view label(LearnSource value);
std::string_view label(LearnedClass value);

class ClassifierMetrics {
 public:
  explicit ClassifierMetrics(prometheus::Registry& registry);

  prometheus::Counter& learned(LearnedClass cls, LearnSource source) {
    return *learned_[static_cast<size_t>(cls)][static_cast<size_t>(source)];
  }
  prometheus::Histogram& lookupDuration() { return *lookup_duration_; }
  prometheus::Counter& errors() { return *errors_; }
  prometheus::Counter& autolearnDropped() { return *autolearn_dropped_; }
  // Reads the store's size through the latest probe the classifier handed over (at a scrape).
  void refreshStoreSize();

  // Fills the classifier's callbacks of `events` to update these series.
  void observe(FilterEvents& events);

 private:
  std::array<std::array<prometheus::Counter*, kLearnSources.size()>, kLearnedClasses.size()>
      learned_{};
  prometheus::Histogram* lookup_duration_ = nullptr;
  prometheus::Counter* errors_ = nullptr;
  prometheus::Counter* autolearn_dropped_ = nullptr;
  prometheus::Gauge* store_bytes_ = nullptr;
  prometheus::Gauge* tokens_ = nullptr;
  std::array<prometheus::Gauge*, kLearnedClasses.size()> messages_{};
  std::mutex probe_mutex_;
  // Newest last: a failed reload's store goes away and the one still in use answers again.
  std::vector<std::weak_ptr<const ClassifierSizeProbe>> probes_;
};

}  // namespace portcullis::metrics
