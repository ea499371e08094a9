// The retry schedule of the queue: after a temporary failure, when to try again, whether the
// sender is owed a delay notice, and when to give up and bounce. Pure functions of a plain
// settings struct (serve() fills it from [queue]) and the entry's facts, so the
// schedule is table-testable. Jitter is an input in [0, 1): callers draw it from BackoffJitter
// (seedable) so that retries after an outage do not all land at the same instant.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "gateway/spool/queue_entry.h"

namespace portcullis::spool {

struct BackoffSettings {
  std::chrono::milliseconds retry_min{5 * 60'000};           // delay after the first failure
  std::chrono::milliseconds retry_max{60 * 60'000};          // doubling stops here
  std::chrono::milliseconds delay_warning{4 * 3'600'000};    // 0 disables delay notices
  std::chrono::milliseconds max_lifetime{5 * 86'400'000LL};  // then the message bounces
  double jitter = 0.1;  // each delay is shortened by up to this fraction (0 = exact)
};

// The delay before attempt `failed_attempts + 1`: retry_min doubled per earlier failure, capped
// at retry_max, then shortened by jitter * jitter_unit (jitter_unit in [0, 1)).
std::chrono::milliseconds retryDelay(const BackoffSettings& settings, uint32_t failed_attempts,
                                     double jitter_unit);

// When the message bounces at the latest (also the DSN's Will-Retry-Until).
TimePoint expiresAt(const BackoffSettings& settings, TimePoint arrival);

struct BackoffDecision {
  enum class Kind { Retry, Bounce };
  Kind kind = Kind::Retry;
  TimePoint retry_at{};            // for Retry: never later than expiresAt()
  bool send_delay_notice = false;  // for Retry: queue a delay DSN now and remember it was sent
};

// What to do with an entry whose attempt number `failed_attempts` (1 for the first) just failed
// temporarily at `now`: bounce once the lifetime is over, otherwise retry (with a delay notice
// when the warning time has passed and none was sent yet). The last retry is scheduled exactly
// at expiry, so a message always gets a final attempt before it bounces.
BackoffDecision decideAfterTemporaryFailure(const BackoffSettings& settings, TimePoint arrival,
                                            uint32_t failed_attempts, bool delay_notice_sent,
                                            TimePoint now, double jitter_unit);

// A seedable source of jitter units.
class BackoffJitter {
 public:
  explicit BackoffJitter(uint64_t seed = std::random_device{}()) : engine_(seed) {}
  double next() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace portcullis::spool
