// Proxy mode's connections to the internal MTA: reused across transactions and sessions, at most
// max_messages_per_connection messages each, closed after idle_timeout, replaced without the
// client noticing when the internal MTA closed them while idle, never retried once the message was
// sent; and the client's 250 leaves as soon as the internal MTA's does, not after a QUIT.
// The real `portcullis serve` relays to a ScriptedSink that counts connections.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/relay/scripted_sink.h"
#include "tests/support/gateway_process.h"
#include "tests/support/loopback.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

constexpr std::chrono::seconds kWait{10};

struct ProxyToSink {
  explicit ProxyToSink(SinkBehaviour behaviour = {}, std::string relay = {},
                       std::string server = {})
      : sink(behaviour),
        gateway(dir / "gateway", settings(sink.port(), std::move(relay), std::move(server))) {
    gateway.start();
  }

  static GatewaySettings settings(uint16_t port, std::string relay, std::string server) {
    GatewaySettings s;
    s.mode = "proxy";
    s.relay_port = port;
    s.relay = std::move(relay);
    s.server = std::move(server);
    return s;
  }

  TempDir dir{"portcullis-proxy-pool"};
  ScriptedSink sink;
  GatewayProcess gateway;
};

// A client session on the gateway, greeted and EHLO'd.
std::unique_ptr<RawSmtpConnection> openSession(GatewayProcess& gateway) {
  auto c = std::make_unique<RawSmtpConnection>(gateway.port(), kWait);
  EXPECT_EQ(c->readReply().code, 220);
  EXPECT_EQ(c->command("EHLO client.test").code, 250);
  return c;
}

SmtpReply sendMessage(RawSmtpConnection& c, int n = 0) {
  return sendOneMessage(c, "pool " + std::to_string(n));
}

TEST(ProxyPool, ReusesOneConnectionAcrossTransactionsAndSessions) {
  ProxyToSink env;
  for (int session = 0; session < 2; ++session) {
    auto c = openSession(env.gateway);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(sendMessage(*c, i).code, 250) << env.gateway.log();
    c->command("QUIT");
  }
  EXPECT_EQ(env.sink.messages(), 6u);
  EXPECT_EQ(env.sink.connections(), 1u);
  EXPECT_EQ(env.sink.quits(), 0u) << "a reusable connection is kept, not closed";
}

TEST(ProxyPool, ClosesAConnectionAfterItsMessageCap) {
  ProxyToSink env({}, "max_messages_per_connection = 2\n");
  auto c = openSession(env.gateway);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(sendMessage(*c, i).code, 250) << env.gateway.log();
  EXPECT_EQ(env.sink.messages(), 5u);
  EXPECT_EQ(env.sink.connections(), 3u);
  auto per_connection = env.sink.messagesPerConnection();
  EXPECT_EQ(*std::max_element(per_connection.begin(), per_connection.end()), 2u);
  EXPECT_TRUE(env.sink.waitFor([&] { return env.sink.quits() == 2; }, kWait))
      << "the two full connections end with QUIT";
}

TEST(ProxyPool, ClientHearsTheInternalMtasReplyBeforeTheQuit) {
  SinkBehaviour held;
  held.hold_quit = true;  // the QUIT's reply comes only when the test says so
  ProxyToSink env(held, "max_messages_per_connection = 1\n");
  auto c = openSession(env.gateway);
  SmtpReply reply = sendMessage(*c);
  EXPECT_EQ(reply.code, 250) << "the reply waited for the internal MTA's answer to QUIT";
  EXPECT_TRUE(env.sink.waitFor([&] { return env.sink.quits() == 1; }, kWait))
      << "the connection that reached its cap is closed with QUIT afterwards";
  env.sink.releaseQuit();
}

TEST(ProxyPool, ReplacesAnIdleConnectionTheInternalMtaClosed) {
  ProxyToSink env;
  auto c = openSession(env.gateway);
  ASSERT_EQ(sendMessage(*c, 1).code, 250);
  ASSERT_EQ(env.sink.closeIdleConnections(false), 1u);
  EXPECT_EQ(sendMessage(*c, 2).code, 250) << env.gateway.log();
  ASSERT_EQ(env.sink.closeIdleConnections(true), 1u);  // this time with a 421 first
  EXPECT_EQ(sendMessage(*c, 3).code, 250) << env.gateway.log();
  EXPECT_EQ(env.sink.messages(), 3u);
  EXPECT_EQ(env.sink.connections(), 3u);
}

