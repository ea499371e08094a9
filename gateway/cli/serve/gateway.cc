#include "gateway/cli/serve/gateway.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <thread>
#include <vector>

#include "gateway/cli/serve/descriptor_limit.h"
#include "gateway/cli/serve/logging.h"
#include "gateway/cli/serve/milter_front_end.h"
#include "gateway/cli/server_tls_context.h"
#include "gateway/config/restart_scope.h"
#include "gateway/digest/digest_schedule.h"
#include "gateway/digest/digest_settings.h"
#include "gateway/web/web_config.h"

namespace portcullis::cli {

namespace {

config::GatewayConfig loadConfigAndStartLogging(const std::filesystem::path& path) {
  config::GatewayConfig config = config::loadGatewayConfigFile(path);
  setUpLogging(config.log);
  return config;
}

// The worker pool's size ([pipeline] workers; 0: one per core), once the descriptor limit has
// been raised for that many workers.
size_t workerThreads(const config::GatewayConfig& config) {
  size_t workers = config.pipeline.workers ? config.pipeline.workers
                                           : std::max(1u, std::thread::hardware_concurrency());
  raiseDescriptorLimit(config, workers);
  return workers;
}

}  // namespace

Gateway::Gateway(std::filesystem::path config_path)
    : config_path_(std::move(config_path)),
      config_(loadConfigAndStartLogging(config_path_)),
      workers_(workerThreads(config_)),
      io_(static_cast<int>(config_.server.io_threads)),
      resolver_(io_.get_executor(), dnsConfig(config_), &metrics_.registry()),
      quarantine_(config_.document, io_, workers_, metrics_),
      metrics_service_(config_, metrics_),
      queue_(config_, io_, workers_, metrics_),
      contexts_(runtimeServices(), metrics_service_.loads()) {
  startWebConsole();
  startDigests();
  startSmtp();
  if (!config_.server.pid_file.empty()) pid_file_.emplace(config_.server.pid_file);
  milter_ = startMilter(config_, contexts_.holder());
  signals_.emplace(io_, SIGTERM, SIGINT, SIGHUP);
  awaitSignal();
}

RuntimeServices Gateway::runtimeServices() {
  RuntimeServices services{workers_, queue_.delivery(), &resolver_, &metrics_,
                           quarantine_.keeper()};
  services.use = CheckUse::Serving;
  services.count_verdict = [history = quarantine_.history()](Action action) {
    history->record(action);
  };
  return services;
}

// The web console ([web]) on its own thread; a release hands the copy to the runner's thread.
void Gateway::startWebConsole() {
  web_console_ = web::startWebConsole(
      config_, quarantine_.store(), queue_.spool(),
      [this, r = queue_.runner()](const std::string& id) {
        asio::post(io_, [r, id] { r->enqueue(id); });
      },
      serverTlsContext(config_), quarantine_.history(),
      [contexts = contexts_.holder()]() -> std::shared_ptr<const Pipeline> {
        auto current = contexts->current();
        return current ? current->pipeline : nullptr;
      });
}

// The recipients' daily digests ([quarantine.digest]; refused in proxy mode at config time).
void Gateway::startDigests() {
  auto digest_settings = digest::loadDigestSettings(config_);
  relay::QueueRunner* runner = queue_.runner();
  if (!digest_settings || !runner) return;
  asio::co_spawn(
      io_,
      digest::runDailyDigests(
          std::make_shared<const digest::DigestSettings>(std::move(*digest_settings)),
          quarantine_.store(), *queue_.spool(), workers_,
          [runner](const std::string& id) { runner->enqueue(id); },
          [this] { metrics_.backgroundFailures(metrics::BackgroundTask::Digest).Increment(); }),
      asio::detached);
}

void Gateway::startSmtp() {
  metrics::LoadTracker::Generation first_loads = contexts_.install(config_);
  const config::ServerConfig& server = config_.server;
  smtp_.emplace(io_,
                smtp::ServerLimits{server.max_connections, server.max_connections_per_ip,
                                   server.accept_backoff_min, server.accept_backoff_max,
                                   server.accept_error_log_interval, server.io_threads},
                contexts_.holder());
  first_loads.activate();
  metrics_.reloadSucceeded(metrics::ReloadComponent::Config);
  for (const auto& l : server.listen) smtp_->listen(l.host, l.port);
  smtp_->start();
  for (auto port : smtp_->boundPorts()) spdlog::info("listening for SMTP on port {}", port);
}

void Gateway::awaitSignal() {
  signals_->async_wait(
      [this](const boost::system::error_code& ec, int signal) { onSignal(ec, signal); });
}

void Gateway::onSignal(const boost::system::error_code& ec, int signal) {
  if (ec) return;
  if (signal == SIGHUP) {
    reloader_.request([this] { reload(); });
    awaitSignal();
    return;
  }
  spdlog::info("signal {}: stopping, sessions get {} ms to finish", signal,
               config_.server.shutdown_grace.count());
  asio::co_spawn(io_, drain(), asio::detached);
}

// On the Reloader's thread.
void Gateway::reload() {
  try {
    auto fresh = config::loadGatewayConfigFile(config_path_);
    const std::optional<web::WebConfig> fresh_web = web::loadWebConfig(fresh);
    metrics::LoadTracker::Generation fresh_loads = contexts_.install(fresh);
    web::reloadWebConsole(web_console_.get(), fresh_web);
    fresh_loads.activate();
    metrics_.reloadSucceeded(metrics::ReloadComponent::Config);
    spdlog::info("configuration reloaded from {}", config_path_.string());
    warnOfRestartOnlyChanges(fresh);
  } catch (const std::exception& e) {
    metrics_.reloadFailed(metrics::ReloadComponent::Config);
    spdlog::error("reload failed, keeping the running configuration: {}", e.what());
  }
}

// Compared with the file the gateway started from, so the warning repeats until a restart.
void Gateway::warnOfRestartOnlyChanges(const config::GatewayConfig& fresh) const {
  std::vector<std::string> waiting = config::settingsNeedingRestart(
      config_.document, fresh.document, config_.relay.mode == config::RelayMode::Spool);
  if (waiting.empty()) return;
  spdlog::warn("changed settings that take effect at the next restart: {}",
               fmt::join(waiting, ", "));
}

awaitable<void> Gateway::drain() {
  co_await smtp_->stop(config_.server.shutdown_grace);
  co_await queue_.stop();
  io_.stop();
}

int Gateway::run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < config_.server.io_threads; ++i) {
    threads.emplace_back([this] { io_.run(); });
  }
  io_.run();
  for (auto& t : threads) t.join();
  if (milter_) milter_->stop();
  quarantine_.history()->stopFlushing();
  workers_.join();
  queue_.logCommitStats();
  spdlog::info("stopped");
  return 0;
}

}  // namespace portcullis::cli
