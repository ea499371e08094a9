#include "gateway/cli/serve/metrics_service.h"

#include <spdlog/spdlog.h>

#include "gateway/metrics/metrics_config.h"
#include "gateway/metrics/readiness.h"

namespace portcullis::cli {

MetricsService::MetricsService(const config::GatewayConfig& config, metrics::Metrics& metrics)
    : learn_ledger_(config.queue.directory / metrics::kLearnLedgerName, metrics.classifier()),
      classifier_gauges_(metrics.onScrape([&metrics, this] {
        learn_ledger_.refresh();
        metrics.classifier().refreshStoreSize();
      })),
      loads_(metrics) {
  auto metrics_config = metrics::readMetricsConfig(config.document);
  if (!metrics_config.enabled) return;
  auto queue_dir = config.queue.directory;
  bool spooling = config.relay.mode == config::RelayMode::Spool;
  endpoint_.emplace(
      metrics_config, metrics,
      metrics::withNote(
          metrics::allOf({{[this] { return loads_.rulesReady(); }, "no rules loaded"},
                          {[this] { return loads_.signaturesReady(); }, "no signatures loaded"},
                          {[queue_dir, spooling] {
                             return !spooling || metrics::directoryWritable(queue_dir);
                           },
                           "spool not writable"}}),
          [this] {
            const std::string engine = loads_.rulesEngine();
            return engine.empty() ? engine : "rules: " + engine;
          }));
  // The bound port, not the configured one: "127.0.0.1:0" asks for an ephemeral port.
  std::string host = metrics_config.listen.substr(0, metrics_config.listen.rfind(':'));
  for (uint16_t port : endpoint_->ports()) {
    spdlog::info("metrics on http://{}:{}/metrics", host, port);
  }
}

}  // namespace portcullis::cli
