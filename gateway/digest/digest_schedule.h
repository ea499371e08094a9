// The daily digest run of `portcullis serve`: sleeps on the I/O context until the configured local
// time of day, then runs the digest on the worker pool (index queries, rendering and the spool's
// fsyncs never block an I/O thread) and hands each queued digest to the queue runner.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "gateway/core/asio.h"
#include "gateway/digest/digest_settings.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/spool/spool.h"

namespace portcullis::digest {

// The first time after `now` whose local time of day is `time_of_day` (today or tomorrow; across
// a daylight saving change the wall-clock time is kept).
quarantine::TimePoint nextRunAfter(quarantine::TimePoint now, std::chrono::minutes time_of_day);

// Runs forever (until the I/O context stops). `enqueue` is called on the I/O context with each
// queued digest's id; `failed` (may be empty) once for each run that sent nothing, or not to
// every recipient (the reasons are logged).
awaitable<void> runDailyDigests(std::shared_ptr<const DigestSettings> settings,
                                std::shared_ptr<quarantine::Quarantine> store, spool::Spool& queue,
                                asio::thread_pool& workers,
                                std::function<void(const std::string& id)> enqueue,
                                std::function<void()> failed);

}  // namespace portcullis::digest
