// Spool mode: the client's transaction is accepted locally and commit() stores the message in the
// durable spool before the client hears 250 with the queue id; the queue runner takes it from
// there. With group commit enabled on the spool, the store goes to its committer thread and the
// session waits for the batch's journal sync without blocking its I/O thread; otherwise the
// per-message store runs on the worker pool. A store that fails is answered 451 4.3.0, never 250.
#pragma once

#include <functional>

#include "gateway/smtp/delivery.h"
#include "gateway/spool/spool.h"

namespace portcullis::relay {

class SpoolDelivery : public smtp::Delivery {
 public:
  // `stored` is told every queue id that became durable (the queue runner's enqueue).
  SpoolDelivery(spool::Spool& spool, asio::thread_pool& workers,
                std::function<void(const std::string& id)> stored);
  std::unique_ptr<smtp::DeliveryTransaction> begin() override;

 private:
  spool::Spool& spool_;
  asio::thread_pool& workers_;
  std::function<void(const std::string&)> stored_;
};

}  // namespace portcullis::relay
