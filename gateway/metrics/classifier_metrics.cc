#include "gateway/metrics/classifier_metrics.h"

#include <string>

namespace portcullis::metrics {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// A lookup is microseconds in memory (sqlite) and a round trip to Redis; beyond the Redis
// timeout it has failed.
const prometheus::Histogram::BucketBoundaries kLookupBuckets{
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};

}  // namespace

std::string_view label(LearnSource value) {
  switch (value) {
    case LearnSource::Cli:
      return "cli";
    case LearnSource::Autolearn:
      return "autolearn";
    case LearnSource::Release:
      return "release";
    case LearnSource::Report:
      return "report";
  }
  return "cli";
}

std::string_view label(LearnedClass value) {
  return value == LearnedClass::Spam ? "spam" : "ham";
}

ClassifierMetrics::ClassifierMetrics(prometheus::Registry& registry) {
  auto& learned = BuildCounter()
                      .Name("portcullis_classifier_learned_total")
                      .Help("Messages the classifier learnt (new or moved to the other class)")
                      .Register(registry);
  for (auto cls : kLearnedClasses) {
    for (auto source : kLearnSources) {
      learned_[static_cast<size_t>(cls)][static_cast<size_t>(source)] = &learned.Add(
          {{"class", std::string(label(cls))}, {"source", std::string(label(source))}});
    }
  }
  lookup_duration_ = &BuildHistogram()
                          .Name("portcullis_classifier_lookup_duration_seconds")
                          .Help("Time of one classification's read of the token store")
                          .Register(registry)
                          .Add({}, kLookupBuckets);
  errors_ = &BuildCounter()
                 .Name("portcullis_classifier_errors_total")
                 .Help("Classifier store operations that failed (Redis down, a corrupt file)")
                 .Register(registry)
                 .Add({});
  autolearn_dropped_ = &BuildCounter()
                            .Name("portcullis_classifier_autolearn_dropped_total")
                            .Help("Messages autolearn did not learn: the learner's queue was full")
                            .Register(registry)
                            .Add({});
  store_bytes_ = &BuildGauge()
                      .Name("portcullis_classifier_store_bytes")
                      .Help("Size of the classifier's store on disk or in Redis, as last read")
                      .Register(registry)
                      .Add({});
  tokens_ = &BuildGauge()
                 .Name("portcullis_classifier_tokens")
                 .Help("Distinct tokens in the classifier's store, as last read")
                 .Register(registry)
                 .Add({});
  auto& messages = BuildGauge()
                       .Name("portcullis_classifier_messages")
                       .Help("Messages the store holds as learnt, by class, from every source")
                       .Register(registry);
  for (auto cls : kLearnedClasses)
    messages_[static_cast<size_t>(cls)] = &messages.Add({{"class", std::string(label(cls))}});
}

void ClassifierMetrics::refreshStoreSize() {
  std::shared_ptr<const ClassifierSizeProbe> probe;
  {
    std::lock_guard lock(probe_mutex_);
    std::erase_if(probes_, [](const auto& p) { return p.expired(); });
    if (!probes_.empty()) probe = probes_.back().lock();
  }
  if (!probe) return;
  const std::optional<ClassifierStoreSize> size = (*probe)();
  if (!size) return;
  if (size->bytes != 0) store_bytes_->Set(static_cast<double>(size->bytes));
  tokens_->Set(static_cast<double>(size->tokens));
  messages_[static_cast<size_t>(LearnedClass::Spam)]->Set(static_cast<double>(size->spam_messages));
  messages_[static_cast<size_t>(LearnedClass::Ham)]->Set(static_cast<double>(size->ham_messages));
}

void ClassifierMetrics::observe(FilterEvents& events) {
  events.learned = [this](LearnedClass cls, LearnSource source) {
    learned(cls, source).Increment();
  };
  events.classified = [this](std::chrono::duration<double> took, bool) {
    lookupDuration().Observe(took.count());
  };
  events.classifier_failed = [this] { errors().Increment(); };
  events.autolearn_dropped = [this] { autolearnDropped().Increment(); };
  events.classifier_store = [this](std::weak_ptr<const ClassifierSizeProbe> probe) {
    std::lock_guard lock(probe_mutex_);
    std::erase_if(probes_, [](const auto& p) { return p.expired(); });
    probes_.push_back(std::move(probe));
  };
}

}  // namespace portcullis::metrics
