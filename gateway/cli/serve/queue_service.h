// The spool and its queue runner, with relay.mode = "spool": opens and recovers the spool
// (logging what recovery found), turns on group commit, starts the runner on the messages found,
// and makes the SpoolDelivery the SMTP sessions commit through. In proxy mode it holds none of
// them. Either way it keeps the queue's gauges fresh at each metrics scrape (the oldest message's
// age; held messages in spool mode).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gateway/config/gateway_config.h"
#include "gateway/core/asio.h"
#include "gateway/metrics/metrics.h"
#include "gateway/relay/queue_runner.h"
#include "gateway/smtp/delivery.h"
#include "gateway/spool/spool.h"

namespace portcullis::cli {

class QueueService {
 public:
  // The runner runs on `io` once `io` does. Throws std::runtime_error naming queue.directory when
  // the spool cannot be opened or group commit cannot start.
  QueueService(const config::GatewayConfig& config, asio::io_context& io,
               asio::thread_pool& workers, metrics::Metrics& metrics);
  QueueService(const QueueService&) = delete;
  QueueService& operator=(const QueueService&) = delete;

  spool::Spool* spool() { return spool_ ? &*spool_ : nullptr; }  // null in proxy mode
  relay::QueueRunner* runner() { return runner_.get(); }         // null in proxy mode
  const std::shared_ptr<smtp::Delivery>& delivery() const { return delivery_; }  // null: proxy

  // Stops the runner (nothing to stop in proxy mode).
  awaitable<void> stop();
  // Once the worker pool has finished: the group commit's totals, in the log.
  void logCommitStats() const;

 private:
  void openSpool(const config::GatewayConfig& config, asio::io_context& io,
                 asio::thread_pool& workers, metrics::Metrics& metrics);

  // The oldest queued message's arrival (0: queue empty), so its age is current at every scrape
  // and not only when the queue changes.
  std::atomic<int64_t> oldest_arrival_seconds_{0};
  metrics::ScrapeHook queue_age_;
  std::optional<spool::Spool> spool_;
  std::unique_ptr<relay::QueueRunner> runner_;
  metrics::ScrapeHook held_count_;  // declared after the spool: unregistered before it closes
  std::shared_ptr<smtp::Delivery> delivery_;
};

}  // namespace portcullis::cli
