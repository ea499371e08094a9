#include "gateway/relay/spool_delivery.h"

#include <spdlog/spdlog.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>

#include "gateway/core/offload.h"

namespace portcullis::relay {

namespace {

// Hands the message to the spool's group committer and completes, on the caller's executor, once
// the committer has an outcome. The caller's executor counts as busy meanwhile.
template <typename CompletionToken>
auto asyncStoreGrouped(spool::Spool& spool, const spool::MessageMeta& meta,
                       std::string_view message, CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(Status)>(
      [&spool, &meta, message](auto handler) {
        auto executor = asio::prefer(asio::get_associated_executor(handler),
                                     asio::execution::outstanding_work.tracked);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        spool.storeGrouped(meta, message, [shared, executor](Status status) {
          asio::post(executor, [shared, status = std::move(status)]() mutable {
            std::move (*shared)(std::move(status));
          });
        });
      },
      token);
}

class SpoolTransaction : public smtp::DeliveryTransaction {
 public:
  SpoolTransaction(spool::Spool& spool, asio::thread_pool& workers,
                   const std::function<void(const std::string&)>& stored)
      : spool_(spool), workers_(workers), stored_(stored) {}

  awaitable<smtp::Reply> mail(const Envelope&) override { co_return smtp::replies::senderOk(); }
  awaitable<smtp::Reply> rcpt(const Recipient&) override { co_return smtp::replies::recipientOk(); }

  awaitable<smtp::Reply> commit(const Transaction& tx, std::string_view message) override {
    spool::MessageMeta meta{tx.id, std::chrono::system_clock::now(), tx.client, tx.envelope};
    Status status;
    if (spool_.groupCommitEnabled()) {
      status = co_await asyncStoreGrouped(spool_, meta, message, use_awaitable);
    } else {
      spool::Spool& spool = spool_;
      // Named, not a temporary: GCC 12 destroys lambda temporaries in co_await expressions twice.
      auto store = [&spool, &meta, message] { return spool.store(meta, message); };
      status = co_await offload(workers_, std::move(store));
    }
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
