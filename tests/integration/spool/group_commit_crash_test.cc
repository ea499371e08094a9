// Group commit under SIGKILL. Sixteen sessions send at once in spool mode (group commit on, so
// their messages share journal syncs) while the gateway is killed with SIGKILL several times and
// restarted on the same spool. Every message answered 250 must reach the internal MTA; a second
// copy is allowed only for a message the internal MTA had already taken before a kill (a crash
// between relay and queue removal), so each duplicate must straddle a kill and there are at most
// two per kill and relay connection. Afterwards, one more burst without kills must arrive
// exactly once, and the gateway's own count shows that its messages shared syncs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

constexpr int kSessions = 16;
constexpr int kMessagesPerSession = 40;
constexpr int kKills = 4;
constexpr int kRelayConcurrency = 4;
constexpr int kFinalBurstPerSession = 5;
// The gateway is killed each time this many more messages have been accepted, so the kills fall
// in the middle of the traffic however fast the machine is.
constexpr size_t kAcceptedBetweenKills = kSessions * kMessagesPerSession / (kKills + 1);

struct Ledger {
  std::mutex lock;
  std::set<std::string> accepted;  // Message-Ids answered 250 after DATA
  // Attempts not answered 250 (the gateway was gone). The client sends the message again under a
  // new Message-Id; the unanswered attempt may or may not have become durable, so it may arrive.
  std::set<std::string> unanswered;
};

// Sends `count` messages, each until it is answered 250, over as few connections as the crashes
// allow.
void runSession(uint16_t port, const std::string& tag, int session, int count, Ledger& ledger) {
  std::unique_ptr<RawSmtpConnection> c;
  for (int i = 0, attempt = 0; i < count; ++attempt) {
    std::string id = "<gc-" + tag + "-" + std::to_string(session) + "-" + std::to_string(attempt) +
                     "-" + std::to_string(getpid()) + "@example.test>";
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
        c->send("Message-Id: " + id + "\r\nSubject: group commit " + std::to_string(i) +
                "\r\n\r\n" + std::string(3000, 'g') + "\r\n.\r\n");
        ok = c->readReply().code == 250;
      }
    } catch (const std::exception&) {
      ok = false;
    }
    std::lock_guard guard(ledger.lock);
    if (ok) {
      ledger.accepted.insert(id);
      ++i;
    } else {
      ledger.unanswered.insert(id);
      c.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (c) c->command("QUIT");
}

std::string messageIdOf(const std::string& data) {
  size_t at = data.find("Message-Id: ");
  if (at == std::string::npos) return "";
  size_t end = data.find("\r\n", at);
  return data.substr(at + 12, end - at - 12);
}

// Arrival positions (0-based, in the recorder's order) of each Message-Id.
std::map<std::string, std::vector<size_t>> arrivals(const RecordingMta& recorder) {
  std::map<std::string, std::vector<size_t>> positions;
  auto messages = recorder.messages();
  for (size_t i = 0; i < messages.size(); ++i)
    positions[messageIdOf(messages[i].data)].push_back(i);
  return positions;
}

// The recorder's count once it has stopped changing: after a kill, what the dead gateway had
// already sent is still being read and stored for a moment.
size_t quietCount(const RecordingMta& recorder) {
  size_t count = recorder.count();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    size_t now = recorder.count();
    if (now == count) return count;
    count = now;
  }
}

