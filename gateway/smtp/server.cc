#include "gateway/smtp/server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/write.hpp>

#include "gateway/smtp/server_session.h"

namespace portcullis::smtp {

Server::Server(asio::io_context& io, ServerLimits limits,
               std::shared_ptr<const SessionContext> context)
    : io_(io), limits_(limits), context_(std::move(context)) {}

void Server::listen(const std::string& host, uint16_t port) {
  try {
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host), port);
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(asio::socket_base::max_listen_connections);
    acceptors_.push_back(std::move(acceptor));
  } catch (const boost::system::system_error& e) {
    throw std::system_error(e.code(), "cannot listen on " + host + ":" + std::to_string(port));
  }
}

std::vector<uint16_t> Server::boundPorts() const {
  std::vector<uint16_t> ports;
  for (const auto& a : acceptors_) ports.push_back(a->local_endpoint().port());
  return ports;
}

void Server::start() {
  for (auto& acceptor : acceptors_) {
    asio::co_spawn(io_, acceptLoop(*acceptor), asio::detached);
  }
}

void Server::setContext(std::shared_ptr<const SessionContext> context) {
  context_.store(std::move(context));
}

size_t Server::activeSessions() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void Server::sessionEnded(const std::string& address) {
  std::lock_guard lock(mutex_);
  --active_;
  if (--per_ip_[address] == 0) per_ip_.erase(address);
}

awaitable<void> Server::acceptLoop(asio::ip::tcp::acceptor& acceptor) {
  while (true) {
    boost::system::error_code ec;
    auto strand = asio::make_strand(io_);
    asio::ip::tcp::socket socket(strand);
    co_await acceptor.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    auto context = context_.load();
    std::string address = socket.remote_endpoint(ec).address().to_string();
    const char* refusal = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        refusal = "shutting_down";
      } else if (active_ >= limits_.max_connections) {
        refusal = "rejected_limit_total";
      } else if (per_ip_[address] >= limits_.max_connections_per_ip) {
        refusal = "rejected_limit_per_ip";
      } else {
        ++active_;
        ++per_ip_[address];
      }
      if (refusal && per_ip_[address] == 0) per_ip_.erase(address);
    }
    if (context->observer.connection) context->observer.connection(refusal ? refusal : "accepted");
    if (refusal) {
      // Answer 421 without a session; the write is small enough not to block.
      Reply reply = std::string_view(refusal) == "shutting_down"
                        ? replies::shuttingDown(context->protocol.hostname)
                        : replies::tooManyConnections(context->protocol.hostname);
      asio::write(socket, asio::buffer(reply.wire()), ec);
      socket.close(ec);
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, runSession(std::move(socket), context),
                   [this, address](std::exception_ptr) { sessionEnded(address); });
  }
}

awaitable<void> Server::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  for (auto& a : acceptors_) {
    boost::system::error_code ec;
    a->close(ec);
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (activeSessions() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(use_awaitable);
  }
  if (activeSessions() > 0) {
    spdlog::warn("closing {} sessions still open after the shutdown grace period",
                 activeSessions());
  }
}

}  // namespace portcullis::smtp
