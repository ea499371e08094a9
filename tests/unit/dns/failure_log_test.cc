#include "gateway/dns/failure_log.h"

#include <gtest/gtest.h>

namespace portcullis::dns {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const FailureLog::Clock::time_point kLogStart{seconds(1000)};

TEST(FailureLog, CountsEachKindAndSaysSoOnceWhenTheWindowCloses) {
  FailureLog log("127.0.0.1:5353");
  EXPECT_TRUE(log.record(Status::Timeout, kLogStart));  // opens the window
  EXPECT_FALSE(log.record(Status::Timeout, kLogStart + seconds(1)));
  EXPECT_FALSE(log.record(Status::ServFail, kLogStart + seconds(2)));
  EXPECT_FALSE(log.record(Status::Timeout, kLogStart + seconds(3)));
  EXPECT_EQ(log.close(kLogStart + milliseconds(10'020)),
            (std::vector<std::string>{
                "dns: 3 queries timed out in the last 10s (server 127.0.0.1:5353)",
                "dns: 1 query got a server failure (SERVFAIL or REFUSED) in the last 10s "
                "(server 127.0.0.1:5353)"}));
}

TEST(FailureLog, AnswersAreNoFailures) {
  FailureLog log("127.0.0.1:53");
  for (Status status : {Status::Ok, Status::NoData, Status::NxDomain, Status::Error})
    EXPECT_FALSE(log.record(status, kLogStart));
  EXPECT_TRUE(log.close(kLogStart + seconds(10)).empty());
}

TEST(FailureLog, ANewWindowOpensAfterTheLastClosed) {
  FailureLog log("192.0.2.53:53, [2001:db8::53]:53");
  ASSERT_TRUE(log.record(Status::ServFail, kLogStart));
  ASSERT_EQ(log.close(kLogStart + seconds(10)).size(), 1u);
  EXPECT_TRUE(log.close(kLogStart + seconds(20)).empty());  // nothing failed since

  EXPECT_TRUE(log.record(Status::ServFail, kLogStart + seconds(30)));
  EXPECT_EQ(log.close(kLogStart + seconds(30) + milliseconds(200)),
            std::vector<std::string>{"dns: 1 query got a server failure (SERVFAIL or REFUSED) in "
                                     "the last 1s (servers 192.0.2.53:53, [2001:db8::53]:53)"});
}

}  // namespace
}  // namespace portcullis::dns
