#include "gateway/relay/proxy_delivery.h"

#include "gateway/relay/line_length.h"

namespace portcullis::relay {

namespace {

class ProxyTransaction : public smtp::DeliveryTransaction {
 public:
  ProxyTransaction(const smtp::ClientSettings& settings, std::shared_ptr<asio::ssl::context> tls,
                   RelayObserver observer, smtp::LongLinePolicy long_lines)
      : tls_(std::move(tls)),
        client_(settings, *tls_),
        observer_(std::move(observer)),
        long_lines_(long_lines) {}

  awaitable<smtp::Reply> mail(const Envelope& envelope) override {
    smtp::Reply hello = co_await client_.connect();
    if (hello.code != 250) {
      if (observer_.attempt) observer_.attempt(0);
      co_return unavailable();
    }
    if (auto tls = client_.tlsInfo(); tls && observer_.tls) observer_.tls(*tls);
    smtp::Reply reply = co_await client_.mail(envelope);
    if (!client_.usable()) co_return unavailable();
    co_return reply;
  }

  awaitable<smtp::Reply> rcpt(const Recipient& recipient) override {
    smtp::Reply reply = co_await client_.rcpt(recipient);
    if (!client_.usable()) co_return unavailable();
    co_return reply;
  }

  awaitable<smtp::Reply> commit(const Transaction& tx, std::string_view message) override {
    FittedMessage fitted = fitLineLength(long_lines_, tx.envelope, message);
    logLineWrap(tx.id, long_lines_.limit, fitted);
    smtp::Reply reply = co_await client_.data(fitted.text(message));
    if (observer_.attempt) observer_.attempt(reply.connection_failed ? 0 : reply.code);
    if (!client_.usable() && !reply.positive()) reply = unavailable();
    committed_ = true;
    co_await client_.quit();
    co_return reply;
  }

  awaitable<void> abort() override {
    if (!committed_) co_await client_.quit();
  }

 private:
  // When the internal MTA gives no answer of its own, the client is told to try again later
  // (without naming internal hosts).
  static smtp::Reply unavailable() {
    return {451, "4.4.1", "Error: internal mail server unavailable, try again later"};
  }

  std::shared_ptr<asio::ssl::context> tls_;
  smtp::Client client_;
  RelayObserver observer_;
  smtp::LongLinePolicy long_lines_;
  bool committed_ = false;
};

}  // namespace

ProxyDelivery::ProxyDelivery(smtp::ClientSettings settings, std::shared_ptr<asio::ssl::context> tls,
                             RelayObserver observer, smtp::LongLinePolicy long_lines)
    : settings_(std::move(settings)),
      tls_(std::move(tls)),
      observer_(std::move(observer)),
      long_lines_(long_lines) {}

std::unique_ptr<smtp::DeliveryTransaction> ProxyDelivery::begin() {
  return std::make_unique<ProxyTransaction>(settings_, tls_, observer_, long_lines_);
}

}  // namespace portcullis::relay
