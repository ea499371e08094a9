// The gateway's HTTP endpoint for operators, on the `[metrics]` listen address:
//   /metrics  the Prometheus text format of a Metrics object (prometheus::Exposer);
//   /healthz  200 "ok" while the process serves HTTP at all (liveness);
//   /readyz   200 "ready" when the readiness probe says so, else 503 with the probe's reason.
// It runs on its own threads (civetweb's, inside the Exposer) and stops when destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gateway/metrics/metrics.h"
#include "gateway/metrics/metrics_config.h"
#include "gateway/metrics/readiness.h"

namespace prometheus {
class Exposer;
}

namespace portcullis::metrics {

class HealthRoutes;

class HttpEndpoint {
 public:
  // Starts listening on config.listen at once; throws std::runtime_error naming the address when
  // it cannot (start-up only). `metrics` must outlive the endpoint.
  HttpEndpoint(const MetricsConfig& config, Metrics& metrics, ReadinessProbe readiness);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // The ports it listens on (the real one when the configured port was 0).
  std::vector<uint16_t> ports() const;

 private:
  std::shared_ptr<HealthRoutes> health_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::vector<uint16_t> ports_;
};

}  // namespace portcullis::metrics
