// What a configuration turns into for the front ends: the session context (checks, pipeline,
// policy, recipient rules, delivery, TLS, the per-message log line) built from the services that
// outlive one configuration, shared by `serve`, `config check`, `scan` and `learn`; the start-up
// sections' validation; and `serve`, which runs a Gateway (serve/gateway.h).
#pragma once

#include <filesystem>
#include <memory>

#include "gateway/config/gateway_config.h"
#include "gateway/core/check_factory.h"
#include "gateway/core/filter_events.h"
#include "gateway/dns/dns_config.h"
#include "gateway/dns/resolver.h"
#include "gateway/mime/message.h"
#include "gateway/pipeline/policy.h"
#include "gateway/pipeline/quarantine_store.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::metrics {
class Metrics;
}

namespace portcullis::cli {

// Everything a session context is built from that outlives one configuration.
struct RuntimeServices {
  asio::thread_pool& workers;
  // Spool mode: where accepted messages go (null in proxy mode and in `config check`).
  std::shared_ptr<smtp::Delivery> spool_delivery;
  dns::Resolver* resolver = nullptr;    // null in `config check`: DNS checks are then not built
  metrics::Metrics* metrics = nullptr;  // null in `config check`
  std::shared_ptr<QuarantineStore> quarantine;  // null in `config check`
  FilterEvents filter_events;                   // what the checks load and scan, for the metrics
  CheckUse use = CheckUse::Offline;             // Serving in `serve`, Validation in `config check`
  std::function<void(Action)> count_verdict;    // the verdict history's record(); may be empty
};

// The MIME parser's limits of [mime] (shared by SMTP, milter and `portcullis scan`).
mime::Limits mimeLimits(const config::MimeConfig& mime);

// The verdict policy of [policy] (shared by SMTP, milter and `portcullis scan`).
std::shared_ptr<const Policy> buildPolicy(const config::GatewayConfig& config);

// Builds the session context the configuration describes (checks compiled, TLS loaded). Throws
// config::ConfigError or std::runtime_error with a clear message.
std::shared_ptr<smtp::SessionContext> buildSessionContext(const config::GatewayConfig& config,
                                                          RuntimeServices& services);

// The [dns] settings (the defaults without [dns]); throws ConfigError.
dns::DnsConfig dnsConfig(const config::GatewayConfig& config);

// Validates the sections read once at start-up ([dns], [metrics]); throws ConfigError.
void validateServices(const config::GatewayConfig& config);

// `portcullis serve`: runs until SIGTERM/SIGINT. Returns the process exit status.
int serve(const std::filesystem::path& config_path);

}  // namespace portcullis::cli
