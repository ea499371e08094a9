#include "gateway/smtp/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/write.hpp>

#include "gateway/smtp/server_session.h"

namespace portcullis::smtp {

namespace {

// Waiting connections answered 421 per failed accept at most, so one burst cannot hold a thread.
constexpr size_t kMaxRefusedPerFailure = 256;

bool outOfDescriptors(const boost::system::error_code& ec) {
  return ec == boost::system::errc::too_many_files_open ||
         ec == boost::system::errc::too_many_files_open_in_system;
}

int openReserve() {
  return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

Reply outOfResources(std::string_view hostname) {
  return {421, "4.3.2", std::string(hostname) + " Error: too busy, try again later"};
}

}  // namespace

Server::Server(asio::io_context& io, ServerLimits limits,
               std::shared_ptr<const ContextHolder<SessionContext>> contexts)
    : io_(io), limits_(limits), contexts_(std::move(contexts)), reserve_fd_(openReserve()) {}

Server::~Server() {
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

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

size_t Server::activeSessions() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void Server::sessionEnded(const std::string& address) {
  std::lock_guard lock(mutex_);
  --active_;
  if (--per_ip_[address] == 0) per_ip_.erase(address);
}

size_t Server::refuseWaiting(asio::ip::tcp::acceptor& acceptor) {
  std::lock_guard lock(mutex_);
  if (reserve_fd_ < 0) {
    // Taken back too late last time (another thread got the descriptor): try again.
    reserve_fd_ = openReserve();
    return 0;
  }
  boost::system::error_code ec;
  acceptor.native_non_blocking(true, ec);
  if (ec) return 0;
  ::close(reserve_fd_);
  const std::string wire = outOfResources(contexts_->current()->protocol.hostname).wire();
  size_t answered = 0;
  while (answered < kMaxRefusedPerFailure) {
    int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;  // none waiting any more, or the freed descriptor was taken meanwhile
    // Best effort: a fresh socket's send buffer takes the one line.
    [[maybe_unused]] ssize_t sent = ::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL);
    ::close(fd);
    ++answered;
  }
  reserve_fd_ = openReserve();
  return answered;
}

awaitable<void> Server::acceptFailed(asio::ip::tcp::acceptor& acceptor,
                                     const boost::system::error_code& ec,
                                     std::chrono::milliseconds& backoff) {
  size_t answered = outOfDescriptors(ec) ? refuseWaiting(acceptor) : 0;
  // When the waiting connections were answered, the next failure needs a new one to arrive: the
  // shortest pause suffices. Otherwise nothing changed, and each pause doubles.
  backoff = answered > 0 || backoff.count() == 0
                ? limits_.accept_backoff_min
                : std::min(backoff * 2, limits_.accept_backoff_max);
  auto context = contexts_->current();
  if (context->observer.connection) {
    for (size_t i = 0; i < answered; ++i) context->observer.connection("rejected_descriptors");
  }
  {
    std::lock_guard lock(mutex_);
    ++accept_failures_;
    refused_for_descriptors_ += answered;
    auto now = std::chrono::steady_clock::now();
    if (!accept_logged_ || now - last_accept_log_ >= limits_.accept_error_log_interval) {
      spdlog::error(
          "accept failed {} times since the last report ({}); {} waiting connections answered "
          "421 4.3.2; accepting paused for {} ms",
          accept_failures_, ec.message(), refused_for_descriptors_, backoff.count());
      accept_failures_ = 0;
      refused_for_descriptors_ = 0;
      last_accept_log_ = now;
      accept_logged_ = true;
    }
  }
  asio::steady_timer timer(co_await asio::this_coro::executor, backoff);
  boost::system::error_code timer_ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, timer_ec));
}

void Server::acceptRecovered() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  // Within the interval the counts wait for the next report, so churn cannot flood the log.
  if (accept_failures_ == 0 || now - last_accept_log_ < limits_.accept_error_log_interval) return;
  last_accept_log_ = now;
  spdlog::warn(
      "accepting connections again; {} more failed accepts and {} more 421 4.3.2 answers since "
      "the last report",
      accept_failures_, refused_for_descriptors_);
  accept_failures_ = 0;
  refused_for_descriptors_ = 0;
}

awaitable<void> Server::acceptLoop(asio::ip::tcp::acceptor& acceptor) {
  std::chrono::milliseconds backoff{0};  // zero while accepting works
  while (true) {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket(limits_.io_threads > 1
                                     ? asio::any_io_executor(asio::make_strand(io_))
                                     : asio::any_io_executor(io_.get_executor()));
    co_await acceptor.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      co_await acceptFailed(acceptor, ec, backoff);
      continue;
    }
    if (backoff.count() != 0) {
      backoff = std::chrono::milliseconds(0);
      acceptRecovered();
    }
    // Replies to pipelined commands leave grouped (see the session), so Nagle only adds delay.
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    auto context = contexts_->current();
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
