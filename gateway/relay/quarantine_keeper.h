// The quarantine store of both front ends (the SMTP session, and the milter with
// `quarantine = "store"`): keeps a quarantined message in quarantine::Quarantine (on the worker
// pool: it fsyncs) with the verdict's score, symbols and reason, and answers 250 only once it is
// durable. Nothing quarantined reaches the internal MTA.
#pragma once

#include <memory>

#include "gateway/pipeline/quarantine_store.h"
#include "gateway/quarantine/quarantine.h"

namespace portcullis::relay {

class QuarantineKeeper : public QuarantineStore {
 public:
  QuarantineKeeper(std::shared_ptr<quarantine::Quarantine> store, asio::thread_pool& workers);
  awaitable<FlowReply> keep(const Transaction& tx, std::string_view message,
                            const Verdict& verdict) override;

 private:
  std::shared_ptr<quarantine::Quarantine> store_;
  asio::thread_pool& workers_;
};

}  // namespace portcullis::relay
