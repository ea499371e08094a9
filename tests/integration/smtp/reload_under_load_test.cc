// The gateway reloading while it serves: clients on several io threads keep sending while SIGHUP
// replaces the configuration again and again. Every reload is applied, every message is accepted
// and arrives. Under ThreadSanitizer (the threads lane of tests/run.sh) this is the race test of
// the configuration swap against running sessions.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

constexpr int kClients = 4;
constexpr int kMessagesAtLeast = 10;  // per client; each keeps sending until the reloads are done
constexpr int kReloads = 6;
constexpr std::chrono::seconds kReloadTimeout{30};

SmtpReply sendMessage(RawSmtpConnection& c, int n = 0) {
  return sendOneMessage(c, "reload " + std::to_string(n));
}

TEST(ReloadUnderLoad, EveryReloadIsAppliedAndEveryMessageArrivesWhileClientsSend) {
  GatewaySettings settings;
  settings.server = "io_threads = 4\n";
  GatewayUnderTest env(settings);

  std::atomic<bool> reloads_done{false};
  std::atomic<int> sent{0};
  std::atomic<int> accepted{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      RawSmtpConnection c(env.gateway.port());
      if (c.readReply().code != 220 || c.command("EHLO client.test").code != 250) return;
      for (int i = 0; i < kMessagesAtLeast || !reloads_done; ++i) {
        ++sent;
        if (sendMessage(c, t * 1000 + i).code == 250) ++accepted;
      }
      c.command("QUIT");
    });
  }

  int applied = 0;
  for (int r = 0; r < kReloads; ++r) {
    env.gateway.settings().limits = "max_message_size = \"" + std::to_string(1 + r % 2) + "M\"\n";
    env.gateway.writeConfig();
    size_t from = env.gateway.logSize();
    env.gateway.signal(SIGHUP);
    applied += env.gateway.waitForLog("configuration reloaded", kReloadTimeout, from);
  }
  reloads_done = true;
  for (auto& c : clients) c.join();

  EXPECT_EQ(applied, kReloads) << env.gateway.log();
  EXPECT_GE(sent.load(), kClients * kMessagesAtLeast);
  EXPECT_EQ(accepted.load(), sent.load()) << env.gateway.log();
  EXPECT_TRUE(env.recorder.waitForCount(static_cast<size_t>(sent.load()), kArrivalTimeout))
      << env.gateway.log();
  EXPECT_EQ(env.recorder.messages().size(), static_cast<size_t>(sent.load()));
  EXPECT_TRUE(env.gateway.running());
}

}  // namespace
}  // namespace portcullis::test