TEST(ProxyPool, RetriesMailOnceOnANewConnectionWhenAReusedOneAnswers421) {
  SinkBehaviour timing_out;
  timing_out.refuse_mail_when_reused = true;  // as if its idle timeout struck just then
  ProxyToSink env(timing_out);
  auto c = openSession(env.gateway);
  ASSERT_EQ(sendMessage(*c, 1).code, 250);
  EXPECT_EQ(sendMessage(*c, 2).code, 250) << env.gateway.log();
  EXPECT_EQ(env.sink.messages(), 2u);
  EXPECT_EQ(env.sink.connections(), 2u);
}

TEST(ProxyPool, NeverResendsAMessageTheConnectionWasLostAfter) {
  SinkBehaviour dropping;
  dropping.drop_after_message = true;  // the message arrives, its reply never leaves
  ProxyToSink env(dropping);
  auto c = openSession(env.gateway);
  SmtpReply reply = sendMessage(*c);
  EXPECT_EQ(reply.code, 451) << reply.text;
  // Another transaction on the same session: a new connection, the first message not resent.
  EXPECT_EQ(c->command("RSET").code, 250);
  EXPECT_EQ(c->command("NOOP").code, 250);
  EXPECT_EQ(env.sink.messages(), 1u);
  EXPECT_EQ(env.sink.connections(), 1u);
}

TEST(ProxyPool, ResetsAnAbandonedTransactionAndReusesTheConnection) {
  ProxyToSink env;
  auto c = openSession(env.gateway);
  ASSERT_EQ(c->command("MAIL FROM:<alice@sender.test>").code, 250);
  ASSERT_EQ(c->command("RCPT TO:<bob@example.org>").code, 250);
  ASSERT_EQ(c->command("RSET").code, 250);
  EXPECT_TRUE(env.sink.waitFor([&] { return env.sink.resets() == 1; }, kWait));
  // The next transaction gets a connection with no transaction open (the sink answers a nested
  // MAIL with 503): the RSET one once it is back, or a new one while its RSET is under way.
  EXPECT_EQ(sendMessage(*c).code, 250) << env.gateway.log();
  EXPECT_EQ(env.sink.quits(), 0u);
  EXPECT_EQ(env.sink.peerClosures(), 0u) << "the abandoned connection was closed, not kept";
}

TEST(ProxyPool, ClosesConnectionsIdleLongerThanTheIdleTimeout) {
  ProxyToSink env({}, "idle_timeout = \"200ms\"\n");
  auto c = openSession(env.gateway);
  ASSERT_EQ(sendMessage(*c, 1).code, 250);
  EXPECT_TRUE(env.sink.waitFor([&] { return env.sink.quits() == 1; }, kWait));
  EXPECT_EQ(sendMessage(*c, 2).code, 250) << env.gateway.log();
  EXPECT_EQ(env.sink.connections(), 2u);
}

TEST(ProxyPool, ManySessionsOnSeveralIoThreadsShareThePool) {
  ProxyToSink env({}, "max_messages_per_connection = 3\nproxy_idle_connections = 4\n",
                  "io_threads = 4\n");
  constexpr int kSessions = 8;
  constexpr int kMessages = 15;
  std::atomic<int> accepted{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kSessions; ++t) {
    clients.emplace_back([&, t] {
      RawSmtpConnection c(env.gateway.port(), kWait);
      if (c.readReply().code != 220 || c.command("EHLO client.test").code != 250) return;
      for (int i = 0; i < kMessages; ++i) {
        if (i % 5 == 4) {  // an abandoned transaction: its connection goes back through RSET
          c.command("MAIL FROM:<alice@sender.test>");
          c.command("RCPT TO:<bob@example.org>");
          c.command("RSET");
        }
        if (sendMessage(c, t * 100 + i).code == 250) ++accepted;
      }
      c.command("QUIT");
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(accepted.load(), kSessions * kMessages) << env.gateway.log();
  EXPECT_EQ(env.sink.messages(), static_cast<size_t>(kSessions * kMessages));
  auto per_connection = env.sink.messagesPerConnection();
  EXPECT_LE(*std::max_element(per_connection.begin(), per_connection.end()), 3u);
  EXPECT_TRUE(env.gateway.running());
}

}  // namespace
}  // namespace portcullis::test
