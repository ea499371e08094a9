#include "gateway/cli/serve/queue_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

#include "gateway/cli/serve/relay_settings.h"
#include "gateway/relay/spool_delivery.h"

namespace portcullis::cli {

QueueService::QueueService(const config::GatewayConfig& config, asio::io_context& io,
                           asio::thread_pool& workers, metrics::Metrics& metrics)
    : queue_age_(metrics.onScrape([&metrics, this] {
        int64_t arrival = oldest_arrival_seconds_.load();
        int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        metrics.queueOldestAge().Set(arrival == 0 ? 0.0 : static_cast<double>(now - arrival));
      })) {
  switch (config.relay.mode) {
    case config::RelayMode::Spool:
      openSpool(config, io, workers, metrics);
      break;
    case config::RelayMode::Proxy:
      break;
  }
}

void QueueService::openSpool(const config::GatewayConfig& config, asio::io_context& io,
                             asio::thread_pool& workers, metrics::Metrics& metrics) {
  auto opened = spool::Spool::open(config.queue.directory, spool::SpoolAccess::Owner);
  if (!opened) throw std::runtime_error("queue.directory: " + opened.error);
  spool_.emplace(std::move(*opened));
  auto recovery = spool_->recover();
  for (const auto& f : recovery.removed_tmp) spdlog::info("spool: removed half-written {}", f);
  for (const auto& id : recovery.restored_from_journal) {
    spdlog::info("spool: {} restored from the commit journal", id);
  }
  for (const auto& c : recovery.corrupt) {
    spdlog::error("spool: {} is damaged ({}), moved to {}", c.file, c.reason, c.moved_to);
  }
  for (const auto& e : recovery.errors) spdlog::error("spool: {}", e);
  spdlog::info("spool {}: {} messages queued", config.queue.directory.string(),
               recovery.entries.size());
  if (config.queue.group_commit) {
    auto enabled =
        spool_->enableGroupCommit({.window = config.queue.commit_window,
                                   .max_batch_messages = config.queue.commit_batch_max,
                                   .checkpoint_interval = config.queue.checkpoint_interval,
                                   .spare_files = config.queue.spare_files,
                                   .removal_delay = config.queue.removal_delay});
    if (!enabled) throw std::runtime_error("queue.directory: " + enabled.error);
  }
  relay::QueueObserver queue_observer;
  queue_observer.relay = relayObserver(metrics);
  queue_observer.queue = [&metrics, this](size_t size, std::chrono::seconds oldest) {
    metrics.queueMessages().Set(static_cast<double>(size));
    auto arrival = std::chrono::system_clock::now() - oldest;
    oldest_arrival_seconds_ =
        size == 0
            ? 0
            : std::chrono::duration_cast<std::chrono::seconds>(arrival.time_since_epoch()).count();
  };
  queue_observer.held = [&metrics](const std::string&) { metrics.queueHeld().Increment(); };
  runner_ = std::make_unique<relay::QueueRunner>(io, workers, *spool_, queueRunnerSettings(config),
                                                 clientTlsContext(config.relay), queue_observer);
  runner_->start(recovery.entries);
  held_count_ = metrics.onScrape([&metrics, this] {
    metrics.queueHeldMessages().Set(static_cast<double>(spool_->heldCount()));
  });
  delivery_ = std::make_shared<relay::SpoolDelivery>(
      *spool_, workers, [r = runner_.get()](const std::string& id) { r->enqueue(id); });
}

awaitable<void> QueueService::stop() {
  if (runner_) co_await runner_->stop();
}

void QueueService::logCommitStats() const {
  if (!spool_ || !spool_->groupCommitEnabled()) return;
  auto stats = spool_->groupCommitStats();
  spdlog::info("spool: {} messages stored in {} journal syncs", stats.messages, stats.batches);
}

}  // namespace portcullis::cli
