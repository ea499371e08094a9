#include "gateway/relay/proxy_delivery.h"

#include "gateway/relay/line_length.h"

namespace portcullis::relay {

namespace {

class ProxyTransaction : public smtp::DeliveryTransaction {
 public:
  ProxyTransaction(std::shared_ptr<DownstreamPool> pool, const RelayObserver& observer,
                   smtp::LongLinePolicy long_lines)
      : pool_(std::move(pool)), observer_(observer), long_lines_(long_lines) {}

  awaitable<smtp::Reply> mail(const Envelope& envelope) override {
    DownstreamConnection connection = co_await pool_->borrow();
    if (!connection.client) co_return unreachable();
    noteTls(connection);
    smtp::Reply reply = co_await connection.client->mail(envelope);
    if (connection.reused && !connection.client->usable()) {
      // The internal MTA closed the idle connection (or answered 421) just as it was lent; it has
      // accepted nothing of this transaction yet, so a new connection may carry it.
      connection = co_await pool_->connect();
      if (!connection.client) co_return unreachable();
      noteTls(connection);
      reply = co_await connection.client->mail(envelope);
    }
    client_ = std::move(connection.client);
    if (!client_->usable()) co_return unavailable();
    co_return reply;
  }

  awaitable<smtp::Reply> rcpt(const Recipient& recipient) override {
    if (!client_) co_return unavailable();
    smtp::Reply reply = co_await client_->rcpt(recipient);
    if (!client_->usable()) co_return unavailable();
    co_return reply;
  }

  awaitable<smtp::Reply> commit(const Transaction& tx, std::string_view message) override {
    if (!client_) co_return unavailable();
    const RelayText relayed = prepareForRelay(long_lines_, tx.envelope, message);
    logLineWrap(tx.id, long_lines_.limit, relayed.fitted);
    smtp::Reply reply =
        co_await client_->data(relayed.fitted.text(message), relayed.needs_dot_stuffing);
    if (observer_.attempt) observer_.attempt(reply.connection_failed ? 0 : reply.code);
    if (!client_->usable() && !reply.positive()) reply = unavailable();
    // The reply goes to the client now; what the connection needs next happens in the background.
    pool_->giveBack(std::move(client_), co_await asio::this_coro::executor);
    co_return reply;
  }

  awaitable<void> abort() override {
    if (client_) pool_->giveBack(std::move(client_), co_await asio::this_coro::executor);
  }

 private:
  // When the internal MTA gives no answer of its own, the client is told to try again later
  // (without naming internal hosts).
  static smtp::Reply unavailable() {
    return {451, "4.4.1", "Error: internal mail server unavailable, try again later"};
  }

  smtp::Reply unreachable() const {
    if (observer_.attempt) observer_.attempt(0);
    return unavailable();
  }

  void noteTls(const DownstreamConnection& connection) const {
    if (connection.reused || !observer_.tls) return;
    if (auto tls = connection.client->tlsInfo()) observer_.tls(*tls);
  }

  std::shared_ptr<DownstreamPool> pool_;
  const RelayObserver& observer_;
  smtp::LongLinePolicy long_lines_;
  std::unique_ptr<smtp::Client> client_;  // borrowed from MAIL until commit() or abort()
};

}  // namespace

ProxyDelivery::ProxyDelivery(smtp::ClientSettings settings, std::shared_ptr<asio::ssl::context> tls,
                             RelayObserver observer, smtp::LongLinePolicy long_lines,
                             DownstreamPoolLimits pool)
    : pool_(DownstreamPool::create(std::move(settings), std::move(tls), pool)),
      observer_(std::move(observer)),
      long_lines_(long_lines) {}

std::unique_ptr<smtp::DeliveryTransaction> ProxyDelivery::begin() {
  return std::make_unique<ProxyTransaction>(pool_, observer_, long_lines_);
}

}  // namespace portcullis::relay
