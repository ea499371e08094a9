// The SMTP session's quarantine: stores a quarantined message in the quarantine store (on the
// worker pool: it fsyncs) with the verdict's score, symbols and reason, and answers 250 only once
// it is durable. Nothing quarantined reaches the internal MTA.
#pragma once

#include <memory>

#include "gateway/quarantine/quarantine.h"
#include "gateway/smtp/delivery.h"

namespace portcullis::relay {

class QuarantineKeeper : public smtp::QuarantineSink {
 public:
  QuarantineKeeper(std::shared_ptr<quarantine::Quarantine> store, asio::thread_pool& workers);
  awaitable<smtp::Reply> keep(const Transaction& tx, std::string_view message,
                              const Verdict& verdict) override;

 private:
  std::shared_ptr<quarantine::Quarantine> store_;
  asio::thread_pool& workers_;
};

}  // namespace portcullis::relay
