// What the gateway serves about itself besides the counters its parts keep: the classifier's
// store size and what `portcullis learn` and `quarantine release` taught it (read at each
// scrape), the LoadTracker that turns the checks' loads into metrics and readiness, and the
// [metrics] HTTP endpoint (/metrics, /healthz, and /readyz: ready once rules and signatures are
// loaded and, in spool mode, the spool is writable). The endpoint serves from construction on,
// so /healthz answers and /readyz says "not ready" while the checks load.
#pragma once

#include <optional>

#include "gateway/config/gateway_config.h"
#include "gateway/metrics/http_endpoint.h"
#include "gateway/metrics/learn_ledger.h"
#include "gateway/metrics/load_tracker.h"
#include "gateway/metrics/metrics.h"

namespace portcullis::cli {

class MetricsService {
 public:
  // `metrics` must outlive the service. Logs each address the endpoint listens on.
  MetricsService(const config::GatewayConfig& config, metrics::Metrics& metrics);
  MetricsService(const MetricsService&) = delete;
  MetricsService& operator=(const MetricsService&) = delete;

  metrics::LoadTracker& loads() { return loads_; }

 private:
  metrics::LearnLedgerWatcher learn_ledger_;
  metrics::ScrapeHook classifier_gauges_;
  metrics::LoadTracker loads_;
  std::optional<metrics::HttpEndpoint> endpoint_;
};

}  // namespace portcullis::cli
