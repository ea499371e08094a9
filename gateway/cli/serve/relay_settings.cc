#include "gateway/cli/serve/relay_settings.h"

namespace portcullis::cli {

namespace {

smtp::TlsMode tlsMode(config::RelayTls tls) {
  switch (tls) {
    case config::RelayTls::None:
      return smtp::TlsMode::None;
    case config::RelayTls::Required:
      return smtp::TlsMode::Required;
    case config::RelayTls::Opportunistic:
      break;
  }
  return smtp::TlsMode::Opportunistic;
}

smtp::LongLineAction longLineAction(config::LongLines long_lines) {
  switch (long_lines) {
    case config::LongLines::Refuse:
      return smtp::LongLineAction::Refuse;
    case config::LongLines::Wrap:
      break;
  }
  return smtp::LongLineAction::Wrap;
}

}  // namespace

std::shared_ptr<asio::ssl::context> clientTlsContext(const config::RelayConfig& relay) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3);
  if (relay.tls_verify) {
    if (relay.tls_ca_file.empty()) {
      ctx->set_default_verify_paths();
    } else {
      ctx->load_verify_file(relay.tls_ca_file.string());
    }
  }
  return ctx;
}

relay::RelayObserver relayObserver(metrics::Metrics& metrics) {
  relay::RelayObserver observer;
  observer.attempt = [&metrics](int code) { metrics.relayAttempt(code).Increment(); };
  observer.tls = [&metrics](const TlsInfo& tls) {
    metrics.tlsSessions(metrics::TlsDirection::Outbound, tls.version).Increment();
  };
  return observer;
}

smtp::ClientSettings relayClientSettings(const config::GatewayConfig& config) {
  smtp::ClientSettings relay;
  relay.host = config.relay.host;
  relay.port = config.relay.port;
  relay.helo_name = config.server.hostname;
  relay.tls = tlsMode(config.relay.tls);
  relay.tls_verify = config.relay.tls_verify;
  relay.connect_timeout = config.relay.connect_timeout;
  relay.command_timeout = config.relay.command_timeout;
  relay.data_timeout = config.relay.data_timeout;
  return relay;
}

smtp::LongLinePolicy longLinePolicy(const config::RelayConfig& relay) {
  return {relay.line_length_limit, longLineAction(relay.long_lines)};
}

relay::QueueRunnerSettings queueRunnerSettings(const config::GatewayConfig& config) {
  relay::QueueRunnerSettings s;
  s.client = relayClientSettings(config);
  s.concurrency = config.relay.concurrency;
  s.max_messages_per_connection = config.relay.max_messages_per_connection;
  s.idle_timeout = config.relay.idle_timeout;
  s.scan_interval = config.queue.scan_interval;
  s.outage_probe_interval = config.relay.outage_probe_interval;
  s.backoff.retry_min = config.queue.retry_min;
  s.backoff.retry_max = config.queue.retry_max;
  s.backoff.delay_warning = config.queue.delay_warning;
  s.backoff.max_lifetime = config.queue.max_lifetime;
  s.dsn.reporting_mta = config.server.hostname;
  s.dsn.max_returned_size = config.queue.max_returned_size;
  s.dsn.line_length_limit = config.relay.line_length_limit;
  s.long_lines = longLinePolicy(config.relay);
  return s;
}

}  // namespace portcullis::cli
