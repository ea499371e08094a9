// The gateway's Prometheus metrics: one Metrics object owns one prometheus::Registry and a typed
// accessor for every family (README.md beside this file lists them). Accessors return references
// that stay valid for the Metrics object's life, so hot paths may look a series up once and keep
// it; all of them are thread-safe. Families labelled by an enum are created complete at start-up
// (every series exists at 0); rule and check series appear on first use or declare*().
// Gauges that mirror another component's state can be refreshed at scrape time with onScrape().
// Components that keep their own Prometheus series register them in registry(): the DNS resolver's
// dns::DnsStats adds portcullis_dns_queries_total and portcullis_dns_query_duration_seconds there.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "gateway/core/verdict.h"
#include "gateway/metrics/classifier_metrics.h"
#include "gateway/metrics/label_values.h"
#include "gateway/metrics/series_cache.h"

namespace portcullis::metrics {

class ScrapeHooks;

// Unregisters its scrape hook when destroyed (or moved-over); may outlive the Metrics object.
class ScrapeHook {
 public:
  ScrapeHook() = default;
  ScrapeHook(ScrapeHook&& other) noexcept;
  ScrapeHook& operator=(ScrapeHook&& other) noexcept;
  ScrapeHook(const ScrapeHook&) = delete;
  ScrapeHook& operator=(const ScrapeHook&) = delete;
  ~ScrapeHook();

 private:
  friend class Metrics;
  ScrapeHook(std::weak_ptr<ScrapeHooks> hooks, uint64_t id) : hooks_(std::move(hooks)), id_(id) {}
  void release();

  std::weak_ptr<ScrapeHooks> hooks_;
  uint64_t id_ = 0;
};

class Metrics {
 public:
  // `version` labels portcullis_build_info.
  explicit Metrics(std::string_view version = PORTCULLIS_VERSION);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // --- SMTP and milter front ends
  prometheus::Counter& connections(ConnectionResult result) { return *connections_[index(result)]; }
  prometheus::Counter& messages(Action action) { return *messages_[index(action)]; }
  prometheus::Counter& tlsSessions(TlsDirection direction, std::string_view openssl_version);
  // messages(verdict.action) and ruleHits() of every symbol of the verdict.
  void recordVerdict(const Verdict& verdict);

  // --- rules and checks (the label values are rule and check names: bounded by the config)
  prometheus::Counter& ruleHits(std::string_view rule);
  prometheus::Histogram& checkDuration(std::string_view check);  // seconds
  prometheus::Counter& checkFailures(std::string_view check, CheckFailure reason);
  // Creates the check's series at zero, so dashboards and rate() see it before its first run.
  void declareCheck(std::string_view check);

  // --- ClamAV
  prometheus::Counter& clamavScans(ScanResult result) { return *clamav_scans_[index(result)]; }
  prometheus::Histogram& clamavScanDuration() { return *clamav_duration_; }
  prometheus::Gauge& clamavUp() { return *clamav_up_; }  // 1 while an engine can scan

  // --- the statistical classifier
  ClassifierMetrics& classifier() { return *classifier_; }

  // --- queue, relay, quarantine (gauges set by their owners, e.g. from an onScrape() hook)
  prometheus::Gauge& queueMessages() { return *queue_messages_; }
  prometheus::Gauge& queueOldestAge() { return *queue_oldest_age_; }  // seconds; 0 when empty
  // Entries moved to the spool's hold/ (undeliverable and unbounceable), and how many are there.
  prometheus::Counter& queueHeld() { return *queue_held_; }
  prometheus::Gauge& queueHeldMessages() { return *queue_held_messages_; }
  prometheus::Counter& relayAttempts(RelayResult result) { return *relay_[index(result)]; }
  prometheus::Counter& relayAttempt(int smtp_code) {
    return relayAttempts(relayResultFor(smtp_code));
  }
  prometheus::Gauge& quarantineMessages() { return *quarantine_messages_; }
  prometheus::Gauge& quarantineBytes() { return *quarantine_bytes_; }

