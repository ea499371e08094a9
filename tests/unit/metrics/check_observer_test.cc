#include "gateway/metrics/check_observer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace portcullis::metrics {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(CheckObserver, EveryRunIsTimedAndFailuresCountByReason) {
  Metrics metrics;
  CheckObserver observer = observeChecks(metrics);
  observer.finished("dnsbl", CheckOutcome::Ok, 2ms, "");
  observer.finished("dnsbl", CheckOutcome::Timeout, 30s, "deadline");
  observer.finished("dnsbl", CheckOutcome::Error, 1ms, "SERVFAIL");
  observer.finished("spf", CheckOutcome::Ok, 500us, "");
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_check_duration_seconds_count{check=\"dnsbl\"} 3\n"));
  EXPECT_THAT(
      text,
      HasSubstr("portcullis_check_duration_seconds_bucket{check=\"dnsbl\",le=\"0.0025\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_duration_seconds_bucket{check=\"dnsbl\",le=\"30\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_check_duration_seconds_count{check=\"spf\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_failures_total{check=\"dnsbl\",reason=\"timeout\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_failures_total{check=\"dnsbl\",reason=\"error\"} 1\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("check=\"spf\",reason")));
}

}  // namespace
}  // namespace portcullis::metrics
