// The milter listener: serves Postfix or Sendmail over the milter protocol, natively on Asio, with
// MilterSettings::io_threads threads, each running an io_context of its own. Each MTA connection
// (a MilterConnection, and the checks of its messages) lives on one of them, so a command and its
// reply never change threads. Over TCP every thread listens on the address (SO_REUSEPORT: the
// kernel spreads the connections) and serves what it accepts, so no connection is handed from one
// thread to another; a socket without SO_REUSEPORT claims the address first, so an address that
// another program or gateway listens on is refused rather than shared. On a local socket the first
// thread accepts and the threads take the connections in turn. A connection is driven against the
// FilterContext current when the MTA connected (a reload affects new connections only, as for
// SMTP). The listen address and the MilterSettings are fixed at start; a reload does not change
// them.
//
// The protocol is spoken here rather than through libmilter: libmilter ran a thread per MTA
// connection, handed every command between its threads and ours, and owned SIGHUP/SIGTERM/SIGINT
// (its signal thread stopped the listener on any of them). Here no thread of this class handles a
// signal: the gateway's Asio signal_set receives them, and stop() is the only way the listener
// ends. When accept fails (descriptors exhausted), the listener pauses and tries again.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/milter/milter_connection.h"
#include "gateway/milter/milter_settings.h"
#include "gateway/pipeline/filter_context.h"

namespace portcullis::milter {

class MilterServer {
 public:
  using ContextSource = milter::ContextSource;

  MilterServer(std::string listen_spec, ContextSource current_context, MilterSettings settings);
  ~MilterServer();
  MilterServer(const MilterServer&) = delete;
  MilterServer& operator=(const MilterServer&) = delete;

  // Opens the listening socket (throws std::runtime_error when it cannot) and starts serving.
  void start();
  // Stops accepting, lets open MTA connections finish for up to stop_grace, closes the rest, and
  // joins every thread. Idempotent.
  void stop();

  size_t activeConnections() const { return active_connections_.load(); }

 private:
  using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
  using Endpoint = asio::generic::stream_protocol::endpoint;
  struct Worker {
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
    std::optional<Acceptor> acceptor;  // over TCP every worker's, on a local socket the first's
  };
  // Opens, binds and listens on `worker`'s acceptor; `shared` adds SO_REUSEPORT and the TCP
  // options the accepted connections inherit.
  boost::system::error_code listenOn(Worker& worker, const Endpoint& endpoint, bool shared);
  awaitable<void> accept(Worker& home);

  std::string listen_spec_;
  ContextSource current_context_;
  MilterSettings settings_;
  std::string unix_path_;  // the socket file to remove at stop, for "unix:PATH"
  std::vector<std::unique_ptr<Worker>> workers_;
  size_t next_worker_ = 0;  // the next to serve a connection on a local socket
  std::mutex connections_mutex_;
  std::set<std::shared_ptr<MilterConnection>> connections_;
  std::atomic<size_t> active_connections_{0};
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace portcullis::milter
