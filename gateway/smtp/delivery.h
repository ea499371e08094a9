// Where an accepted message goes, as the SMTP session sees it. In spool mode the envelope is
// accepted locally and commit() returns only once the message is durable; in proxy mode every
// step is forwarded to the internal MTA as the client's transaction proceeds and its replies are
// passed back. Either way, a 250 to the client means the message cannot be lost.
#pragma once

#include <memory>
#include <string_view>

#include "gateway/core/asio.h"
#include "gateway/core/transaction.h"
#include "gateway/core/verdict.h"
#include "gateway/smtp/reply.h"

namespace portcullis::smtp {

class DeliveryTransaction {
 public:
  virtual ~DeliveryTransaction() = default;
  virtual awaitable<Reply> mail(const Envelope& envelope) = 0;
  virtual awaitable<Reply> rcpt(const Recipient& recipient) = 0;
  // The message as it leaves the gateway (our headers added); tx.envelope holds the recipients
  // that were accepted.
  virtual awaitable<Reply> commit(const Transaction& tx, std::string_view message) = 0;
  // The transaction ends without commit (rejected, RSET, client gone).
  virtual awaitable<void> abort() = 0;
};

class Delivery {
 public:
  virtual ~Delivery() = default;
  virtual std::unique_ptr<DeliveryTransaction> begin() = 0;
};

}  // namespace portcullis::smtp
