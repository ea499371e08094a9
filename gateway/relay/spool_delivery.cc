#include "gateway/relay/spool_delivery.h"

#include <spdlog/spdlog.h>

#include "gateway/core/offload.h"

namespace portcullis::relay {

namespace {

class SpoolTransaction : public smtp::DeliveryTransaction {
 public:
  SpoolTransaction(spool::Spool& spool, asio::thread_pool& workers,
                   const std::function<void(const std::string&)>& stored)
      : spool_(spool), workers_(workers), stored_(stored) {}

  awaitable<smtp::Reply> mail(const Envelope&) override { co_return smtp::replies::senderOk(); }
  awaitable<smtp::Reply> rcpt(const Recipient&) override { co_return smtp::replies::recipientOk(); }

  awaitable<smtp::Reply> commit(const Transaction& tx, std::string_view message) override {
    spool::MessageMeta meta{tx.id, std::chrono::system_clock::now(), tx.client, tx.envelope};
    spool::Spool& spool = spool_;
    // Named, not a temporary: GCC 12 destroys lambda temporaries in co_await expressions twice.
    auto store = [&spool, &meta, message] { return spool.store(meta, message); };
    spool::Status status = co_await offload(workers_, std::move(store));
    if (!status) {
      spdlog::error("{}: cannot write the queue file: {}", tx.id, status.error);
      co_return smtp::Reply{451, "4.3.0", "Error: queue file write error, try again later"};
    }
    if (stored_) stored_(tx.id);
    co_return smtp::Reply{250, "2.0.0", "Ok: queued as " + tx.id};
  }

  awaitable<void> abort() override { co_return; }

 private:
  spool::Spool& spool_;
  asio::thread_pool& workers_;
  const std::function<void(const std::string&)>& stored_;
};

}  // namespace

SpoolDelivery::SpoolDelivery(spool::Spool& spool, asio::thread_pool& workers,
                             std::function<void(const std::string& id)> stored)
    : spool_(spool), workers_(workers), stored_(std::move(stored)) {}

std::unique_ptr<smtp::DeliveryTransaction> SpoolDelivery::begin() {
  return std::make_unique<SpoolTransaction>(spool_, workers_, stored_);
}

}  // namespace portcullis::relay
