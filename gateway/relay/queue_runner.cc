#include "gateway/relay/queue_runner.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "gateway/core/offload.h"
#include "gateway/core/queue_id.h"
#include "gateway/relay/line_length.h"

namespace portcullis::relay {

namespace {

std::string replyText(const smtp::Reply& r) {
  std::string text = std::to_string(r.code);
  if (!r.enhanced.empty()) text += " " + r.enhanced;
  std::string flat = r.text;
  for (char& c : flat) {
    if (c == '\n') c = ' ';
  }
  return text + " " + flat;
}

// The recipients of a queued message still to deliver: an envelope with only them, and for each
// its place in the delivery state.
struct PendingRecipients {
  Envelope envelope;
  std::vector<size_t> index;
};

PendingRecipients pendingRecipients(const spool::MessageMeta& meta,
                                    const spool::DeliveryState& state) {
  PendingRecipients pending{meta.envelope, {}};
  pending.envelope.recipients.clear();
  for (size_t i = 0; i < state.recipients.size(); ++i) {
    auto s = state.recipients[i].status;
    if (s == spool::RecipientStatus::Pending || s == spool::RecipientStatus::Delayed) {
      pending.envelope.recipients.push_back(meta.envelope.recipients[i]);
      pending.index.push_back(i);
    }
  }
  return pending;
}

// The attempt's result when no session could be started: never final for the recipients.
smtp::TransactionResult unavailable(const smtp::Reply& hello, size_t recipients) {
  smtp::Reply reply{451, "4.4.1", "internal MTA unavailable: " + replyText(hello)};
  reply.connection_failed = hello.connection_failed;
  smtp::TransactionResult result;
  result.mail = reply;
  result.recipients.assign(recipients, reply);
  result.data = reply;
  return result;
}

// Per-recipient outcome, by place in the delivery state: a refused recipient is final for it;
// an accepted one shares the message's final reply.
std::vector<std::optional<spool::RecipientOutcome>> recipientOutcomes(
    const smtp::TransactionResult& result, const PendingRecipients& pending, size_t recipients) {
  std::vector<std::optional<spool::RecipientOutcome>> outcomes(recipients);
  for (size_t k = 0; k < pending.index.size(); ++k) {
    const smtp::Reply& rcpt = result.recipients[k];
    const smtp::Reply& outcome = rcpt.positive() ? result.data : rcpt;
    outcomes[pending.index[k]] =
        spool::RecipientOutcome{outcome.code, outcome.enhanced, outcome.text};
  }
  return outcomes;
}

// A message with the null sender that failed for good cannot be bounced: it is held.
std::string nullSenderHoldReason(const spool::MessageMeta& meta, const spool::AttemptPlan& plan) {
  if (!meta.envelope.mail_from.empty()) return {};
  for (const auto& r : plan.state.recipients) {
    if (r.status == spool::RecipientStatus::Failed) {
      return "undeliverable message with the null sender (no notice can be sent): " + r.reply;
    }
  }
  return {};
}

}  // namespace

QueueRunner::QueueRunner(asio::io_context& io, asio::thread_pool& workers, spool::Spool& spool,
                         QueueRunnerSettings settings, std::shared_ptr<asio::ssl::context> tls,
                         QueueObserver observer)
    : io_(io),
      strand_(asio::make_strand(io)),
      workers_(workers),
      spool_(spool),
      settings_(std::move(settings)),
      tls_(std::move(tls)),
      observer_(std::move(observer)),
      wakeup_(strand_, asio::steady_timer::time_point::max()) {}

void QueueRunner::start(const std::vector<spool::EntryInfo>& recovered) {
  asio::post(strand_, [this, recovered] {
    for (const auto& e : recovered) {
      due_[e.meta.id] = e.state.attempts == 0 ? e.meta.arrival : e.state.next_attempt;
    }
    reportQueue();
  });
  for (size_t i = 0; i < settings_.concurrency; ++i) {
    ++agents_running_;
    asio::co_spawn(strand_, agent(), [this](std::exception_ptr e) {
      --agents_running_;
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::critical("queue agent failed: {}", ex.what());
        }
      }
    });
  }
  asio::co_spawn(strand_, scheduler(), asio::detached);
}

