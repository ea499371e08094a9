#include "gateway/cli/runtime.h"

#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <sys/resource.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "gateway/cli/check_catalog.h"
#include "gateway/cli/pid_file.h"
#include "gateway/cli/server_tls_context.h"
#include "gateway/core/offload.h"
#include "gateway/core/text.h"
#include "gateway/digest/digest_schedule.h"
#include "gateway/dns/cares_resolver.h"
#include "gateway/dns/dns_config.h"
#include "gateway/metrics/check_observer.h"
#include "gateway/metrics/http_endpoint.h"
#include "gateway/metrics/learn_ledger.h"
#include "gateway/metrics/load_tracker.h"
#include "gateway/metrics/metrics.h"
#include "gateway/metrics/metrics_config.h"
#include "gateway/metrics/readiness.h"
#include "gateway/milter/milter_server.h"
#include "gateway/mime/message.h"
#include "gateway/pipeline/authentication_results.h"
#include "gateway/pipeline/context_holder.h"
#include "gateway/pipeline/message_log.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/quarantine/quarantine_config.h"
#include "gateway/quarantine/verdict_history.h"
#include "gateway/relay/proxy_delivery.h"
#include "gateway/relay/quarantine_keeper.h"
#include "gateway/relay/queue_runner.h"
#include "gateway/relay/recipient_prober.h"
#include "gateway/relay/spool_delivery.h"
#include "gateway/smtp/server.h"
#include "gateway/web/web_config.h"
#include "gateway/web/web_console.h"

