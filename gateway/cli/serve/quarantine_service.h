// The quarantine as the running gateway keeps it ([quarantine]): the store, opened once (what
// opening it noticed is logged); the keeper both front ends store quarantined messages through;
// the timer that removes messages past their retention; the per-hour verdict history with its
// flusher thread; and the store's size, read at each metrics scrape.
#pragma once

#include <memory>

#include "gateway/config/document.h"
#include "gateway/core/asio.h"
#include "gateway/metrics/metrics.h"
#include "gateway/pipeline/quarantine_store.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/quarantine/verdict_history.h"

namespace portcullis::cli {

class QuarantineService {
 public:
  // Opens the store and the history and starts the expiry timer on `io` (it runs once `io` does)
  // and the history's flusher. Throws std::runtime_error naming quarantine.directory when a store
  // cannot be opened.
  QuarantineService(const config::Document& document, asio::io_context& io,
                    asio::thread_pool& workers, metrics::Metrics& metrics);

  const std::shared_ptr<quarantine::Quarantine>& store() const { return store_; }
  const std::shared_ptr<QuarantineStore>& keeper() const { return keeper_; }
  const std::shared_ptr<quarantine::VerdictHistory>& history() const { return history_; }

 private:
  std::shared_ptr<quarantine::Quarantine> store_;
  std::shared_ptr<QuarantineStore> keeper_;
  std::shared_ptr<quarantine::VerdictHistory> history_;
  metrics::ScrapeHook gauges_;
};

}  // namespace portcullis::cli
