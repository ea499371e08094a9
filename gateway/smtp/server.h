// The SMTP listener: accepts connections on the configured addresses, enforces the connection
// limits (in total and per client address: 421 4.7.0 beyond them), runs one session per
// connection (on its own strand when several threads run the loop), and stops gracefully: no new
// connections, running sessions get a grace period, after which the caller stops the loop
// (unacknowledged messages are the client's to retry; acknowledged ones are already durable). The
// session context comes from a holder a reload replaces it in (shared with the milter). Accepted
// sockets get TCP_NODELAY (replies are grouped by the session, RFC 2920). When accept fails (out of
// descriptors, EMFILE/ENFILE, or any other error) the listener pauses with exponential back-off and
// logs once per interval with a count, never spinning; while descriptors are exhausted, waiting
// connections are answered 421 4.3.2 through one descriptor kept in reserve for that purpose.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "gateway/core/asio.h"
#include "gateway/pipeline/context_holder.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::smtp {

struct ServerLimits {
  size_t max_connections = 1000;
  size_t max_connections_per_ip = 50;
  // After a failed accept: the first pause, doubled after each further failure up to the maximum.
  std::chrono::milliseconds accept_backoff_min{10};
  std::chrono::milliseconds accept_backoff_max{1'000};
  // At most one log line about failing accepts per interval (with the count since the last one).
  std::chrono::milliseconds accept_error_log_interval{10'000};
  // Threads running the io_context: with more than one, each session runs on a strand of its own;
  // with one, sessions need none and run on the io_context directly.
  size_t io_threads = 1;
};

class Server {
 public:
  // Each new session starts with `contexts`'s current context (the holder the other front end
  // and reloads share; it must hold one before start()).
  Server(asio::io_context& io, ServerLimits limits,
         std::shared_ptr<const ContextHolder<SessionContext>> contexts);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every address; throws std::system_error naming the address that failed.
  void listen(const std::string& host, uint16_t port);
  // Ports actually bound (for port 0 in tests).
  std::vector<uint16_t> boundPorts() const;
  void start();
  // Stops accepting; completes when every session ended or `grace` passed (the caller then stops
  // the loop, which closes the rest).
  awaitable<void> stop(std::chrono::milliseconds grace);
  size_t activeSessions() const;

 private:
  awaitable<void> acceptLoop(asio::ip::tcp::acceptor& acceptor);
  // Accept failed with `ec`: answers what waits with 421 when descriptors ran out, sets the next
  // pause in `backoff` (zero before the first failure), logs (at most once per interval) and
  // waits that pause.
  awaitable<void> acceptFailed(asio::ip::tcp::acceptor& acceptor,
                               const boost::system::error_code& ec,
                               std::chrono::milliseconds& backoff);
  // Out of descriptors: frees the reserve, accepts and answers 421 4.3.2 to the connections
  // waiting, then takes the reserve back. Returns how many were answered.
  size_t refuseWaiting(asio::ip::tcp::acceptor& acceptor);
  // The first accept after failures succeeded: reports what the last report did not count, unless
  // that report was less than an interval ago.
  void acceptRecovered();
  void sessionEnded(const std::string& address);

  asio::io_context& io_;
  ServerLimits limits_;
  std::shared_ptr<const ContextHolder<SessionContext>> contexts_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  mutable std::mutex mutex_;
  std::map<std::string, size_t> per_ip_;
  size_t active_ = 0;
  bool stopping_ = false;
  int reserve_fd_ = -1;  // /dev/null, held so a 421 can be sent when descriptors run out
  // Failed accepts and 421s since the last log line about them, and when that was.
  size_t accept_failures_ = 0;
  size_t refused_for_descriptors_ = 0;
  std::chrono::steady_clock::time_point last_accept_log_{};
  bool accept_logged_ = false;
};

}  // namespace portcullis::smtp