void QueueRunner::enqueue(const std::string& id) {
  asio::post(strand_, [this, id] {
    due_[id] = spool::Clock::now();
    reportQueue();
    wake();
  });
}

void QueueRunner::flushAll() {
  asio::post(strand_, [this] {
    auto now = spool::Clock::now();
    for (auto& [id, when] : due_) when = now;
    wake();
  });
}

void QueueRunner::wake() {
  wakeup_.cancel();
}

void QueueRunner::reportQueue() {
  if (!observer_.queue) return;
  std::chrono::seconds oldest{0};
  if (!due_.empty()) {
    // Queue ids start with the low 50 bits of the arrival time in microseconds (base 32, 10
    // digits), which wrap every 35.7 years: the age is the difference modulo 2^50.
    const std::string& id = due_.begin()->first;
    uint64_t micros = 0;
    for (size_t i = 0; i < 10 && i < id.size(); ++i) {
      char c = id[i];
      micros = micros * 32 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'A' + 10);
    }
    constexpr uint64_t kIdTimeMask = (uint64_t{1} << 50) - 1;
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        spool::Clock::now().time_since_epoch());
    auto age =
        std::chrono::microseconds((static_cast<uint64_t>(now.count()) - micros) & kIdTimeMask);
    oldest = std::chrono::duration_cast<std::chrono::seconds>(age);
  }
  observer_.queue(due_.size(), oldest);
}

std::optional<std::string> QueueRunner::takeNext() {
  auto now = spool::Clock::now();
  for (const auto& [id, when] : due_) {
    if (when <= now && !in_flight_.count(id)) {
      in_flight_.insert(id);
      return id;
    }
  }
  return std::nullopt;
}

awaitable<void> QueueRunner::scheduler() {
  asio::steady_timer tick(strand_);
  auto flush_file = spool_.root() / kFlushRequestFile;
  while (!stopping_) {
    tick.expires_after(settings_.scan_interval);
    boost::system::error_code ec;
    co_await tick.async_wait(asio::redirect_error(use_awaitable, ec));
    std::error_code fs_ec;
    if (std::filesystem::remove(flush_file, fs_ec)) {
      spdlog::info("queue flush requested: every queued message is due now");
      auto now = spool::Clock::now();
      for (auto& [id, when] : due_) when = now;
      // Messages another process queued (`portcullis quarantine release`) join the schedule.
      spool::Spool& spool = spool_;
      auto list = [&spool] { return spool.list(); };
      spool::ListReport listing = co_await offload(workers_, std::move(list));
      for (const auto& e : listing.entries) {
        if (!due_.count(e.meta.id) && !in_flight_.count(e.meta.id)) due_[e.meta.id] = now;
      }
    }
    if (downstream_down_ &&
        std::chrono::steady_clock::now() - last_probe_ >= settings_.outage_probe_interval) {
      co_await probeOutage();
    }
    wake();
  }
}

awaitable<void> QueueRunner::probeOutage() {
  last_probe_ = std::chrono::steady_clock::now();
  smtp::Client probe(settings_.client, *tls_);
  smtp::Reply hello = co_await probe.connect();
  if (hello.code == 250) {
    co_await probe.quit();
    downstream_down_ = false;
    spdlog::info("internal MTA {}:{} is back: delivering the backlog", settings_.client.host,
                 settings_.client.port);
    auto now = spool::Clock::now();
    for (auto& [id, when] : due_) when = now;
  }
}

