// Durability under SIGKILL: parallel clients send a few hundred messages while the gateway is
// killed with SIGKILL several times and restarted on the same spool. Every message that got a 250
// after DATA must reach the internal MTA at least once; duplicates are allowed (a crash between
// delivery and the queue update resends) and are counted and printed, losses never.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

constexpr int kClients = 5;
constexpr int kMessagesPerClient = 60;
constexpr int kKills = 4;
// The gateway is killed each time this many more messages have been accepted, so the kills fall
// in the middle of the traffic however fast the machine is.
constexpr size_t kAcceptedBetweenKills = kClients * kMessagesPerClient / (kKills + 1);

// Sends kMessagesPerClient messages over as few connections as the crashes allow; records the
// Message-Ids answered with 250 after DATA.
void runClient(uint16_t port, int client, std::set<std::string>& accepted, std::mutex& lock,
               int& failed, std::atomic<int>& finished) {
  std::unique_ptr<RawSmtpConnection> c;
  for (int i = 0; i < kMessagesPerClient; ++i) {
    std::string id = "<crash-" + std::to_string(client) + "-" + std::to_string(i) + "-" +
                     std::to_string(getpid()) + "@example.test>";
    bool ok = false;
    try {
      if (!c) {
        c = std::make_unique<RawSmtpConnection>(port, std::chrono::seconds(10));
        if (c->readReply().code != 220 || c->command("EHLO crash.test").code != 250) {
          throw std::runtime_error("no session");
        }
      }
      if (c->command("MAIL FROM:<crash@sender.test>").code == 250 &&
          c->command("RCPT TO:<bob@example.org>").code == 250 && c->command("DATA").code == 354) {
        c->send("Message-Id: " + id + "\r\nSubject: crash " + std::to_string(i) + "\r\n\r\n" +
                std::string(2000, 'c') + "\r\n.\r\n");
        ok = c->readReply().code == 250;
      }
    } catch (const std::exception&) {
      ok = false;
    }
    {
      std::lock_guard guard(lock);
      if (ok)
        accepted.insert(id);
      else
        ++failed;
    }
    if (!ok) {
      c.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (c) c->command("QUIT");
  ++finished;
}

std::string messageIdOf(const std::string& data) {
  size_t at = data.find("Message-Id: ");
  if (at == std::string::npos) return "";
  size_t end = data.find("\r\n", at);
  return data.substr(at + 12, end - at - 12);
}

TEST(CrashRecovery, NoAcceptedMessageIsLostAcrossSigkills) {
  GatewaySettings settings;
  settings.relay = "concurrency = 4\n";
  GatewayUnderTest env(settings);
  std::set<std::string> accepted;
  std::mutex lock;
  int failed = 0;
  std::atomic<int> finished{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(runClient, env.gateway.port(), i, std::ref(accepted), std::ref(lock),
                         std::ref(failed), std::ref(finished));
  }
  for (int k = 1; k <= kKills; ++k) {
    for (;;) {
      {
        std::lock_guard guard(lock);
        if (accepted.size() >= k * kAcceptedBetweenKills || finished == kClients) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    env.gateway.kill();
    env.gateway.start();
  }
  for (auto& t : clients) t.join();

  std::map<std::string, int> arrived;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  size_t missing = accepted.size();
  while (missing > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    arrived.clear();
    for (const auto& m : env.recorder.messages()) ++arrived[messageIdOf(m.data)];
    missing = 0;
    for (const auto& id : accepted) missing += arrived.count(id) == 0;
  }
  int duplicates = 0;
  for (const auto& [id, n] : arrived) duplicates += n - 1;
  std::printf(
      "crash test: %zu accepted with 250, %d not accepted, %d kills, %zu arrived, "
      "%d duplicates, %zu lost\n",
      accepted.size(), failed, kKills, arrived.size(), duplicates, missing);
  for (const auto& id : accepted) EXPECT_EQ(arrived.count(id), 1u) << "lost: " << id;
  EXPECT_GT(accepted.size(), 0u);
  for (const auto& [id, n] : arrived) {
    if (!id.empty() && id.rfind("<crash-", 0) == 0) continue;
    ADD_FAILURE() << "unexpected message " << id;
  }
}

}  // namespace
}  // namespace portcullis::test
