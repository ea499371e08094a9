#include "gateway/cli/runtime.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "gateway/cli/check_catalog.h"
#include "gateway/cli/serve/gateway.h"
#include "gateway/cli/serve/relay_settings.h"
#include "gateway/cli/server_tls_context.h"
#include "gateway/core/text.h"
#include "gateway/digest/digest_settings.h"
#include "gateway/metrics/check_observer.h"
#include "gateway/metrics/metrics.h"
#include "gateway/metrics/metrics_config.h"
#include "gateway/milter/milter_settings.h"
#include "gateway/mime/message.h"
#include "gateway/pipeline/authentication_results.h"
#include "gateway/pipeline/message_log.h"
#include "gateway/quarantine/quarantine_config.h"
#include "gateway/relay/proxy_delivery.h"
#include "gateway/relay/recipient_prober.h"
#include "gateway/web/web_config.h"

namespace portcullis::cli {

namespace {

metrics::ConnectionResult connectionResult(std::string_view result) {
  if (result == "accepted") return metrics::ConnectionResult::Accepted;
  if (result == "shutting_down") return metrics::ConnectionResult::TempFailed;
  return metrics::ConnectionResult::Overloaded;
}

smtp::VerifyMode verifyMode(config::RecipientVerify verify) {
  switch (verify) {
    case config::RecipientVerify::List:
      return smtp::VerifyMode::List;
    case config::RecipientVerify::Probe:
      return smtp::VerifyMode::Probe;
    case config::RecipientVerify::None:
      break;
  }
  return smtp::VerifyMode::None;
}

smtp::BareLineEndPolicy bareLineEndPolicy(config::BareLineEnds bare_line_ends) {
  switch (bare_line_ends) {
    case config::BareLineEnds::Normalize:
      return smtp::BareLineEndPolicy::Normalize;
    case config::BareLineEnds::Reject:
      break;
  }
  return smtp::BareLineEndPolicy::Reject;
}

LogFormat logFormat(config::LogFormat format) {
  switch (format) {
    case config::LogFormat::Json:
      return LogFormat::Json;
    case config::LogFormat::Text:
      break;
  }
  return LogFormat::Text;
}

std::shared_ptr<smtp::Delivery> proxyDelivery(const config::GatewayConfig& config,
                                              const RuntimeServices& services) {
  return std::make_shared<relay::ProxyDelivery>(
      relayClientSettings(config), clientTlsContext(config.relay),
      services.metrics ? relayObserver(*services.metrics) : relay::RelayObserver{},
      longLinePolicy(config.relay),
      relay::DownstreamPoolLimits{config.relay.max_messages_per_connection,
                                  config.relay.idle_timeout, config.relay.proxy_idle_connections});
}

// The delivery of relay.mode: the spool's, or proxy mode's pool of connections to the internal
// MTA (also in spool mode when there is no spool, as in `config check`).
std::shared_ptr<smtp::Delivery> delivery(const config::GatewayConfig& config,
                                         const RuntimeServices& services) {
  switch (config.relay.mode) {
    case config::RelayMode::Spool:
      if (services.spool_delivery) return services.spool_delivery;
      break;
    case config::RelayMode::Proxy:
      break;
  }
  return proxyDelivery(config, services);
}

PolicySettings policySettings(const config::PolicyRulesConfig& rules) {
  return PolicySettings{rules.tag_threshold, rules.quarantine_threshold, rules.reject_threshold,
                        rules.subject_prefix, rules.reveal_symbols};
}

}  // namespace

mime::Limits mimeLimits(const config::MimeConfig& mime) {
  return {mime.max_depth,         mime.max_parts,      mime.max_decoded_bytes,
          mime.max_header_fields, mime.max_text_bytes, mime.max_uris};
}

std::shared_ptr<const Policy> buildPolicy(const config::GatewayConfig& config) {
  const config::PolicyConfig& p = config.policy;
  std::vector<DomainPolicy> domains;
  for (const auto& d : p.domains) domains.push_back({d.domain, policySettings(d)});
  return std::make_shared<const Policy>(policySettings(p), std::move(domains), p.lists);
}

std::shared_ptr<smtp::SessionContext> buildSessionContext(const config::GatewayConfig& config,
                                                          RuntimeServices& services) {
  auto ctx = std::make_shared<smtp::SessionContext>();
  ctx->hostname = config.server.hostname;
  ctx->protocol.hostname = config.server.hostname;
  ctx->protocol.max_message_size = config.limits.max_message_size;
  ctx->protocol.max_recipients = config.limits.max_recipients;
  ctx->protocol.max_errors = config.limits.max_errors;
  ctx->protocol.tls_available = config.tls.enabled();
  ctx->protocol.tls_required = config.tls.required;
  ctx->max_line_length = config.limits.max_line_length;
  ctx->max_header_size = config.limits.max_header_size;
  ctx->command_timeout = config.limits.command_timeout;
  ctx->data_timeout = config.limits.data_timeout;
  if (config.server.client_reverse_lookup) ctx->resolver = services.resolver;
  ctx->bare_line_ends = bareLineEndPolicy(config.limits.bare_line_ends);
  ctx->long_lines = longLinePolicy(config.relay);

  CheckDeps deps{services.workers, services.resolver, config.queue.directory / "cache",
                 services.filter_events, services.use};
  CheckObserver check_observer;
  std::vector<std::shared_ptr<const Check>> checks = buildChecks(config.document, deps);
  if (services.metrics) {
    check_observer = metrics::observeChecks(*services.metrics);
    for (const auto& check : checks) services.metrics->declareCheck(check->name());
  }
  ctx->pipeline =
      std::make_shared<Pipeline>(std::move(checks), config.pipeline.check_timeout, check_observer);
  ctx->parse = [limits = mimeLimits(config.mime)](std::string_view raw) {
    return std::make_shared<const mime::Message>(mime::Message::parse(raw, limits));
  };
  ctx->authentication_results = [id = config.server.authserv_id](const Report& report) {
    return std::optional<HeaderField>(HeaderField{
        "Authentication-Results", pipeline::renderAuthenticationResults(report.auth(), id, " ")});
  };
  ctx->remove_field = [id = config.server.authserv_id](std::string_view name,
                                                       std::string_view value) {
    return iequals(name, "Authentication-Results") && pipeline::claimsAuthservId(value, id);
  };
  ctx->policy = buildPolicy(config);
  std::shared_ptr<smtp::RecipientVerifier> prober;
  if (config.domains.verify == config::RecipientVerify::Probe) {
    relay::ProbeSettings probe{relayClientSettings(config), config.domains.probe_positive_ttl,
                               config.domains.probe_negative_ttl};
    prober = std::make_shared<relay::RecipientProber>(probe, clientTlsContext(config.relay));
  }
  ctx->recipients = std::make_shared<smtp::RecipientPolicy>(
      config.domains.local, config.domains.recipients, verifyMode(config.domains.verify), prober);
  ctx->tls = serverTlsContext(config);

  ctx->quarantine = services.quarantine;
  ctx->delivery = delivery(config, services);

  LogFormat format = logFormat(config.log.format);
  metrics::Metrics* metrics = services.metrics;
  ctx->record_message = [format, metrics, count = services.count_verdict](const MessageRecord& r) {
    if (metrics) metrics->recordVerdict(r.verdict);
    if (count) count(r.verdict.action);
    spdlog::info(formatMessageLog({r.tx, r.verdict, r.reply.code, r.reply.enhanced, r.reply.text,
                                   r.size, r.checks_time, r.delivery_time},
                                  format));
  };
  if (metrics) {
    ctx->observer.connection = [metrics](std::string_view result) {
      metrics->connections(connectionResult(result)).Increment();
    };
    ctx->observer.tls = [metrics](const TlsInfo& tls) {
      metrics->tlsSessions(metrics::TlsDirection::Inbound, tls.version).Increment();
    };
  }
  return ctx;
}

dns::DnsConfig dnsConfig(const config::GatewayConfig& config) {
  config::Section root = config.document.root();
  auto section = root.sub("dns");
  return section ? dns::readDnsConfig(*section) : dns::DnsConfig{};
}

void validateServices(const config::GatewayConfig& config) {
  dnsConfig(config);
  metrics::readMetricsConfig(config.document);
  quarantine::loadQuarantineConfig(config.document);
  web::loadWebConfig(config);
  digest::loadDigestSettings(config);
  config::Section root = config.document.root();
  if (auto section = root.sub("milter")) {
    milter::readMilterConfig(*section, config.pipeline.check_timeout);
  }
}

int serve(const std::filesystem::path& config_path) {
  Gateway gateway(config_path);
  return gateway.run();
}

}  // namespace portcullis::cli
