#include "gateway/relay/downstream_pool.h"

#include <optional>
#include <utility>

namespace portcullis::relay {

namespace {

using Clock = std::chrono::steady_clock;

awaitable<void> quit(std::unique_ptr<smtp::Client> client) {
  co_await client->quit();
}

}  // namespace

std::shared_ptr<DownstreamPool> DownstreamPool::create(smtp::ClientSettings settings,
                                                       std::shared_ptr<asio::ssl::context> tls,
                                                       DownstreamPoolLimits limits) {
  return std::shared_ptr<DownstreamPool>(
      new DownstreamPool(std::move(settings), std::move(tls), limits));
}

DownstreamPool::DownstreamPool(smtp::ClientSettings settings,
                               std::shared_ptr<asio::ssl::context> tls, DownstreamPoolLimits limits)
    : settings_(std::move(settings)),
      tls_(tls ? std::move(tls)
               : std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client)),
      limits_(limits) {}

awaitable<DownstreamConnection> DownstreamPool::borrow() {
  auto executor = co_await asio::this_coro::executor;
  while (true) {
    Idle idle;
    {
      std::lock_guard lock(mutex_);
      if (idle_.empty()) break;
      idle = std::move(idle_.back());
      idle_.pop_back();
    }
    if (Clock::now() - idle.since >= limits_.idle_timeout) {
      close(std::move(idle.client), executor);
      continue;
    }
    // Closed by the internal MTA, or about to be (its 421 waits unread): dropped, never lent.
    if (!idle.client->quietSinceLastReply()) continue;
    co_return DownstreamConnection{std::move(idle.client), true, smtp::Reply{250, "", "reused"}};
  }
  co_return co_await connect();
}

awaitable<DownstreamConnection> DownstreamPool::connect() {
  auto client = std::make_unique<smtp::Client>(settings_, *tls_);
  smtp::Reply hello = co_await client->connect();
  if (hello.code != 250) co_return DownstreamConnection{nullptr, false, std::move(hello)};
  co_return DownstreamConnection{std::move(client), false, std::move(hello)};
}

void DownstreamPool::giveBack(std::unique_ptr<smtp::Client> client,
                              const asio::any_io_executor& executor) {
  if (!client || !client->usable()) return;  // lost or closing: the socket closes with it
  if (client->transactionOpen()) {
    asio::co_spawn(executor, resetThenKeep(shared_from_this(), std::move(client)), asio::detached);
    return;
  }
  keep(std::move(client), executor);
}

void DownstreamPool::keep(std::unique_ptr<smtp::Client> client,
                          const asio::any_io_executor& executor) {
  bool start_expiry = false;
  if (client->transactionsSent() < limits_.max_messages_per_connection &&
      limits_.idle_timeout.count() > 0) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < limits_.max_idle_connections) {
      idle_.push_back({std::move(client), Clock::now()});
      start_expiry = !expiring_;
      expiring_ = true;
    }
  }
  if (client) {
    close(std::move(client), executor);
    return;
  }
  if (start_expiry) asio::co_spawn(executor, expireIdle(shared_from_this()), asio::detached);
}

awaitable<void> DownstreamPool::resetThenKeep(std::shared_ptr<DownstreamPool> self,
                                              std::unique_ptr<smtp::Client> client) {
  smtp::Reply reply = co_await client->rset();
  if (!reply.positive() || !client->usable()) co_return;
  self->keep(std::move(client), co_await asio::this_coro::executor);
}

awaitable<void> DownstreamPool::expireIdle(std::shared_ptr<DownstreamPool> self) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (true) {
    std::vector<std::unique_ptr<smtp::Client>> expired;
    std::optional<Clock::time_point> next;
    {
      std::lock_guard lock(self->mutex_);
      auto now = Clock::now();
      auto& idle = self->idle_;
      size_t n = 0;
      while (n < idle.size() && now - idle[n].since >= self->limits_.idle_timeout) ++n;
      for (size_t i = 0; i < n; ++i) expired.push_back(std::move(idle[i].client));
      idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(n));
      if (idle.empty()) {
        self->expiring_ = false;
      } else {
        next = idle.front().since + self->limits_.idle_timeout;
      }
    }
    for (auto& client : expired) close(std::move(client), executor);
    if (!next) co_return;
    timer.expires_at(*next);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

void DownstreamPool::close(std::unique_ptr<smtp::Client> client,
                           const asio::any_io_executor& executor) {
  asio::co_spawn(executor, quit(std::move(client)), asio::detached);
}

}  // namespace portcullis::relay
