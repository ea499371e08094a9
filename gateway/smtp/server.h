// The SMTP listener: accepts connections on the configured addresses, enforces the connection
// limits (in total and per client address: 421 4.7.0 beyond them), runs one session per
// connection on its own strand, and stops gracefully: no new connections, running sessions get a
// grace period, after which the caller stops the loop (unacknowledged messages are the
// client's to retry; acknowledged ones are already durable). The session context can be replaced at
// any time (reload).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "gateway/core/asio.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::smtp {

struct ServerLimits {
  size_t max_connections = 1000;
  size_t max_connections_per_ip = 50;
};

class Server {
 public:
  Server(asio::io_context& io, ServerLimits limits, std::shared_ptr<const SessionContext> context);

  // Binds every address; throws std::system_error naming the address that failed.
  void listen(const std::string& host, uint16_t port);
  // Ports actually bound (for port 0 in tests).
  std::vector<uint16_t> boundPorts() const;
  void start();
  void setContext(std::shared_ptr<const SessionContext> context);
  // Stops accepting; completes when every session ended or `grace` passed (then they are closed).
  awaitable<void> stop(std::chrono::milliseconds grace);
  size_t activeSessions() const;

 private:
  awaitable<void> acceptLoop(asio::ip::tcp::acceptor& acceptor);
  void sessionEnded(const std::string& address);

  asio::io_context& io_;
  ServerLimits limits_;
  std::atomic<std::shared_ptr<const SessionContext>> context_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  mutable std::mutex mutex_;
  std::map<std::string, size_t> per_ip_;
  size_t active_ = 0;
  bool stopping_ = false;
};

}  // namespace portcullis::smtp
