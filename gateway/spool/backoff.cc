#include "gateway/spool/backoff.h"

#include <algorithm>

namespace portcullis::spool {

using std::chrono::milliseconds;

milliseconds retryDelay(const BackoffSettings& s, uint32_t failed_attempts, double jitter_unit) {
  milliseconds delay = std::max(s.retry_min, milliseconds(1));
  for (uint32_t i = 1; i < failed_attempts && delay < s.retry_max; ++i) delay *= 2;
  delay = std::min(delay, std::max(s.retry_max, milliseconds(1)));
  double unit = std::clamp(jitter_unit, 0.0, 1.0);
  double fraction = std::clamp(s.jitter, 0.0, 1.0) * unit;
  auto shortened =
      milliseconds(static_cast<int64_t>(static_cast<double>(delay.count()) * (1.0 - fraction)));
  return std::max(shortened, milliseconds(1));
}

TimePoint expiresAt(const BackoffSettings& s, TimePoint arrival) {
  return arrival + s.max_lifetime;
}

BackoffDecision decideAfterTemporaryFailure(const BackoffSettings& s, TimePoint arrival,
                                            uint32_t failed_attempts, bool delay_notice_sent,
                                            TimePoint now, double jitter_unit) {
  BackoffDecision decision;
  TimePoint expiry = expiresAt(s, arrival);
  if (now >= expiry) {
    decision.kind = BackoffDecision::Kind::Bounce;
    return decision;
  }
  decision.retry_at = std::min(expiry, now + retryDelay(s, failed_attempts, jitter_unit));
  decision.send_delay_notice = !delay_notice_sent && s.delay_warning > milliseconds::zero() &&
                               now >= arrival + s.delay_warning;
  return decision;
}

}  // namespace portcullis::spool
