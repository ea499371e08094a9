#include "gateway/web/login_limiter.h"

#include <gtest/gtest.h>

namespace portcullis::web {
namespace {

using namespace std::chrono_literals;

TEST(LoginLimiter, RefusesAnAddressAfterMaxFailuresWithinTheWindow) {
  LoginLimiter limiter(3, 10min);
  auto now = spool::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.allowed("192.0.2.1", now + i * 1s));
    limiter.failed("192.0.2.1", now + i * 1s);
  }
  EXPECT_FALSE(limiter.allowed("192.0.2.1", now + 5s));
  EXPECT_TRUE(limiter.allowed("192.0.2.2", now + 5s)) << "another address is not affected";
  // The first failure ages out of the window: one more attempt.
  EXPECT_TRUE(limiter.allowed("192.0.2.1", now + 10min + 500ms));
}

TEST(LoginLimiter, ASuccessClearsTheRecord) {
  LoginLimiter limiter(2, 10min);
  auto now = spool::Clock::now();
  limiter.failed("192.0.2.1", now);
  limiter.succeeded("192.0.2.1");
  limiter.failed("192.0.2.1", now);
  EXPECT_TRUE(limiter.allowed("192.0.2.1", now));
  limiter.failed("192.0.2.1", now);
  EXPECT_FALSE(limiter.allowed("192.0.2.1", now));
}

}  // namespace
}  // namespace portcullis::web