  // --- what is loaded, and reloads
  prometheus::Gauge& rulesLoaded() { return *rules_loaded_; }
  prometheus::Gauge& signaturesLoaded() { return *signatures_loaded_; }
  // Unix time of the newest loaded signature database (its build time or file mtime).
  prometheus::Gauge& signaturesTimestamp() { return *signatures_timestamp_; }
  prometheus::Gauge& lastReloadSuccess(ReloadComponent component) {
    return *last_reload_[index(component)];
  }
  prometheus::Counter& reloadFailures(ReloadComponent component) {
    return *reload_failures_[index(component)];
  }
  void reloadSucceeded(ReloadComponent component, std::chrono::system_clock::time_point when =
                                                      std::chrono::system_clock::now());
  void reloadFailed(ReloadComponent component) { reloadFailures(component).Increment(); }
  // A run of a background task (a daily digest, a verdict-history flush) that failed.
  prometheus::Counter& backgroundFailures(BackgroundTask task) {
    return *background_failures_[index(task)];
  }

  // --- scraping
  // `refresh` runs on the HTTP server's thread before every scrape (and in scrapeText()); it
  // must be quick and thread-safe. An exception from it is counted, never propagated. Hooks run
  // under one lock: a hook must not add or drop hooks, and a ScrapeHook must not be destroyed
  // while holding a lock its hook takes.
  [[nodiscard]] ScrapeHook onScrape(std::function<void()> refresh);
  // What the HTTP endpoint serves: the registry, refreshed by the scrape hooks.
  std::shared_ptr<prometheus::Collectable> collectable() const { return collectable_; }
  // The text exposition format of everything (hooks run first).
  std::string scrapeText() const;
  prometheus::Registry& registry() { return *registry_; }

 private:
  template <typename E>
  static size_t index(E value) {
    return static_cast<size_t>(value);
  }

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ScrapeHooks> hooks_;
  std::shared_ptr<prometheus::Collectable> collectable_;

  std::array<prometheus::Counter*, kConnectionResults.size()> connections_{};
  std::array<prometheus::Counter*, kActions.size()> messages_{};
  std::array<std::array<prometheus::Counter*, kTlsVersions.size()>, kTlsDirections.size()> tls_{};
  prometheus::Family<prometheus::Counter>* rule_hits_ = nullptr;
  prometheus::Family<prometheus::Histogram>* check_duration_ = nullptr;
  prometheus::Family<prometheus::Counter>* check_failures_ = nullptr;
  SeriesCache<prometheus::Counter> rule_hit_series_;
  SeriesCache<prometheus::Histogram> check_duration_series_;
  std::array<SeriesCache<prometheus::Counter>, kCheckFailures.size()> check_failure_series_;
  std::array<prometheus::Counter*, kScanResults.size()> clamav_scans_{};
  prometheus::Histogram* clamav_duration_ = nullptr;
  prometheus::Gauge* clamav_up_ = nullptr;
  std::unique_ptr<ClassifierMetrics> classifier_;
  prometheus::Gauge* queue_messages_ = nullptr;
  prometheus::Gauge* queue_oldest_age_ = nullptr;
  prometheus::Counter* queue_held_ = nullptr;
  prometheus::Gauge* queue_held_messages_ = nullptr;
  std::array<prometheus::Counter*, kRelayResults.size()> relay_{};
  prometheus::Gauge* quarantine_messages_ = nullptr;
  prometheus::Gauge* quarantine_bytes_ = nullptr;
  prometheus::Gauge* rules_loaded_ = nullptr;
  prometheus::Gauge* signatures_loaded_ = nullptr;
  prometheus::Gauge* signatures_timestamp_ = nullptr;
  std::array<prometheus::Gauge*, kReloadComponents.size()> last_reload_{};
  std::array<prometheus::Counter*, kReloadComponents.size()> reload_failures_{};
  std::array<prometheus::Counter*, kBackgroundTasks.size()> background_failures_{};
};

}  // namespace portcullis::metrics
