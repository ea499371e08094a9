// The milter listener: libmilter (smfi_main) serving Postfix or Sendmail, each connection driven by
// a MilterSession against the SessionContext current when the MTA connected (a reload affects new
// connections only, as for SMTP). libmilter keeps global state, so one MilterServer may exist per
// process, started once (libmilter cannot listen again after smfi_stop). The listen address and
// the MilterSettings are fixed at start; a reload does not change them.
//
// Signals, decided deliberately: smfi_main() blocks SIGHUP, SIGTERM and SIGINT in its thread and
// starts a thread that sigwait()s them and stops the listener on any of them. The gateway handles
// those signals with Asio's signal_set on the threads that run its io_context. Every thread this
// class starts (the smfi_main thread, the check threads, and therefore libmilter's signal and
// connection threads) blocks the three signals, so they are delivered to the gateway's threads,
// which keep them unblocked: Linux gives a process-directed signal to the main thread whenever it
// does not block it (kernel/signal.c, complete_signal), so libmilter's sigwait() does not see it.
// The milter is stopped with smfi_stop() from stop(), never by a signal. Should libmilter's signal
// thread ever take a signal anyway (a burst arriving while the main thread still has one pending),
// the listener stops; that is logged as an error and unexpectedStop() turns true. (12,000 SIGHUPs
// from four concurrent senders did not make that happen here.)
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/milter/milter_settings.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::milter {

class MilterServer {
 public:
  using ContextSource = std::function<std::shared_ptr<const smtp::SessionContext>()>;

  MilterServer(std::string listen_spec, ContextSource current_context, MilterSettings settings);
  ~MilterServer();
  MilterServer(const MilterServer&) = delete;
  MilterServer& operator=(const MilterServer&) = delete;

  // Opens the listening socket (throws std::runtime_error when it cannot) and starts serving.
  void start();
  // Stops accepting, lets libmilter finish its connections, and joins every thread. Idempotent.
  void stop();

  size_t activeConnections() const { return active_connections_.load(); }
  bool unexpectedStop() const { return unexpected_stop_.load(); }

  // Used by the libmilter callbacks.
  struct Hooks;

 private:
  std::string listen_spec_;
  ContextSource current_context_;
  MilterSettings settings_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> io_threads_;
  std::thread milter_thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> unexpected_stop_{false};
  std::atomic<size_t> active_connections_{0};
  bool started_ = false;
};

}  // namespace portcullis::milter
