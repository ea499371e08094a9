// Replies to pipelined commands (RFC 2920): a client that sends MAIL, RCPT and DATA in one write
// gets the three replies as one unit and the 354 without waiting for its own delayed ACK (about
// 40 ms on Linux when the replies leave as three small writes and Nagle holds the later ones).
// The timing bound is a correctness check of the flushing, far above the expected figure and far
// below the stall; tests/bench/smtp measures.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/integration/smtp/plain_socket.h"

namespace portcullis::test {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kReplyTimeout{10'000};

// Connects, reads the greeting and says EHLO; fails the test when any of it does not work.
void openSession(PlainSocket& c) {
  ASSERT_TRUE(c.ok());
  int reads = 0;
  ASSERT_NE(c.readReplies(1, kReplyTimeout, reads).rfind("220 ", 0), std::string::npos);
  ASSERT_TRUE(c.send("EHLO client.test\r\n"));
  std::string ehlo = c.readReplies(1, kReplyTimeout, reads);
  ASSERT_NE(ehlo.find("PIPELINING"), std::string::npos) << ehlo;
}

TEST(PipeliningTest, MailRcptDataGroupArrivesInOneReadWithoutDelayedAckStall) {
  GatewayUnderTest env({});
  PlainSocket c(env.gateway.port());
  openSession(c);
  constexpr int kTransactions = 20;
  std::vector<double> to_354_ms;
  int single_read_groups = 0;
  for (int i = 0; i < kTransactions; ++i) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.send("MAIL FROM:<a@sender.test>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"));
    int reads = 0;
    std::string replies = c.readReplies(3, kReplyTimeout, reads);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(countFinalReplies(replies), 3u) << replies;
    ASSERT_NE(replies.find("354 "), std::string::npos) << replies;
    to_354_ms.push_back(std::chrono::duration<double, std::milli>(elapsed).count());
    if (reads == 1) ++single_read_groups;
    ASSERT_TRUE(c.send("Subject: pipelined " + std::to_string(i) + "\r\n\r\nbody\r\n.\r\n"));
    std::string done = c.readReplies(1, kReplyTimeout, reads);
    ASSERT_EQ(done.rfind("250 ", 0), 0u) << done;
  }
  std::sort(to_354_ms.begin(), to_354_ms.end());
  double median = to_354_ms[to_354_ms.size() / 2];
  RecordProperty("median_ms_to_354", std::to_string(median));
  EXPECT_LT(median, 20.0) << "median time to 354: " << median << " ms";
  // One segment on loopback; a read may rarely split it, never most of the time.
  EXPECT_GE(single_read_groups, kTransactions * 3 / 4);
  EXPECT_TRUE(env.recorder.waitForCount(kTransactions, kArrivalTimeout));
}

TEST(PipeliningTest, GroupWithoutDataIsAnsweredWhenTheInputIsDrained) {
  GatewayUnderTest env({});
  PlainSocket c(env.gateway.port());
  openSession(c);
  ASSERT_TRUE(
      c.send("RSET\r\nMAIL FROM:<a@sender.test>\r\nRCPT TO:<b@example.org>\r\nRCPT "
             "TO:<nobody@elsewhere.test>\r\nRCPT TO:<c@example.org>\r\n"));
  int reads = 0;
  std::string replies = c.readReplies(5, kReplyTimeout, reads);
  ASSERT_EQ(countFinalReplies(replies), 5u) << replies;
  EXPECT_EQ(reads, 1) << replies;
  // The refused recipient is answered in its place, the others accepted.
  EXPECT_NE(replies.find("\r\n5"), std::string::npos) << replies;
}

// A group cut inside a line: the replies to the complete commands must not wait for the rest
// (the client may not send it before it has them), so they leave before the gateway reads on.
TEST(PipeliningTest, RepliesAreNotHeldWhileWaitingForTheRestOfALine) {
  GatewayUnderTest env({});
  PlainSocket c(env.gateway.port());
  openSession(c);
  ASSERT_TRUE(c.send("MAIL FROM:<a@sender.test>\r\nRCPT TO:<b@exa"));
  int reads = 0;
  std::string first = c.readReplies(1, kReplyTimeout, reads);
  ASSERT_EQ(first.rfind("250 ", 0), 0u) << first;
  ASSERT_TRUE(c.send("mple.org>\r\nQUIT\r\n"));
  std::string rest = c.readReplies(2, kReplyTimeout, reads);
  EXPECT_EQ(rest.rfind("250 ", 0), 0u) << rest;
  EXPECT_NE(rest.find("221 "), std::string::npos) << rest;
}

// Each non-pipelined command still gets its reply at once.
TEST(PipeliningTest, CommandsSentOneByOneAreAnsweredOneByOne) {
  GatewayUnderTest env({});
  PlainSocket c(env.gateway.port());
  openSession(c);
  for (const char* line :
       {"MAIL FROM:<a@sender.test>\r\n", "RCPT TO:<b@example.org>\r\n", "RSET\r\n", "NOOP\r\n"}) {
    ASSERT_TRUE(c.send(line));
    int reads = 0;
    std::string reply = c.readReplies(1, kReplyTimeout, reads);
    EXPECT_EQ(reply.rfind("250 ", 0), 0u) << line << reply;
  }
}

}  // namespace
}  // namespace portcullis::test
