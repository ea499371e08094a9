#include "gateway/digest/digest_schedule.h"

#include <spdlog/spdlog.h>
#include <time.h>

#include "gateway/core/offload.h"
#include "gateway/digest/digest_run.h"

namespace portcullis::digest {

namespace {

// The local time of day `time_of_day` on the day `day_offset` days after `now`'s local date.
quarantine::TimePoint atLocalTime(time_t now, int day_offset, std::chrono::minutes time_of_day) {
  std::tm tm{};
  localtime_r(&now, &tm);
  tm.tm_mday += day_offset;
  tm.tm_hour = static_cast<int>(time_of_day.count() / 60);
  tm.tm_min = static_cast<int>(time_of_day.count() % 60);
  tm.tm_sec = 0;
  tm.tm_isdst = -1;  // mktime finds whether daylight saving time applies on that day
  return quarantine::Clock::from_time_t(mktime(&tm));
}

}  // namespace

quarantine::TimePoint nextRunAfter(quarantine::TimePoint now, std::chrono::minutes time_of_day) {
  time_t seconds = quarantine::Clock::to_time_t(now);
  for (int day = 0;; ++day) {
    quarantine::TimePoint candidate = atLocalTime(seconds, day, time_of_day);
    if (candidate > now) return candidate;
  }
}

awaitable<void> runDailyDigests(std::shared_ptr<const DigestSettings> settings,
                                std::shared_ptr<quarantine::Quarantine> store, spool::Spool& queue,
                                asio::thread_pool& workers,
                                std::function<void(const std::string& id)> enqueue,
                                std::function<void()> failed) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    auto due = nextRunAfter(quarantine::Clock::now(), settings->digest.time_of_day);
    // The steady clock sleeps; the wall clock decides (it may have been set meanwhile).
    while (quarantine::Clock::now() < due) {
      timer.expires_after(due - quarantine::Clock::now());
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
    }
    auto run = [&settings, &store, &queue] {
      return runDigests(*settings, *store, queue, quarantine::Clock::now());
    };
    auto report = co_await offload(workers, std::move(run));
    if (!report) {
      spdlog::error("quarantine digest: not sent: {}", report.error);
      if (failed) failed();
      continue;
    }
    for (const auto& id : report->queued) enqueue(id);
    for (const auto& e : report->errors) spdlog::error("quarantine digest: {}", e);
    if (!report->errors.empty() && failed) failed();
    spdlog::info("quarantine digest: {} digests queued", report->queued.size());
  }
}

}  // namespace portcullis::digest
