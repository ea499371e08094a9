// Delivers spooled mail to the internal MTA: oldest first, `concurrency` connections in parallel,
// each reused for several messages, per-recipient results recorded durably after every attempt.
// Temporary failures are retried on the back-off schedule; the sender gets a delay notice after
// the warning time and a bounce after the maximum lifetime (RFC 3464 DSNs, themselves queued
// and relayed through the internal MTA, never to the null sender); permanent failures bounce at
// once. While the internal MTA is down, a probe connects every outage_probe_interval; when it
// answers again every waiting message becomes due, so the backlog drains at full speed.
// Lines over the long-line limit are wrapped on the way out (relay/line_length.h; logged at the
// first attempt). A message that failed for good and cannot be bounced — it has the null sender
// (it is itself a notice), or its failure notice could not be queued — is moved to the spool's
// hold/ and reported to the observer, never deleted.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/relay/relay_observer.h"
#include "gateway/smtp/client.h"
#include "gateway/smtp/long_lines.h"
#include "gateway/spool/attempt.h"
#include "gateway/spool/backoff.h"
#include "gateway/spool/dsn.h"
#include "gateway/spool/spool.h"

namespace portcullis::relay {

struct QueueRunnerSettings {
  smtp::ClientSettings client;
  size_t concurrency = 10;
  size_t max_messages_per_connection = 100;
  std::chrono::milliseconds idle_timeout{10'000};
  std::chrono::milliseconds scan_interval{1'000};
  std::chrono::milliseconds outage_probe_interval{30'000};
  spool::BackoffSettings backoff;
  spool::DsnSettings dsn;
  smtp::LongLinePolicy long_lines;
};

struct QueueObserver {
  RelayObserver relay;
  std::function<void(size_t size, std::chrono::seconds oldest_age)> queue;
  std::function<void(const std::string& id)> held;  // an entry was moved to hold/
};

class QueueRunner {
 public:
  QueueRunner(asio::io_context& io, asio::thread_pool& workers, spool::Spool& spool,
              QueueRunnerSettings settings, std::shared_ptr<asio::ssl::context> tls,
              QueueObserver observer = {});

  // Schedules what recover() found and starts the delivery agents.
  void start(const std::vector<spool::EntryInfo>& recovered);
  // A message was just stored: deliver it as soon as an agent is free.
  void enqueue(const std::string& id);
  // Every queued message becomes due now (`portcullis queue flush`, outage over).
  void flushAll();
  awaitable<void> stop();
  size_t size() const { return due_.size(); }

  // The flush request file `portcullis queue flush` creates in the spool root.
  static constexpr const char* kFlushRequestFile = "flush-request";

 private:
  awaitable<void> agent();
  awaitable<void> scheduler();
  std::optional<std::string> takeNext();
  // One delivery attempt of a queued message, in the steps below.
  awaitable<void> deliver(const std::string& id, std::unique_ptr<smtp::Client>& connection);
  // The entry, or nullopt when it is gone or damaged (then moved to corrupt/ and forgotten).
  awaitable<std::optional<spool::SpoolEntry>> loadEntry(const std::string& id);
  struct SendOutcome {
    smtp::TransactionResult result;
    bool reached_mta = true;  // false: no session could be started
  };
  // Sends the message to the pending recipients on `connection`, opened or renewed as needed.
  awaitable<SendOutcome> send(const std::string& id, const spool::SpoolEntry& entry,
                              const Envelope& envelope, std::unique_ptr<smtp::Client>& connection,
                              spool::TimePoint now);
  // Opens `connection` and returns the greeting; on anything but 250 `connection` is left empty
  // and the outage noted, and when the internal MTA answers again every waiting message is due.
  awaitable<smtp::Reply> connect(std::unique_ptr<smtp::Client>& connection, spool::TimePoint now);
  struct Notice {
    std::string_view kind;  // "failure" or "delay"
    spool::DsnMessage dsn;
  };
  // The failure and delay notices the plan calls for.
  std::vector<Notice> noticesAfter(const spool::MessageMeta& meta, std::string_view message,
                                   const spool::AttemptPlan& plan, spool::TimePoint now) const;
  // Queues the notices; returns why the entry must be held when its failure notice could not be
  // queued, else an empty string.
  awaitable<std::string> queueNotices(const std::string& id, const std::vector<Notice>& notices,
                                      spool::TimePoint now);
  // Holds, removes or reschedules the entry as the plan and `hold_reason` say.
  awaitable<void> settle(const std::string& id, spool::AttemptPlan& plan,
                         const std::string& hold_reason, spool::TimePoint now);
  awaitable<void> probeOutage();
  void reportQueue();
  void wake();

  asio::io_context& io_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::thread_pool& workers_;
  spool::Spool& spool_;
  QueueRunnerSettings settings_;
  std::shared_ptr<asio::ssl::context> tls_;
  QueueObserver observer_;
  spool::BackoffJitter jitter_;

  // Queue ids sort by arrival, so iterating due_ visits the oldest first.
  std::map<std::string, spool::TimePoint> due_;
  std::set<std::string> in_flight_;
  asio::steady_timer wakeup_;
  bool stopping_ = false;
  bool downstream_down_ = false;
  std::chrono::steady_clock::time_point last_probe_{};
  size_t agents_running_ = 0;
};

}  // namespace portcullis::relay
