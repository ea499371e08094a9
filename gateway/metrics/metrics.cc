#include "gateway/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include <string>

#include "gateway/metrics/scrape_hooks.h"

namespace portcullis::metrics {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Checks span sub-millisecond regex scans to the pipeline's 30 s default deadline.
const Histogram::BucketBoundaries kCheckBuckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
// ClamAV scans take milliseconds for plain text and seconds for large archives.
const Histogram::BucketBoundaries kScanBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10,   30};

std::string text(std::string_view value) {
  return std::string(value);
}

template <typename Family, typename Values, typename Target>
void addEach(Family& family, const char* label_name, const Values& values, Target& target) {
  for (size_t i = 0; i < values.size(); ++i) {
    target[i] = &family.Add({{label_name, text(label(values[i]))}});
  }
}

}  // namespace

ScrapeHook::ScrapeHook(ScrapeHook&& other) noexcept
    : hooks_(std::move(other.hooks_)), id_(other.id_) {
  other.id_ = 0;
}

ScrapeHook& ScrapeHook::operator=(ScrapeHook&& other) noexcept {
  if (this != &other) {
    release();
    hooks_ = std::move(other.hooks_);
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

ScrapeHook::~ScrapeHook() {
  release();
}

void ScrapeHook::release() {
  if (id_ == 0) return;
  if (auto hooks = hooks_.lock()) hooks->remove(id_);
  id_ = 0;
}

Metrics::Metrics(std::string_view version) : registry_(std::make_shared<prometheus::Registry>()) {
  auto& registry = *registry_;

  BuildGauge()
      .Name("portcullis_build_info")
      .Help("Always 1; the version label names the running build")
      .Register(registry)
      .Add({{"version", text(version)}})
      .Set(1);

  auto& refresh_failures = BuildCounter()
                               .Name("portcullis_metrics_refresh_failures_total")
                               .Help("Scrape-time refresh hooks that threw")
                               .Register(registry)
                               .Add({});
  hooks_ = std::make_shared<ScrapeHooks>(refresh_failures);
  collectable_ = std::make_shared<RefreshingCollectable>(registry_, hooks_);

  addEach(BuildCounter()
              .Name("portcullis_connections_total")
              .Help("Inbound connections by how their greeting phase ended")
              .Register(registry),
          "result", kConnectionResults, connections_);
  addEach(BuildCounter()
              .Name("portcullis_messages_total")
              .Help("Messages by the action of their verdict")
              .Register(registry),
          "action", kActions, messages_);
  auto& tls = BuildCounter()
                  .Name("portcullis_tls_sessions_total")
                  .Help("Established TLS sessions by direction and protocol version")
                  .Register(registry);
  for (size_t d = 0; d < kTlsDirections.size(); ++d) {
    for (size_t v = 0; v < kTlsVersions.size(); ++v) {
      tls_[d][v] = &tls.Add(
          {{"direction", text(label(kTlsDirections[d]))}, {"version", text(kTlsVersions[v])}});
    }
  }

  rule_hits_ = &BuildCounter()
                    .Name("portcullis_rule_hits_total")
                    .Help("Messages each rule (symbol) matched")
                    .Register(registry);
  check_duration_ = &BuildHistogram()
                         .Name("portcullis_check_duration_seconds")
                         .Help("Time each check took per run, failures included")
                         .Register(registry);
  check_failures_ = &BuildCounter()
                         .Name("portcullis_check_failures_total")
                         .Help("Check runs that failed, by check and reason (timeout, error)")
                         .Register(registry);

  addEach(BuildCounter()
              .Name("portcullis_clamav_scans_total")
              .Help("ClamAV scans by result")
              .Register(registry),
          "result", kScanResults, clamav_scans_);
  clamav_duration_ = &BuildHistogram()
                          .Name("portcullis_clamav_scan_duration_seconds")
                          .Help("Time one ClamAV scan of a message took")
                          .Register(registry)
                          .Add({}, kScanBuckets);
  clamav_up_ = &BuildGauge()
                    .Name("portcullis_clamav_up")
                    .Help("1 while a ClamAV engine is loaded and scans can run, else 0")
                    .Register(registry)
                    .Add({});

  queue_messages_ = &BuildGauge()
                         .Name("portcullis_queue_messages")
                         .Help("Messages in the spool waiting to be relayed")
                         .Register(registry)
                         .Add({});
  queue_oldest_age_ = &BuildGauge()
                           .Name("portcullis_queue_oldest_message_age_seconds")
                           .Help("Age of the oldest message in the spool; 0 when it is empty")
                           .Register(registry)
                           .Add({});
  queue_held_ = &BuildCounter()
                     .Name("portcullis_queue_held_total")
                     .Help("Queue entries moved to hold/: failed for good and no notice possible")
                     .Register(registry)
                     .Add({});
  queue_held_messages_ = &BuildGauge()
                              .Name("portcullis_queue_held_messages")
                              .Help("Messages in the spool's hold/, waiting for an administrator")
                              .Register(registry)
                              .Add({});
  addEach(BuildCounter()
              .Name("portcullis_relay_attempts_total")
              .Help("Relay attempts to the internal MTA by reply class (2xx, 4xx, 5xx, error)")
              .Register(registry),
          "result", kRelayResults, relay_);
  quarantine_messages_ = &BuildGauge()
                              .Name("portcullis_quarantine_messages")
                              .Help("Messages held in the quarantine store")
                              .Register(registry)
                              .Add({});
  quarantine_bytes_ = &BuildGauge()
                           .Name("portcullis_quarantine_bytes")
                           .Help("Size of the messages held in the quarantine store")
                           .Register(registry)
                           .Add({});

  rules_loaded_ = &BuildGauge()
                       .Name("portcullis_rules_loaded")
                       .Help("Rules in the active rule set")
                       .Register(registry)
                       .Add({});
  signatures_loaded_ = &BuildGauge()
                            .Name("portcullis_signatures_loaded")
                            .Help("Signatures in the active ClamAV engine")
                            .Register(registry)
                            .Add({});
  signatures_timestamp_ = &BuildGauge()
                               .Name("portcullis_signatures_timestamp_seconds")
                               .Help("Unix time of the newest loaded signature database")
                               .Register(registry)
                               .Add({});
  addEach(BuildGauge()
              .Name("portcullis_reload_last_success_timestamp_seconds")
              .Help("Unix time of the last successful load, by component")
              .Register(registry),
          "component", kReloadComponents, last_reload_);
  addEach(BuildCounter()
              .Name("portcullis_reload_failures_total")
              .Help("Failed loads (the previous version stays active), by component")
              .Register(registry),
          "component", kReloadComponents, reload_failures_);
  addEach(BuildCounter()
              .Name("portcullis_background_failures_total")
              .Help("Failed runs of background tasks (daily digest, verdict-history flush)")
              .Register(registry),
          "task", kBackgroundTasks, background_failures_);
  classifier_ = std::make_unique<ClassifierMetrics>(registry);
}

Metrics::~Metrics() = default;

prometheus::Counter& Metrics::tlsSessions(TlsDirection direction,
                                          std::string_view openssl_version) {
  std::string_view version = tlsVersionLabel(openssl_version);
  size_t v = 0;
  while (kTlsVersions[v] != version) ++v;  // tlsVersionLabel returns one of kTlsVersions
  return *tls_[index(direction)][v];
}

void Metrics::recordVerdict(const Verdict& verdict) {
  messages(verdict.action).Increment();
  for (const Symbol& symbol : verdict.symbols) ruleHits(symbol.name).Increment();
}

prometheus::Counter& Metrics::ruleHits(std::string_view rule) {
  return rule_hit_series_.get(rule, [&]() -> prometheus::Counter& {
    return rule_hits_->Add({{"rule", text(rule)}});
  });
}

prometheus::Histogram& Metrics::checkDuration(std::string_view check) {
  return check_duration_series_.get(check, [&]() -> prometheus::Histogram& {
    return check_duration_->Add({{"check", text(check)}}, kCheckBuckets);
  });
}

prometheus::Counter& Metrics::checkFailures(std::string_view check, CheckFailure reason) {
  return check_failure_series_[index(reason)].get(check, [&]() -> prometheus::Counter& {
    return check_failures_->Add({{"check", text(check)}, {"reason", text(label(reason))}});
  });
}

void Metrics::declareCheck(std::string_view check) {
  checkDuration(check);
  for (CheckFailure reason : kCheckFailures) checkFailures(check, reason);
}

void Metrics::reloadSucceeded(ReloadComponent component,
                              std::chrono::system_clock::time_point when) {
  std::chrono::duration<double> since_epoch = when.time_since_epoch();
  lastReloadSuccess(component).Set(since_epoch.count());
}

ScrapeHook Metrics::onScrape(std::function<void()> refresh) {
  return ScrapeHook(hooks_, hooks_->add(std::move(refresh)));
}

std::string Metrics::scrapeText() const {
  return prometheus::TextSerializer().Serialize(collectable_->Collect());
}

}  // namespace portcullis::metrics