// Waits until every id in `ids` has arrived at least once.
std::map<std::string, std::vector<size_t>> waitForAll(const RecordingMta& recorder,
                                                      const std::set<std::string>& ids) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  for (;;) {
    auto seen = arrivals(recorder);
    size_t missing = 0;
    for (const auto& id : ids) missing += seen.count(id) == 0;
    if (missing == 0 || std::chrono::steady_clock::now() >= deadline) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

TEST(GroupCommitCrash, EveryAcceptedMessageArrivesOnceAcrossSigkillsUnderLoad) {
  GatewaySettings settings;
  settings.relay = "concurrency = " + std::to_string(kRelayConcurrency) + "\n";
  settings.queue = "group_commit = true\ncommit_window_us = 200\n";
  GatewayUnderTest env(settings);
  Ledger ledger;
  std::vector<std::thread> sessions;
  for (int s = 0; s < kSessions; ++s) {
    sessions.emplace_back(runSession, env.gateway.port(), "load", s, kMessagesPerSession,
                          std::ref(ledger));
  }
  // After each kill: how many messages the internal MTA had received once the gateway was dead.
  std::vector<size_t> arrived_at_kill;
  for (int k = 1; k <= kKills; ++k) {
    for (;;) {
      {
        std::lock_guard guard(ledger.lock);
        if (ledger.accepted.size() >= k * kAcceptedBetweenKills) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    env.gateway.kill();
    arrived_at_kill.push_back(quietCount(env.recorder));
    env.gateway.start();
  }
  for (auto& t : sessions) t.join();
  ASSERT_EQ(ledger.accepted.size(), size_t{kSessions * kMessagesPerSession});

  auto seen = waitForAll(env.recorder, ledger.accepted);
  size_t lost = 0;
  size_t duplicates = 0;
  for (const auto& id : ledger.accepted) {
    auto it = seen.find(id);
    if (it == seen.end()) {
      ++lost;
      ADD_FAILURE() << "lost: " << id;
      continue;
    }
    const auto& at = it->second;
    for (size_t copy = 1; copy < at.size(); ++copy) {
      ++duplicates;
      bool straddles_a_kill = false;
      for (size_t boundary : arrived_at_kill) {
        straddles_a_kill |= at[copy - 1] < boundary && boundary <= at[copy];
      }
      EXPECT_TRUE(straddles_a_kill) << id << " delivered twice without a crash in between";
    }
  }
  size_t unanswered_arrived = 0;
  for (const auto& [id, at] : seen) {
    if (ledger.unanswered.count(id) > 0) {
      unanswered_arrived += at.size();
      EXPECT_EQ(at.size(), 1u) << "unanswered attempt delivered twice: " << id;
    } else if (ledger.accepted.count(id) == 0) {
      ADD_FAILURE() << "never sent, yet delivered: " << id;
    }
  }
  // Per relay connection and kill: the message just relayed, plus the one before it when its
  // removal had not reached the journal yet (removals are journaled with the next batch).
  EXPECT_LE(duplicates, size_t{2 * kKills * kRelayConcurrency});
  std::printf(
      "group commit crash test: %zu accepted with 250, %zu attempts unanswered (%zu of them "
      "delivered), %d kills, %zu lost, %zu duplicates\n",
      ledger.accepted.size(), ledger.unanswered.size(), unanswered_arrived, kKills, lost,
      duplicates);

  // No kill now: this burst arrives exactly once, and its messages shared journal syncs.
  Ledger burst;
  std::vector<std::thread> final_sessions;
  for (int s = 0; s < kSessions; ++s) {
    final_sessions.emplace_back(runSession, env.gateway.port(), "burst", s, kFinalBurstPerSession,
                                std::ref(burst));
  }
  for (auto& t : final_sessions) t.join();
  seen = waitForAll(env.recorder, burst.accepted);
  for (const auto& id : burst.accepted) {
    EXPECT_EQ(seen[id].size(), 1u) << id;
  }
  ASSERT_EQ(env.gateway.stop(), 0);
  std::smatch m;
  std::string log = env.gateway.log();
  ASSERT_TRUE(
      std::regex_search(log, m, std::regex("spool: ([0-9]+) messages stored in ([0-9]+) journal")))
      << log;
  size_t stored = std::stoul(m[1].str());
  size_t syncs = std::stoul(m[2].str());
  std::printf("final burst: %zu messages in %zu journal syncs\n", stored, syncs);
  EXPECT_GE(stored, burst.accepted.size());
  EXPECT_LT(syncs, stored) << "no two messages shared a journal sync";
}

}  // namespace
}  // namespace portcullis::test
