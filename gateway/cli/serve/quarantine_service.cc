#include "gateway/cli/serve/quarantine_service.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "gateway/core/offload.h"
#include "gateway/quarantine/quarantine_config.h"
#include "gateway/relay/quarantine_keeper.h"

namespace portcullis::cli {

namespace {

// Removes quarantined messages older than the retention, every expire_interval.
awaitable<void> expireQuarantine(std::shared_ptr<quarantine::Quarantine> store,
                                 quarantine::QuarantineConfig settings,
                                 asio::thread_pool& workers) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    timer.expires_after(settings.expire_interval);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    auto expire = [&store, &settings] { return store->expire(settings.retention); };
    auto report = co_await offload(workers, std::move(expire));
    if (!report.removed.empty()) {
      spdlog::info("quarantine: {} messages past retention removed", report.removed.size());
    }
    for (const auto& e : report.errors) spdlog::error("quarantine: {}", e);
  }
}

}  // namespace

QuarantineService::QuarantineService(const config::Document& document, asio::io_context& io,
                                     asio::thread_pool& workers, metrics::Metrics& metrics) {
  auto settings = quarantine::loadQuarantineConfig(document);
  auto opened_store = quarantine::Quarantine::open(settings.directory);
  if (!opened_store) throw std::runtime_error("quarantine.directory: " + opened_store.error);
  store_ = std::move(*opened_store);
  for (const auto& note : store_->openNotes()) spdlog::warn("quarantine: {}", note);
  keeper_ = std::make_shared<relay::QuarantineKeeper>(store_, workers);
  asio::co_spawn(io, expireQuarantine(store_, settings, workers), asio::detached);

  auto opened_history = quarantine::VerdictHistory::open(
      settings.directory / quarantine::kVerdictHistoryFile, settings.history_retention);
  if (!opened_history) throw std::runtime_error("quarantine.directory: " + opened_history.error);
  history_ = std::move(*opened_history);
  history_->startFlushing(settings.history_flush_interval, [&metrics] {
    metrics.backgroundFailures(metrics::BackgroundTask::VerdictHistory).Increment();
  });
  gauges_ = metrics.onScrape([&metrics, store = store_] {
    if (auto usage = store->size()) {
      metrics.quarantineMessages().Set(static_cast<double>(usage->count));
      metrics.quarantineBytes().Set(static_cast<double>(usage->bytes));
    }
  });
}

}  // namespace portcullis::cli
