#include "gateway/milter/milter_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "gateway/core/queue_id.h"
#include "gateway/core/text.h"
#include "gateway/pipeline/early_rejection.h"
#include "gateway/smtp/reply.h"
#include "gateway/smtp/server_session.h"

namespace portcullis::milter {

namespace {

using Clock = std::chrono::steady_clock;

// Runs `work` on `executor` and waits for it at most `limit`; nullopt when it did not finish. The
// caller must be running on `executor` (the session's strand): the completion is dispatched there,
// so it and the wait never run at the same time. Work that outlives the wait finishes on its own.
template <typename T>
awaitable<std::optional<T>> waitFor(asio::any_io_executor executor, awaitable<T> work,
                                    std::chrono::milliseconds limit) {
  struct Waiting {
    explicit Waiting(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    std::optional<T> result;
  };
  auto waiting = std::make_shared<Waiting>(executor);
  waiting->timer.expires_after(limit);
  asio::co_spawn(executor, std::move(work), [waiting](std::exception_ptr error, T value) {
    if (!error) waiting->result = std::move(value);
    waiting->timer.cancel();
  });
  if (!waiting->result) {
    boost::system::error_code ignored;
    co_await waiting->timer.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
  co_return std::move(waiting->result);
}

// A Reject or TempFail verdict as the answer to a stage; Continue for any other.
StageResult refusalOf(const Verdict& verdict) {
  if (verdict.action != Action::Reject && verdict.action != Action::TempFail) return {};
  return {verdict.action == Action::Reject ? MilterStatus::Reject : MilterStatus::TempFail,
          smtp::Reply{verdict.smtp_code, verdict.enhanced, verdict.reply_text}};
}

smtp::Reply checksUnavailable() {
  return {451, "4.7.1", "Error: temporary failure in message checks, try again later"};
}

// Header values arrive with bare LF between folded lines; the message the checks see uses CRLF.
std::string withCrlf(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) out += '\r';
    out += value[i];
  }
  return out;
}

std::string unfolded(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

std::string paramValue(std::string_view arg, std::string_view key) {
  if (arg.size() <= key.size() || !istartsWith(arg, key) || arg[key.size()] != '=') return {};
  return std::string(arg.substr(key.size() + 1));
}

// The message as the quarantine store keeps it: as the MTA would have delivered it, with the
// Received field it adds for the client's hop (and never shows a milter) and the header edits.
std::string quarantinedCopy(const smtp::SessionContext& ctx, const Transaction& tx,
                            std::string_view mta_hostname, const Report& report,
                            const Verdict& verdict) {
  return smtp::composeMessage(ctx, tx, mta_hostname.empty() ? ctx.protocol.hostname : mta_hostname,
                              report, verdict);
}

}  // namespace

std::string envelopeAddress(std::string_view argument) {
  if (argument.size() >= 2 && argument.front() == '<' && argument.back() == '>') {
    argument = argument.substr(1, argument.size() - 2);
  }
  return std::string(argument);
}

// What the check coroutines share with the session; they hold it alive while they run.
struct MilterSession::Shared {
  Shared(std::shared_ptr<const smtp::SessionContext> ctx, asio::any_io_executor ex)
      : context(std::move(ctx)), strand(std::move(ex)), pending(strand) {}
  std::shared_ptr<const smtp::SessionContext> context;
  asio::any_io_executor strand;
  PendingChecks pending;  // used on the strand only
  std::shared_ptr<Report> connection_report = std::make_shared<Report>();
};

MilterSession::MilterSession(std::shared_ptr<const smtp::SessionContext> context,
                             asio::any_io_executor executor, const MilterSettings& settings)
    : shared_(std::make_shared<Shared>(std::move(context), std::move(executor))),
      settings_(settings) {}

MilterSession::~MilterSession() = default;

std::chrono::milliseconds MilterSession::waitLimit(std::initializer_list<Stage> stages) const {
  // A stage runs its priority groups one after another, each bounded by the check deadline.
  size_t groups = 0;
  const auto& checks = shared_->context->pipeline->checks();
  for (Stage stage : stages) {
    std::optional<int> last;
    for (const auto& c : checks) {
      if (c->stage() != stage || c->priority() == last) continue;
      last = c->priority();
      ++groups;
    }
  }
  return settings_.check_timeout * static_cast<int64_t>(groups) + settings_.wait_margin;
}

void MilterSession::connect(ClientInfo client) {
  client_ = std::move(client);
  auto snapshot = std::make_shared<Transaction>();
  snapshot->client = client_;
  asio::post(shared_->strand, [shared = shared_, snapshot] {
    shared->pending.start(shared->context->pipeline, Stage::Connect, snapshot,
                          shared->connection_report);
  });
}

void MilterSession::helo(std::string_view name) {
  client_.helo = std::string(name);
}

StageResult MilterSession::mail(std::string_view address, const std::vector<std::string>& args,
                                const MailFacts& facts) {
  abort();
  std::string sender = envelopeAddress(address);
  if (auto denied = shared_->context->policy->refuseTransaction(client_.address, sender)) {
    spdlog::info("client={} milter: refused at MAIL: {}", client_.address, denied->reason);
    return refusalOf(*denied);
  }
  transaction_ = std::make_shared<Transaction>();
  Transaction& tx = *transaction_;
  tx.id = facts.queue_id.empty() ? newQueueId() : facts.queue_id;
  mta_hostname_ = facts.mta_hostname;
  tx.client = client_;
  tx.client.auth_user = facts.auth_user;
  tx.client.tls = facts.tls;
  tx.envelope.mail_from = std::move(sender);
  for (const auto& arg : args) {
    if (auto v = paramValue(arg, "SIZE"); !v.empty()) {
      try {
        tx.envelope.params.size = std::stoull(v);
      } catch (const std::exception&) {
      }
    }
    if (auto v = paramValue(arg, "BODY"); !v.empty()) tx.envelope.params.body = toUpper(v);
    if (auto v = paramValue(arg, "RET"); !v.empty()) tx.envelope.params.ret = toUpper(v);
    if (auto v = paramValue(arg, "ENVID"); !v.empty()) tx.envelope.params.envid = v;
    if (iequals(arg, "SMTPUTF8")) tx.envelope.params.smtputf8 = true;
  }
  report_ = std::make_shared<Report>();
  auto snapshot = std::make_shared<const Transaction>(tx);
  asio::post(shared_->strand, [shared = shared_, snapshot, report = report_] {
    shared->pending.start(shared->context->pipeline, Stage::MailFrom, snapshot, report);
  });
  return {};
}

awaitable<StageResult> MilterSession::recipient(std::string_view address,
                                                const std::vector<std::string>& args) {
  Recipient rcpt;
  rcpt.address = envelopeAddress(address);
  for (const auto& arg : args) {
    if (auto v = paramValue(arg, "NOTIFY"); !v.empty()) rcpt.notify = v;
    if (auto v = paramValue(arg, "ORCPT"); !v.empty()) rcpt.orcpt = v;
  }
  if (!transaction_) co_return StageResult{};
  if (std::optional<Verdict> early = co_await rejectedEarly()) {
    spdlog::info("client={} id={} milter: refused at RCPT: {}", client_.address, transaction_->id,
                 early->reason);
    co_return refusalOf(*early);
  }
  const auto& ctx = *shared_->context;
  if (auto denied = ctx.policy->refuseRecipient(rcpt.address)) {
    spdlog::info("client={} id={} milter: refused at RCPT: {}", client_.address, transaction_->id,
                 denied->reason);
    co_return refusalOf(*denied);
  }
  // As in the SMTP front end: the first accepted recipient fixes the transaction's policy, and a
  // recipient with another one is deferred (no error) for the MTA to send in a new transaction.
  PolicyChoice choice =
      ctx.policy->choose(client_.address, transaction_->envelope.mail_from, rcpt.address);
  if (policy_choice_ && !choice.sameAs(*policy_choice_)) {
    co_return StageResult{MilterStatus::TempFail, smtp::replies::policyDiffers()};
  }
  if (ctx.pipeline->hasChecks(Stage::Recipient)) {
    auto probe = std::make_shared<Transaction>(*transaction_);
    probe->envelope.recipients = {rcpt};
    auto run = [](std::shared_ptr<const smtp::SessionContext> c, std::shared_ptr<Transaction> tx,
                  PolicyChoice chosen) -> awaitable<Verdict> {
      Report report;
      co_await c->pipeline->run(Stage::Recipient, *tx, report);
      co_return c->policy->decide(report, chosen);
    };
    // Arguments are prepared before the co_await: g++ 12 mishandles temporaries that live
    // across one (braced lists, copies made for by-value parameters).
    auto op = run(shared_->context, probe, choice);
    auto limit = waitLimit({Stage::Recipient});
    auto verdict = co_await waitFor(shared_->strand, std::move(op), limit);
    if (!verdict) co_return StageResult{MilterStatus::TempFail, checksUnavailable()};
    if (StageResult refused = refusalOf(*verdict); refused.status != MilterStatus::Continue) {
      co_return refused;
    }
  }
  if (!policy_choice_) policy_choice_ = std::move(choice);
  transaction_->envelope.recipients.push_back(std::move(rcpt));
  co_return StageResult{};
}

awaitable<std::optional<Verdict>> MilterSession::rejectedEarly() const {
  auto run = [](std::shared_ptr<Shared> shared,
                std::shared_ptr<const Report> report) -> awaitable<std::optional<Verdict>> {
    co_await shared->pending.wait();
    co_return earlyRejection(*shared->context->policy, *shared->connection_report, report.get());
  };
  auto op = run(shared_, report_);
  auto limit = waitLimit({Stage::Connect, Stage::MailFrom});
  auto verdict = co_await waitFor(shared_->strand, std::move(op), limit);
  if (!verdict) {
    // The end of message waits for them again and answers tempfail if they are still running.
    spdlog::warn("id={} milter: connect and MAIL checks did not finish within {} ms at RCPT",
                 transaction_->id, limit.count());
    co_return std::nullopt;
  }
  co_return *verdict;
}

void MilterSession::header(std::string_view name, std::string_view value) {
  if (!transaction_) return;
  std::string crlf_value = withCrlf(value);
  transaction_->message += fmt::format("{}: {}\r\n", name, crlf_value);
  fields_.emplace_back(std::string(name), unfolded(value));
}

void MilterSession::endOfHeaders() {
  if (transaction_) transaction_->message += "\r\n";
}

void MilterSession::body(std::string_view chunk) {
  body_seen_ += chunk.size();
  if (body_.size() >= settings_.max_body_size) return;
  body_.append(chunk.substr(0, settings_.max_body_size - body_.size()));
}

awaitable<MessageActions> MilterSession::endOfMessage(std::string_view queue_id) {
  if (!transaction_) co_return MessageActions{};
  auto started = Clock::now();
  auto tx = std::move(transaction_);
  auto report = std::move(report_);
  if (!queue_id.empty()) tx->id = std::string(queue_id);
  tx->message += body_;
  uint64_t size = tx->message.size() - body_.size() + body_seen_;
  if (body_seen_ > body_.size()) {
    report->addSymbol(
        {"MILTER_BODY_TRUNCATED", 0,
         fmt::format("scanned the first {} of {} body bytes", body_.size(), body_seen_)});
  }
  const auto& ctx = *shared_->context;
  if (ctx.parse && ctx.pipeline->hasChecks(Stage::Message)) tx->parsed = ctx.parse(tx->message);

  auto run = [](std::shared_ptr<Shared> shared, std::shared_ptr<Transaction> t,
                std::shared_ptr<Report> r, PolicyChoice choice) -> awaitable<Verdict> {
    co_await shared->pending.wait();
    r->merge(*shared->connection_report);
    co_await shared->context->pipeline->run(Stage::Message, *t, *r);
    co_return shared->context->policy->decide(*r, choice);
  };
  auto limit = waitLimit({Stage::Connect, Stage::MailFrom, Stage::Message});
  auto op = run(shared_, tx, report, policy_choice_.value_or(PolicyChoice{}));
  auto verdict = co_await waitFor(shared_->strand, std::move(op), limit);
  MessageActions actions;
  if (!verdict) {
    spdlog::warn("id={} milter: checks did not finish within {} ms, answering tempfail", tx->id,
                 limit.count());
    actions.result = {MilterStatus::TempFail, checksUnavailable()};
  } else {
    // Without a store (a context built for tests) or with a cut body, the MTA's hold queue keeps
    // the whole message instead.
    bool store = verdict->action == Action::Quarantine &&
                 settings_.quarantine == QuarantineMode::Store && ctx.quarantine;
    if (store && body_seen_ > body_.size()) {
      spdlog::warn(
          "id={} milter: body longer than max_body_size, quarantined in the MTA's hold "
          "queue instead of the quarantine store",
          tx->id);
      store = false;
    }
    if (store) {
      actions.result = co_await keepInStore(*tx, *report, *verdict);
    } else {
      actions = plan(*report, *verdict);
    }
    if (ctx.observer.message) {
      smtp::Reply reply = actions.result.reply;
      if (actions.result.status == MilterStatus::Accept ||
          (actions.result.status == MilterStatus::Discard && !store)) {
        reply = {250, "2.0.0", "Ok: passed to the MTA"};
      }
      ctx.observer.message(
          smtp::MessageRecord{*tx, *verdict, reply, size, Clock::now() - started, {}});
    }
  }
  abort();
  co_return actions;
}

awaitable<StageResult> MilterSession::keepInStore(const Transaction& tx, const Report& report,
                                                  const Verdict& verdict) const {
  auto kept = std::make_shared<Transaction>();
  kept->id = newQueueId();
  kept->client = tx.client;
  kept->envelope = tx.envelope;
  kept->parsed = tx.parsed;
  kept->started = tx.started;
  kept->message = quarantinedCopy(*shared_->context, tx, mta_hostname_, report, verdict);
  auto run = [](std::shared_ptr<const smtp::SessionContext> c, std::shared_ptr<const Transaction> t,
                Verdict v) -> awaitable<smtp::Reply> {
    smtp::Reply reply = co_await c->quarantine->keep(*t, t->message, v);
    co_return reply;
  };
  auto op = run(shared_->context, kept, verdict);
  auto reply = co_await waitFor(shared_->strand, std::move(op), settings_.store_timeout);
  if (!reply || !reply->positive()) {
    // The keeper has logged its error; a store that did not answer is logged here.
    if (!reply) {
      spdlog::warn("id={} milter: the quarantine store did not answer within {} ms", tx.id,
                   settings_.store_timeout.count());
    }
    co_return StageResult{MilterStatus::TempFail,
                          {451, "4.3.0", "Error: cannot store the message, try again later"}};
  }
  spdlog::info("id={} milter: quarantined in the quarantine store as {}, discarded in the MTA",
               tx.id, kept->id);
  co_return StageResult{MilterStatus::Discard, *reply};
}

MessageActions MilterSession::plan(const Report& report, const Verdict& verdict) const {
  MessageActions a;
  switch (verdict.action) {
    case Action::Reject:
    case Action::TempFail:
      a.result.status =
          verdict.action == Action::Reject ? MilterStatus::Reject : MilterStatus::TempFail;
      a.result.reply = {verdict.smtp_code, verdict.enhanced, verdict.reply_text};
      return a;
    case Action::Discard:
      a.result.status = MilterStatus::Discard;
      return a;
    case Action::Quarantine:
      a.quarantine = "Portcullis: " + verdict.reason;
      break;
    case Action::Accept:
    case Action::Tag:
      break;
  }
  a.result.status = MilterStatus::Accept;
  const auto& ctx = *shared_->context;
  const auto& own = Policy::ownHeaderNames();
  std::map<std::string, int> seen;  // occurrences so far, by lowercase name
  for (const auto& [name, value] : fields_) {
    int index = ++seen[toLower(name)];
    bool forged = std::any_of(own.begin(), own.end(), [&](auto n) { return iequals(n, name); }) ||
                  (ctx.remove_field && ctx.remove_field(name, value));
    if (forged) a.remove.push_back({name, index});
    if (!a.subject && iequals(name, "Subject")) a.subject = FieldRef{name, index};
  }
  // Remove later occurrences first, so earlier indexes stay valid whatever the MTA does.
  std::reverse(a.remove.begin(), a.remove.end());
  if (ctx.authentication_results) {
    if (auto ar = ctx.authentication_results(report)) a.insert_at_top.push_back(*ar);
  }
  for (const auto& h : report.headers()) a.append.push_back(h);
  for (const auto& h : verdict.headers) a.append.push_back(h);
  if (!verdict.subject_prefix.empty()) {
    std::string current;
    if (a.subject) {
      for (const auto& [name, value] : fields_) {
        if (iequals(name, "Subject")) {
          current = value;
          break;
        }
      }
    }
    std::string trimmed = current;
    trimmed.erase(0, trimmed.find_first_not_of(" \t"));
    if (!istartsWith(trimmed, verdict.subject_prefix)) {
      a.new_subject = a.subject ? verdict.subject_prefix + " " + trimmed : verdict.subject_prefix;
    } else {
      a.subject.reset();
    }
  } else {
    a.subject.reset();
  }
  return a;
}

void MilterSession::abort() {
  transaction_.reset();
  report_.reset();
  policy_choice_.reset();
  fields_.clear();
  body_.clear();
  body_.shrink_to_fit();
  body_seen_ = 0;
}

}  // namespace portcullis::milter
