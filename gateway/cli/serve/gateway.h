// `portcullis serve` as an object. Each member owns one part of the running gateway, and the
// members are declared in start-up order: the constructor starts the parts in that order (the
// log, the metrics, the worker pool and I/O threads' io_context with the descriptor limit raised
// for them, the resolver, the quarantine, the metrics endpoint, the spool and queue runner, the
// session contexts, the web console and digests, the SMTP listener, the pid file, the milter, and
// last the signal handler), and they are destroyed in reverse.
//   SIGHUP          reload on the Reloader's thread: a new configuration's context for the SMTP
//                   server, the milter and the console at once, and the console's [web]; any
//                   error keeps the running context. Nothing else changes before a restart,
//                   and a warning names the changed settings that wait for one.
//   SIGTERM/SIGINT  stop accepting, give sessions server.shutdown_grace, stop the queue runner,
//                   then run() returns.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include <boost/asio/signal_set.hpp>

#include "gateway/cli/pid_file.h"
#include "gateway/cli/serve/metrics_service.h"
#include "gateway/cli/serve/quarantine_service.h"
#include "gateway/cli/serve/queue_service.h"
#include "gateway/cli/serve/reloader.h"
#include "gateway/cli/serve/session_contexts.h"
#include "gateway/config/gateway_config.h"
#include "gateway/core/asio.h"
#include "gateway/dns/cares_resolver.h"
#include "gateway/metrics/metrics.h"
#include "gateway/milter/milter_server.h"
#include "gateway/smtp/server.h"
#include "gateway/web/web_console.h"

namespace portcullis::cli {

class Gateway {
 public:
  // Reads the configuration and starts every part; throws config::ConfigError or
  // std::runtime_error (a store that cannot be opened, a port in use, a bad certificate...).
  explicit Gateway(std::filesystem::path config_path);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Runs the I/O threads until SIGTERM/SIGINT has drained them, then stops the milter, the
  // verdict history's flusher and the worker pool. Returns the process's exit status.
  int run();

 private:
  RuntimeServices runtimeServices();
  void startWebConsole();
  void startDigests();
  void startSmtp();
  void awaitSignal();
  void onSignal(const boost::system::error_code& ec, int signal);
  void reload();
  void warnOfRestartOnlyChanges(const config::GatewayConfig& fresh) const;
  awaitable<void> drain();

  const std::filesystem::path config_path_;
  const config::GatewayConfig config_;
  metrics::Metrics metrics_;
  asio::thread_pool workers_;
  asio::io_context io_;
  dns::CaresResolver resolver_;
  QuarantineService quarantine_;
  MetricsService metrics_service_;
  QueueService queue_;
  SessionContexts contexts_;
  std::unique_ptr<web::WebServer> web_console_;  // null without [web]
  std::optional<smtp::Server> smtp_;
  std::optional<PidFile> pid_file_;
  std::unique_ptr<milter::MilterServer> milter_;  // null without [milter]
  Reloader reloader_;
  std::optional<asio::signal_set> signals_;
};

}  // namespace portcullis::cli