namespace portcullis::cli {

namespace {

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

// Counts the relay attempts and outbound TLS sessions of either delivery mode.
relay::RelayObserver relayObserver(metrics::Metrics& metrics) {
  relay::RelayObserver observer;
  observer.attempt = [&metrics](int code) { metrics.relayAttempt(code).Increment(); };
  observer.tls = [&metrics](const TlsInfo& tls) {
    metrics.tlsSessions(metrics::TlsDirection::Outbound, tls.version).Increment();
  };
  return observer;
}

metrics::ConnectionResult connectionResult(std::string_view result) {
  if (result == "accepted") return metrics::ConnectionResult::Accepted;
  if (result == "shutting_down") return metrics::ConnectionResult::TempFailed;
  return metrics::ConnectionResult::Overloaded;
}

smtp::TlsMode tlsMode(const std::string& mode) {
  if (mode == "none") return smtp::TlsMode::None;
  if (mode == "required") return smtp::TlsMode::Required;
  return smtp::TlsMode::Opportunistic;
}

smtp::VerifyMode verifyMode(const std::string& mode) {
  if (mode == "list") return smtp::VerifyMode::List;
  if (mode == "probe") return smtp::VerifyMode::Probe;
  return smtp::VerifyMode::None;
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
  return {relay.line_length_limit,
          relay.long_lines == "refuse" ? smtp::LongLineAction::Refuse : smtp::LongLineAction::Wrap};
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

void setUpLogging(const config::LogConfig& log) {
  std::shared_ptr<spdlog::logger> logger;
  if (log.file.empty()) {
    logger = spdlog::stderr_logger_mt("portcullis");
  } else {
    logger = spdlog::basic_logger_mt("portcullis", log.file.string());
  }
  logger->set_level(spdlog::level::from_str(log.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

namespace {

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
  ctx->bare_line_ends = config.limits.bare_line_ends == "normalize"
                            ? smtp::BareLineEndPolicy::Normalize
                            : smtp::BareLineEndPolicy::Reject;
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
  if (config.domains.verify == "probe") {
    relay::ProbeSettings probe{relayClientSettings(config), config.domains.probe_positive_ttl,
                               config.domains.probe_negative_ttl};
    prober = std::make_shared<relay::RecipientProber>(probe, clientTlsContext(config.relay));
  }
  ctx->recipients = std::make_shared<smtp::RecipientPolicy>(
      config.domains.local, config.domains.recipients, verifyMode(config.domains.verify), prober);
  ctx->tls = serverTlsContext(config);

  smtp::ClientSettings relay = relayClientSettings(config);
  ctx->quarantine = smtp::quarantineStore(services.quarantine);
  if (config.relay.mode == "proxy" || !services.spool_delivery) {
    ctx->delivery = std::make_shared<relay::ProxyDelivery>(
        relay, clientTlsContext(config.relay),
        services.metrics ? relayObserver(*services.metrics) : relay::RelayObserver{},
        longLinePolicy(config.relay),
        relay::DownstreamPoolLimits{config.relay.max_messages_per_connection,
                                    config.relay.idle_timeout,
                                    config.relay.proxy_idle_connections});
  } else {
    ctx->delivery = services.spool_delivery;
  }

  LogFormat format = config.log.format == "json" ? LogFormat::Json : LogFormat::Text;
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

namespace {

dns::DnsConfig dnsConfig(const config::GatewayConfig& config) {
  config::Section root = config.document.root();
  auto section = root.sub("dns");
  return section ? dns::readDnsConfig(*section) : dns::DnsConfig{};
}

// SIGHUP work runs here, off the I/O threads: rebuilding the checks may compile rules.
class Reloader {
 public:
  ~Reloader() {
    if (thread_.joinable()) thread_.join();
  }
  // Starts `work` unless a reload is still running (then the request is logged and dropped).
  void request(std::function<void()> work) {
    if (running_.exchange(true)) {
      spdlog::warn("reload already in progress; SIGHUP ignored");
      return;
    }
    if (thread_.joinable()) thread_.join();
    thread_ = std::thread([this, work = std::move(work)] {
      work();
      running_ = false;
    });
  }

 private:
  std::atomic<bool> running_{false};
  std::thread thread_;
};

// Removes quarantined messages older than the retention, every expire_interval.
awaitable<void> expireQuarantine(std::shared_ptr<quarantine::Quarantine> store,
                                 quarantine::QuarantineConfig settings,
                                 asio::thread_pool& workers) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    timer.expires_after(settings.expire_interval);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    auto expire = [&store, &settings] { return store->expire(settings.retention); };
    auto report = co_await offload(workers, std::move(expire));
    if (!report.removed.empty()) {
      spdlog::info("quarantine: {} messages past retention removed", report.removed.size());
    }
    for (const auto& e : report.errors) spdlog::error("quarantine: {}", e);
  }
}

// What the gateway may hold open at once, besides its SMTP sessions. Generous on purpose: the
// estimate decides a warning, not a hard cap.
// The process itself: stdio, the log file, the event loop (epoll, eventfd, timerfd), the signal
// pipe, the listeners, the metrics endpoint and a scrape, the resolver's sockets, the pid file, the
// listener's reserve descriptor for 421 answers, and the store files (quarantine, rule cache).
constexpr size_t kProcessDescriptors = 64;
// Per SMTP session: the client's socket and either the queue file being written (spool mode) or
// the connection to the internal MTA (proxy mode); one more for a recipient probe (verify =
// "probe").
constexpr size_t kSessionDescriptors = 2;
constexpr size_t kProbeDescriptors = 1;
// Per queue runner delivery (relay.concurrency): its connection and the queue file it reads.
constexpr size_t kDeliveryDescriptors = 2;
// Per pipeline worker: a file or socket a check holds while it runs (ClamAV's socket, a cache).
constexpr size_t kWorkerDescriptors = 2;
// The milter front end: one per MTA connection; Postfix opens at most one per smtpd process, and
// its default_process_limit is 100.
constexpr size_t kMilterDescriptors = 100;

struct DescriptorNeeds {
  size_t fixed = 0;        // everything but the SMTP sessions
  size_t per_session = 0;  // each SMTP session
  size_t total(size_t sessions) const { return fixed + per_session * sessions; }
};

DescriptorNeeds descriptorNeeds(const config::GatewayConfig& config, size_t workers) {
  DescriptorNeeds needs;
  needs.fixed = kProcessDescriptors + kWorkerDescriptors * workers;
  if (config.relay.mode == "spool") needs.fixed += kDeliveryDescriptors * config.relay.concurrency;
  if (config.relay.mode == "proxy") needs.fixed += config.relay.proxy_idle_connections;
  if (config.document.root().sub("milter")) needs.fixed += kMilterDescriptors;
  needs.per_session =
      kSessionDescriptors + (config.domains.verify == "probe" ? kProbeDescriptors : 0);
  return needs;
}

// Raises the soft descriptor limit to the hard one, then compares it with what the configuration
// needs. Too few for max_connections: a loud warning, not a refusal, because running short is a
// degraded mode the listener handles (it pauses accepting and answers 421 4.3.2), while refusing
// to start would stop all mail after a restart. Too few for even one session: a refusal.
void raiseDescriptorLimit(const config::GatewayConfig& config, size_t workers) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot read the descriptor limit: {}", std::strerror(errno));
    return;
  }
  rlim_t target = limit.rlim_max;
  if (target == RLIM_INFINITY) {
    // Linux caps the soft limit at fs.nr_open.
    unsigned long nr_open = 1u << 20;
    if (FILE* f = std::fopen("/proc/sys/fs/nr_open", "r")) {
      if (std::fscanf(f, "%lu", &nr_open) != 1) nr_open = 1u << 20;
      std::fclose(f);
    }
    target = nr_open;
  }
  if (limit.rlim_cur < target) {
    rlimit raised{target, limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit.rlim_cur = target;
    } else {
      spdlog::warn("cannot raise the descriptor limit from {} to {}: {}", limit.rlim_cur, target,
                   std::strerror(errno));
    }
  }
  DescriptorNeeds needs = descriptorNeeds(config, workers);
  size_t needed = needs.total(config.server.max_connections);
  if (limit.rlim_cur < needs.total(1)) {
    throw std::runtime_error(
        fmt::format("the descriptor limit ({}, hard limit {}) is too low to serve even one "
                    "connection (about {} "
                    "needed); raise it (ulimit -n, systemd LimitNOFILE=)",
                    limit.rlim_cur, limit.rlim_max, needs.total(1)));
  }
  if (limit.rlim_cur < needed) {
    size_t fit = (limit.rlim_cur - needs.fixed) / needs.per_session;
    spdlog::error(
        "DESCRIPTOR LIMIT TOO LOW: server.max_connections = {} needs about {} descriptors, the "
        "limit is {} (hard limit {}); about {} connections fit, more get 421 4.3.2 while "
        "descriptors are short. Raise the limit (ulimit -n, systemd LimitNOFILE=) or lower "
        "max_connections",
        config.server.max_connections, needed, limit.rlim_cur, limit.rlim_max, fit);
  } else {
    spdlog::info("descriptor limit {}: enough for max_connections = {} (about {} needed)",
                 limit.rlim_cur, config.server.max_connections, needed);
  }
}

}  // namespace

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
  config::GatewayConfig config = config::loadGatewayConfigFile(config_path);
  setUpLogging(config.log);
  metrics::Metrics metrics;
  size_t workers = config.pipeline.workers ? config.pipeline.workers
                                           : std::max(1u, std::thread::hardware_concurrency());
  raiseDescriptorLimit(config, workers);
  asio::thread_pool worker_pool(workers);
  asio::io_context io(static_cast<int>(config.server.io_threads));
  dns::CaresResolver resolver(io.get_executor(), dnsConfig(config), &metrics.registry());
  RuntimeServices services{worker_pool, nullptr, &resolver, &metrics, nullptr};
  services.use = CheckUse::Serving;

  auto quarantine_config = quarantine::loadQuarantineConfig(config.document);
  auto opened_quarantine = quarantine::Quarantine::open(quarantine_config.directory);
  if (!opened_quarantine) {
    throw std::runtime_error("quarantine.directory: " + opened_quarantine.error);
  }
  std::shared_ptr<quarantine::Quarantine> quarantine_store = std::move(*opened_quarantine);
  for (const auto& note : quarantine_store->openNotes()) spdlog::warn("quarantine: {}", note);
  services.quarantine = std::make_shared<relay::QuarantineKeeper>(quarantine_store, worker_pool);
  asio::co_spawn(io, expireQuarantine(quarantine_store, quarantine_config, worker_pool),
                 asio::detached);
  auto opened_history = quarantine::VerdictHistory::open(
      quarantine_config.directory / quarantine::kVerdictHistoryFile,
      quarantine_config.history_retention);
  if (!opened_history) throw std::runtime_error("quarantine.directory: " + opened_history.error);
  std::shared_ptr<quarantine::VerdictHistory> verdict_history = std::move(*opened_history);
  verdict_history->startFlushing(quarantine_config.history_flush_interval, [&metrics] {
    metrics.backgroundFailures(metrics::BackgroundTask::VerdictHistory).Increment();
  });
  services.count_verdict = [verdict_history](Action action) { verdict_history->record(action); };
  metrics::ScrapeHook quarantine_gauges = metrics.onScrape([&metrics, quarantine_store] {
    if (auto usage = quarantine_store->size()) {
      metrics.quarantineMessages().Set(static_cast<double>(usage->count));
      metrics.quarantineBytes().Set(static_cast<double>(usage->bytes));
    }
  });

  // The classifier's store size, and what `portcullis learn` and `quarantine release` taught it,
  // read at each scrape.
  metrics::LearnLedgerWatcher learn_ledger(config.queue.directory / metrics::kLearnLedgerName,
                                           metrics.classifier());
  metrics::ScrapeHook classifier_gauges = metrics.onScrape([&metrics, &learn_ledger] {
    learn_ledger.refresh();
    metrics.classifier().refreshStoreSize();
  });

  // Served from here on, so /healthz answers and /readyz says "not ready" while the checks load.
  metrics::LoadTracker loads(metrics);
  std::optional<metrics::HttpEndpoint> endpoint;
  auto metrics_config = metrics::readMetricsConfig(config.document);
  if (metrics_config.enabled) {
    auto queue_dir = config.queue.directory;
    bool spooling = config.relay.mode == "spool";
    endpoint.emplace(
        metrics_config, metrics,
        metrics::withNote(
            metrics::allOf({{[&loads] { return loads.rulesReady(); }, "no rules loaded"},
                            {[&loads] { return loads.signaturesReady(); }, "no signatures loaded"},
                            {[queue_dir, spooling] {
                               return !spooling || metrics::directoryWritable(queue_dir);
                             },
                             "spool not writable"}}),
            [&loads] {
              const std::string engine = loads.rulesEngine();
              return engine.empty() ? engine : "rules: " + engine;
            }));
    // The bound port, not the configured one: "127.0.0.1:0" asks for an ephemeral port.
    std::string host = metrics_config.listen.substr(0, metrics_config.listen.rfind(':'));
    for (uint16_t port : endpoint->ports()) {
      spdlog::info("metrics on http://{}:{}/metrics", host, port);
    }
  }

  // The oldest queued message's arrival (0: queue empty), so its age is current at every scrape
  // and not only when the queue changes.
  std::atomic<int64_t> oldest_arrival_seconds{0};
  metrics::ScrapeHook queue_age = metrics.onScrape([&metrics, &oldest_arrival_seconds] {
    int64_t arrival = oldest_arrival_seconds.load();
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    metrics.queueOldestAge().Set(arrival == 0 ? 0.0 : static_cast<double>(now - arrival));
  });
  std::optional<spool::Spool> spool;
  std::unique_ptr<relay::QueueRunner> runner;
  metrics::ScrapeHook held_count;  // declared after the spool: unregistered before it closes
  if (config.relay.mode == "spool") {
    auto opened = spool::Spool::open(config.queue.directory, spool::SpoolAccess::Owner);
    if (!opened) throw std::runtime_error("queue.directory: " + opened.error);
    spool.emplace(std::move(*opened));
    auto recovery = spool->recover();
    for (const auto& f : recovery.removed_tmp) spdlog::info("spool: removed half-written {}", f);
    for (const auto& id : recovery.restored_from_journal) {
      spdlog::info("spool: {} restored from the commit journal", id);
    }
    for (const auto& c : recovery.corrupt) {
      spdlog::error("spool: {} is damaged ({}), moved to {}", c.file, c.reason, c.moved_to);
    }
    for (const auto& e : recovery.errors) spdlog::error("spool: {}", e);
    spdlog::info("spool {}: {} messages queued", config.queue.directory.string(),
                 recovery.entries.size());
    if (config.queue.group_commit) {
      auto enabled =
          spool->enableGroupCommit({.window = config.queue.commit_window,
                                    .max_batch_messages = config.queue.commit_batch_max,
                                    .checkpoint_interval = config.queue.checkpoint_interval,
                                    .spare_files = config.queue.spare_files,
                                    .removal_delay = config.queue.removal_delay});
      if (!enabled) throw std::runtime_error("queue.directory: " + enabled.error);
    }
    relay::QueueObserver queue_observer;
    queue_observer.relay = relayObserver(metrics);
    queue_observer.queue = [&metrics, &oldest_arrival_seconds](size_t size,
                                                               std::chrono::seconds oldest) {
      metrics.queueMessages().Set(static_cast<double>(size));
      auto arrival = std::chrono::system_clock::now() - oldest;
      oldest_arrival_seconds =
          size == 0 ? 0
                    : std::chrono::duration_cast<std::chrono::seconds>(arrival.time_since_epoch())
                          .count();
    };
    queue_observer.held = [&metrics](const std::string&) { metrics.queueHeld().Increment(); };
    runner =
        std::make_unique<relay::QueueRunner>(io, worker_pool, *spool, queueRunnerSettings(config),
                                             clientTlsContext(config.relay), queue_observer);
    runner->start(recovery.entries);
    held_count = metrics.onScrape([&metrics, &spool] {
      metrics.queueHeldMessages().Set(static_cast<double>(spool->heldCount()));
    });
    services.spool_delivery = std::make_shared<relay::SpoolDelivery>(
        *spool, worker_pool, [r = runner.get()](const std::string& id) { r->enqueue(id); });
  }
  // The context every new SMTP session, milter connection and console explanation starts with
  // (set below once the checks are built; replaced by each reload).
  auto contexts = std::make_shared<ContextHolder<smtp::SessionContext>>(nullptr);
  // The web console ([web]) on its own thread; a release hands the copy to the runner's thread.
  std::unique_ptr<web::WebServer> web_console = web::startWebConsole(
      config, quarantine_store, spool ? &*spool : nullptr,
      [&io, r = runner.get()](const std::string& id) {
        asio::post(io, [r, id] { r->enqueue(id); });
      },
      serverTlsContext(config), verdict_history,
      [contexts]() -> std::shared_ptr<const Pipeline> {
        auto current = contexts->current();
        return current ? current->pipeline : nullptr;
      });
  // The recipients' daily digests ([quarantine.digest]; refused in proxy mode at config time).
  if (auto digest_settings = digest::loadDigestSettings(config); digest_settings && runner) {
    asio::co_spawn(io,
                   digest::runDailyDigests(
                       std::make_shared<const digest::DigestSettings>(std::move(*digest_settings)),
                       quarantine_store, *spool, worker_pool,
                       [r = runner.get()](const std::string& id) { r->enqueue(id); },
                       [&metrics] {
                         metrics.backgroundFailures(metrics::BackgroundTask::Digest).Increment();
                       }),
                   asio::detached);
  }
  metrics::LoadTracker::Generation first_loads = loads.begin();
  services.filter_events = first_loads.events();
  contexts->replace(buildSessionContext(config, services));
  smtp::Server server(io,
                      {config.server.max_connections, config.server.max_connections_per_ip,
                       config.server.accept_backoff_min, config.server.accept_backoff_max,
                       config.server.accept_error_log_interval, config.server.io_threads},
                      contexts);
  first_loads.activate();
  metrics.reloadSucceeded(metrics::ReloadComponent::Config);
  for (const auto& l : config.server.listen) server.listen(l.host, l.port);
  server.start();
  for (auto port : server.boundPorts()) spdlog::info("listening for SMTP on port {}", port);
  std::optional<PidFile> pid_file;
  if (!config.server.pid_file.empty()) pid_file.emplace(config.server.pid_file);

  // The milter front end (threads of its own that never take our signals).
  std::unique_ptr<milter::MilterServer> milter_server;
  config::Section root = config.document.root();
  if (auto section = root.sub("milter")) {
    milter::MilterConfig milter_config =
        milter::readMilterConfig(*section, config.pipeline.check_timeout);
    milter_server = std::make_unique<milter::MilterServer>(
        milter_config.listen, [contexts] { return contexts->current(); }, milter_config.settings);
    milter_server->start();
  }

  Reloader reloader;
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          reloader.request([&] {
            try {
              auto fresh = config::loadGatewayConfigFile(config_path);
              const std::optional<web::WebConfig> fresh_web = web::loadWebConfig(fresh);
              metrics::LoadTracker::Generation fresh_loads = loads.begin();
              RuntimeServices fresh_services = services;
              fresh_services.filter_events = fresh_loads.events();
              contexts->replace(buildSessionContext(fresh, fresh_services));
              web::reloadWebConsole(web_console.get(), fresh_web);
              fresh_loads.activate();
              metrics.reloadSucceeded(metrics::ReloadComponent::Config);
              spdlog::info("configuration reloaded from {}", config_path.string());
            } catch (const std::exception& e) {
              metrics.reloadFailed(metrics::ReloadComponent::Config);
              spdlog::error("reload failed, keeping the running configuration: {}", e.what());
            }
          });
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("signal {}: stopping, sessions get {} ms to finish", signal,
                     config.server.shutdown_grace.count());
        asio::co_spawn(
            io,
            [&]() -> awaitable<void> {
              co_await server.stop(config.server.shutdown_grace);
              if (runner) co_await runner->stop();
              io.stop();
            },
            asio::detached);
      };
  signals.async_wait(on_signal);

  std::vector<std::thread> threads;
  for (size_t i = 1; i < config.server.io_threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  if (milter_server) milter_server->stop();
  verdict_history->stopFlushing();
  worker_pool.join();
  if (spool && spool->groupCommitEnabled()) {
    auto stats = spool->groupCommitStats();
    spdlog::info("spool: {} messages stored in {} journal syncs", stats.messages, stats.batches);
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace portcullis::cli
