#include "gateway/metrics/http_endpoint.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace portcullis::metrics {

// /healthz and /readyz. prometheus::Exposer serves only registries and keeps its CivetServer
// private, but it passes civetweb callbacks through: these paths are answered from civetweb's
// begin_request callback. That callback carries no user pointer of ours, so each endpoint's
// routes are found by the port the request arrived on (one endpoint per port in a process).
class HealthRoutes {
 public:
  explicit HealthRoutes(ReadinessProbe readiness) : readiness_(std::move(readiness)) {}

  // An HTTP status when it answered the request, 0 to let the Exposer handle it.
  int handle(mg_connection* connection, std::string_view path) const {
    if (path == "/healthz") return respond(connection, 200, "ok\n");
    Readiness readiness = probe();
    if (readiness.ready)
      return respond(connection, 200,
                     "ready\n" + (readiness.note.empty() ? "" : readiness.note + "\n"));
    return respond(connection, 503, readiness.reason + "\n");
  }

  static void add(uint16_t port, std::shared_ptr<const HealthRoutes> routes) {
    std::lock_guard lock(table_mutex_);
    if (!table_.emplace(port, std::move(routes)).second) {
      throw std::runtime_error("metrics: another HTTP endpoint already serves port " +
                               std::to_string(port));
    }
  }
  static void remove(uint16_t port) {
    std::lock_guard lock(table_mutex_);
    table_.erase(port);
  }
  static std::shared_ptr<const HealthRoutes> find(int port) {
    std::lock_guard lock(table_mutex_);
    auto it = table_.find(static_cast<uint16_t>(port));
    return it == table_.end() ? nullptr : it->second;
  }

  static int beginRequest(mg_connection* connection) {
    const mg_request_info* request = mg_get_request_info(connection);
    if (request == nullptr || request->local_uri == nullptr) return 0;
    std::string_view path = request->local_uri;
    if (path != "/healthz" && path != "/readyz") return 0;
    auto routes = find(request->server_port);
    return routes ? routes->handle(connection, path) : 0;
  }

 private:
  Readiness probe() const {
    try {
      return readiness_();
    } catch (const std::exception& error) {
      return {false, std::string("readiness probe failed: ") + error.what()};
    }
  }

  static int respond(mg_connection* connection, int status, const std::string& body) {
    const mg_request_info* request = mg_get_request_info(connection);
    bool head = std::string_view(request->request_method) == "HEAD";
    std::string length = std::to_string(body.size());
    mg_response_header_start(connection, status);
    mg_response_header_add(connection, "Content-Type", "text/plain; charset=utf-8", -1);
    mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
    mg_response_header_add(connection, "Cache-Control", "no-store", -1);
    mg_response_header_send(connection);
    if (!head) mg_write(connection, body.data(), body.size());
    return status;
  }

  ReadinessProbe readiness_;
  static inline std::mutex table_mutex_;
  static inline std::map<uint16_t, std::shared_ptr<const HealthRoutes>> table_;
};

HttpEndpoint::HttpEndpoint(const MetricsConfig& config, Metrics& metrics, ReadinessProbe readiness)
    : health_(std::make_shared<HealthRoutes>(std::move(readiness))) {
  CivetCallbacks callbacks;
  callbacks.begin_request = &HealthRoutes::beginRequest;
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(config.listen, config.threads, &callbacks);
  } catch (const std::exception& error) {
    throw std::runtime_error("metrics: cannot listen on " + config.listen + ": " + error.what());
  }
  exposer_->RegisterCollectable(metrics.collectable());
  for (int port : exposer_->GetListeningPorts()) ports_.push_back(static_cast<uint16_t>(port));
  size_t added = 0;
  try {
    for (; added < ports_.size(); ++added) HealthRoutes::add(ports_[added], health_);
  } catch (...) {
    for (size_t i = 0; i < added; ++i) HealthRoutes::remove(ports_[i]);
    throw;
  }
}

HttpEndpoint::~HttpEndpoint() {
  exposer_.reset();  // joins civetweb's threads: no request is running after this
  for (uint16_t port : ports_) HealthRoutes::remove(port);
}

std::vector<uint16_t> HttpEndpoint::ports() const {
  return ports_;
}

}  // namespace portcullis::metrics
