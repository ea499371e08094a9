// Where a message the policy quarantined is kept, for either front end: the SMTP session calls it
// before answering its client, the milter with `quarantine = "store"`. keep() answers 250 only
// once the message is durable, and nothing kept is relayed; a failure is a 4xx reply to pass on.
#pragma once

#include <string_view>

#include "gateway/core/asio.h"
#include "gateway/core/transaction.h"
#include "gateway/core/verdict.h"
#include "gateway/pipeline/decision.h"

namespace portcullis {

class QuarantineStore {
 public:
  virtual ~QuarantineStore() = default;
  virtual awaitable<FlowReply> keep(const Transaction& tx, std::string_view message,
                                    const Verdict& verdict) = 0;
};

}  // namespace portcullis
