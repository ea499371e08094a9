#include "gateway/metrics/check_observer.h"

namespace portcullis::metrics {

CheckObserver observeChecks(Metrics& metrics) {
  CheckObserver observer;
  observer.finished = [&metrics](std::string_view check, CheckOutcome outcome,
                                 std::chrono::nanoseconds elapsed, std::string_view) {
    metrics.checkDuration(check).Observe(std::chrono::duration<double>(elapsed).count());
    if (outcome == CheckOutcome::Timeout)
      metrics.checkFailures(check, CheckFailure::Timeout).Increment();
    if (outcome == CheckOutcome::Error)
      metrics.checkFailures(check, CheckFailure::Error).Increment();
  };
  return observer;
}

}  // namespace portcullis::metrics