awaitable<void> QueueRunner::agent() {
  std::unique_ptr<smtp::Client> connection;
  auto idle_since = std::chrono::steady_clock::now();
  while (!stopping_) {
    auto next = takeNext();
    if (!next) {
      if (connection && std::chrono::steady_clock::now() - idle_since > settings_.idle_timeout) {
        co_await connection->quit();
        connection.reset();
      }
      // wakeup_ never expires; wake() cancels every agent's wait at once.
      boost::system::error_code ec;
      co_await wakeup_.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    co_await deliver(*next, connection);
    in_flight_.erase(*next);
    idle_since = std::chrono::steady_clock::now();
  }
  if (connection) co_await connection->quit();
}

awaitable<void> QueueRunner::deliver(const std::string& id,
                                     std::unique_ptr<smtp::Client>& connection) {
  std::optional<spool::SpoolEntry> entry = co_await loadEntry(id);
  if (!entry) co_return;
  const spool::MessageMeta& meta = entry->file.meta;
  const PendingRecipients pending = pendingRecipients(meta, entry->state);
  const auto now = spool::Clock::now();

  SendOutcome sent;
  if (!pending.envelope.recipients.empty()) {
    sent = co_await send(id, *entry, pending.envelope, connection, now);
  }
  if (observer_.relay.attempt) {
    observer_.relay.attempt(sent.result.data.connection_failed ? 0 : sent.result.data.code);
  }

  const auto outcomes = recipientOutcomes(sent.result, pending, entry->state.recipients.size());
  const std::string remote = sent.reached_mta ? settings_.client.host : std::string();
  spool::AttemptPlan plan = spool::planAfterAttempt(
      settings_.backoff, meta, std::move(entry->state), outcomes, remote, now, jitter_.next());
  spdlog::info("{}: delivery attempt {} to {}:{}: {}", id, plan.state.attempts,
               settings_.client.host, settings_.client.port, replyText(sent.result.data));

  std::vector<Notice> notices = noticesAfter(meta, entry->file.message, plan, now);
  // Why the entry must be held rather than removed, when it must.
  std::string hold_reason = nullSenderHoldReason(meta, plan);
  std::string notice_failure = co_await queueNotices(id, notices, now);
  if (!notice_failure.empty()) hold_reason = std::move(notice_failure);
  co_await settle(id, plan, hold_reason, now);
  reportQueue();
}

awaitable<std::optional<spool::SpoolEntry>> QueueRunner::loadEntry(const std::string& id) {
  spool::Spool& spool = spool_;
  // Work for the pool is named before it is awaited: GCC 12 destroys lambda temporaries in
  // co_await expressions twice.
  auto load = [&spool, &id] { return spool.load(id); };
  auto loaded = co_await offload(workers_, std::move(load));
  if (loaded) co_return std::move(*loaded);
  // Deleted by the administrator, or damaged: either way not ours to deliver any more.
  if (std::filesystem::exists(spool.messagePath(id))) {
    spdlog::error("{}: cannot load the queue file ({}), moving it to corrupt/", id, loaded.error);
    auto quarantine = [&spool, &id, &loaded] { return spool.moveToCorrupt(id, loaded.error); };
    co_await offload(workers_, std::move(quarantine));
  }
  due_.erase(id);
  reportQueue();
  co_return std::nullopt;
}

awaitable<QueueRunner::SendOutcome> QueueRunner::send(const std::string& id,
                                                      const spool::SpoolEntry& entry,
                                                      const Envelope& envelope,
                                                      std::unique_ptr<smtp::Client>& connection,
                                                      spool::TimePoint now) {
  // Wrapped (or not) the same way at every attempt; said once, at the first.
  const RelayText relayed =
      prepareForRelay(settings_.long_lines, entry.file.meta.envelope, entry.file.message);
  if (entry.state.attempts == 0) logLineWrap(id, settings_.long_lines.limit, relayed.fitted);
  if (connection && (!connection->usable() ||
                     connection->transactionsSent() >= settings_.max_messages_per_connection)) {
    co_await connection->quit();
    connection.reset();
  }
  if (!connection) {
    const smtp::Reply hello = co_await connect(connection, now);
    if (!connection) co_return SendOutcome{unavailable(hello, envelope.recipients.size()), false};
  }
  SendOutcome sent;
  sent.result = co_await connection->send(envelope, relayed.fitted.text(entry.file.message),
                                          relayed.needs_dot_stuffing);
  if (!connection->usable()) connection.reset();
  co_return sent;
}

awaitable<smtp::Reply> QueueRunner::connect(std::unique_ptr<smtp::Client>& connection,
                                            spool::TimePoint now) {
  connection = std::make_unique<smtp::Client>(settings_.client, *tls_);
  smtp::Reply hello = co_await connection->connect();
  if (hello.code != 250) {
    if (!downstream_down_) {
      spdlog::warn("internal MTA {}:{} unavailable: {}", settings_.client.host,
                   settings_.client.port, replyText(hello));
      last_probe_ = std::chrono::steady_clock::now();
    }
    downstream_down_ = true;
    connection.reset();
    co_return hello;
  }
  if (auto tls = connection->tlsInfo(); tls && observer_.relay.tls) observer_.relay.tls(*tls);
  if (downstream_down_) {
    downstream_down_ = false;
    for (auto& [other, when] : due_) when = std::min(when, now);
  }
  co_return hello;
}

std::vector<QueueRunner::Notice> QueueRunner::noticesAfter(const spool::MessageMeta& meta,
                                                           std::string_view message,
                                                           const spool::AttemptPlan& plan,
                                                           spool::TimePoint now) const {
  std::vector<Notice> notices;
  if (!plan.failed.empty()) {
    if (auto dsn = spool::makeDsn(settings_.dsn, spool::DsnKind::Failure, meta, message,
                                  plan.failed, now, now)) {
      notices.push_back({"failure", std::move(*dsn)});
    }
  }
  if (!plan.delayed.empty()) {
    if (auto dsn = spool::makeDsn(settings_.dsn, spool::DsnKind::Delay, meta, message, plan.delayed,
                                  now, spool::expiresAt(settings_.backoff, meta.arrival))) {
      notices.push_back({"delay", std::move(*dsn)});
    }
  }
  return notices;
}

awaitable<std::string> QueueRunner::queueNotices(const std::string& id,
                                                 const std::vector<Notice>& notices,
                                                 spool::TimePoint now) {
  spool::Spool& spool = spool_;
  std::string failure_not_queued;
  // Notices are queued before the state that says they were sent (a crash in between sends a
  // notice twice, never zero times).
  for (const Notice& notice : notices) {
    spool::MessageMeta dsn_meta{newQueueId(), now, ClientInfo{}, notice.dsn.envelope};
    dsn_meta.client.address = "127.0.0.1";
    dsn_meta.client.helo = settings_.dsn.reporting_mta;
    const spool::DsnMessage& dsn = notice.dsn;
    auto store = [&spool, &dsn_meta, &dsn] { return spool.store(dsn_meta, dsn.message); };
    auto stored = co_await offload(workers_, std::move(store));
    if (stored) {
      due_[dsn_meta.id] = now;
      spdlog::info("{}: {} notice queued as {}", id, notice.kind, dsn_meta.id);
    } else {
      spdlog::error("{}: cannot queue a delivery status notice: {}", id, stored.error);
      if (notice.kind == "failure")
        failure_not_queued = "its failure notice could not be queued: " + stored.error;
    }
  }
  co_return failure_not_queued;
}

awaitable<void> QueueRunner::settle(const std::string& id, spool::AttemptPlan& plan,
                                    const std::string& hold_reason, spool::TimePoint now) {
  spool::Spool& spool = spool_;
  if (plan.remove_entry && !hold_reason.empty()) {
    auto hold = [&spool, &id, &hold_reason] { return spool.moveToHold(id, hold_reason); };
    auto held = co_await offload(workers_, std::move(hold));
    if (held) {
      spdlog::error("{}: moved to hold/: {}", id, hold_reason);
      if (observer_.held) observer_.held(id);
      due_.erase(id);
    } else {
      spdlog::critical("{}: cannot move to hold/ ({}); it stays queued: {}", id, held.error,
                       hold_reason);
      due_[id] = now + settings_.backoff.retry_min;
    }
  } else if (plan.remove_entry) {
    auto remove = [&spool, &id] { return spool.remove(id); };
    co_await offload(workers_, std::move(remove));
    due_.erase(id);
  } else {
    plan.state.next_attempt = plan.retry_at;
    const spool::DeliveryState& next = plan.state;
    auto update = [&spool, &id, &next] { return spool.updateState(id, next); };
    auto updated = co_await offload(workers_, std::move(update));
    if (!updated) spdlog::error("{}: cannot record the delivery state: {}", id, updated.error);
    due_[id] = plan.retry_at;
  }
}

awaitable<void> QueueRunner::stop() {
  co_await asio::post(strand_, use_awaitable);
  stopping_ = true;
  wake();
  asio::steady_timer wait(strand_);
  while (agents_running_ > 0) {
    wait.expires_after(std::chrono::milliseconds(20));
    co_await wait.async_wait(use_awaitable);
    wake();
  }
}

}  // namespace portcullis::relay
