#include "gateway/milter/milter_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "gateway/base/text.h"
#include "gateway/core/queue_id.h"
#include "gateway/pipeline/bounded_wait.h"
#include "gateway/pipeline/message_changes.h"

namespace portcullis::milter {

namespace {

using Clock = std::chrono::steady_clock;

StageResult resultOf(const Decision& decision) {
  switch (decision.answer) {
    case Answer::Continue:
      return {};
    case Answer::Reject:
      return {MilterStatus::Reject, decision.reply};
    case Answer::Defer:
    case Answer::TempFail:
      break;
  }
  return {MilterStatus::TempFail, decision.reply};
}

// Header values arrive with bare LF between folded lines; the message the checks see uses CRLF.
void appendWithCrlf(std::string& out, std::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) out += '\r';
    out += value[i];
  }
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

awaitable<FlowReply> keepCopy(std::shared_ptr<const FilterContext> context,
                              std::shared_ptr<const Transaction> kept, Verdict verdict) {
  FlowReply reply = co_await context->quarantine->keep(*kept, kept->message, verdict);
  co_return reply;
}

}  // namespace

std::string envelopeAddress(std::string_view argument) {
  if (argument.size() >= 2 && argument.front() == '<' && argument.back() == '>') {
    argument = argument.substr(1, argument.size() - 2);
  }
  return std::string(argument);
}

MilterSession::MilterSession(std::shared_ptr<const FilterContext> context,
                             asio::any_io_executor executor, const MilterSettings& settings)
    : context_(context),
      executor_(executor),
      settings_(settings),
      flow_(std::move(context), std::move(executor),
            FlowOptions{WaitBounds{settings.check_timeout, settings.wait_margin}, nullptr,
                        "milter: "}) {}

MilterSession::~MilterSession() = default;

void MilterSession::connect(ClientInfo client) {
  client_ = std::move(client);
  flow_.onConnect(client_);
}

void MilterSession::helo(std::string_view name) {
  client_.helo = std::string(name);
}

StageResult MilterSession::mail(std::string_view address, const std::vector<std::string>& args,
                                const MailFacts& facts) {
  abort();
  Transaction tx;
  tx.id = facts.queue_id.empty() ? newQueueId() : facts.queue_id;
  tx.client = client_;
  tx.client.auth_user = facts.auth_user;
  tx.client.tls = facts.tls;
  tx.envelope.mail_from = envelopeAddress(address);
  for (const auto& arg : args) {
    if (auto v = paramValue(arg, "SIZE"); !v.empty()) {
      uint64_t size = 0;
      auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), size);
      if (error == std::errc() && end == v.data() + v.size()) {
        tx.envelope.params.size = size;
      } else {
        spdlog::info("client={} milter: ignoring the MAIL parameter SIZE={} (not a size)",
                     client_.address, v);
      }
    }
    if (auto v = paramValue(arg, "BODY"); !v.empty()) tx.envelope.params.body = toUpper(v);
    if (auto v = paramValue(arg, "RET"); !v.empty()) tx.envelope.params.ret = toUpper(v);
    if (auto v = paramValue(arg, "ENVID"); !v.empty()) tx.envelope.params.envid = v;
    if (iequals(arg, "SMTPUTF8")) tx.envelope.params.smtputf8 = true;
  }
  Decision decision = flow_.onMail(std::move(tx));
  if (decision.refused()) return resultOf(decision);
  mta_hostname_ = facts.mta_hostname;
  flow_.mailAccepted();
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
  Decision decision = co_await flow_.onRcpt(std::move(rcpt));
  co_return resultOf(decision);
}

void MilterSession::header(std::string_view name, std::string_view value) {
  if (!flow_.inTransaction()) return;
  std::string& message = flow_.transaction().message;
  message.append(name).append(": ");
  appendWithCrlf(message, value);
  message.append("\r\n");
  fields_.emplace_back(std::string(name), unfolded(value));
}

void MilterSession::endOfHeaders() {
  if (flow_.inTransaction()) flow_.transaction().message += "\r\n";
}

void MilterSession::body(std::string_view chunk) {
  body_seen_ += chunk.size();
  if (body_.size() >= settings_.max_body_size) return;
  body_.append(chunk.substr(0, settings_.max_body_size - body_.size()));
}

awaitable<MessageActions> MilterSession::endOfMessage(std::string_view queue_id) {
  if (!flow_.inTransaction()) co_return MessageActions{};
  auto started = Clock::now();
  Transaction& open = flow_.transaction();
  if (!queue_id.empty()) open.id = std::string(queue_id);
  open.message += body_;
  uint64_t size = open.message.size() - body_.size() + body_seen_;
  if (body_seen_ > body_.size()) {
    flow_.report().addSymbol(
        {"MILTER_BODY_TRUNCATED", 0,
         fmt::format("scanned the first {} of {} body bytes", body_.size(), body_seen_)});
  }
  MessageDecision decision = co_await flow_.onMessage();
  MessageActions actions;
  if (!decision.checks_finished) {
    actions.result = resultOf(decision.refusal);
  } else {
    const Transaction& tx = *decision.transaction;
    // Without a store (a context built for tests) or with a cut body, the MTA's hold queue keeps
    // the whole message instead.
    bool store = decision.disposition == Disposition::Quarantine &&
                 settings_.quarantine == QuarantineMode::Store && context_->quarantine;
    if (store && body_seen_ > body_.size()) {
      spdlog::warn(
          "id={} milter: body longer than max_body_size, quarantined in the MTA's hold "
          "queue instead of the quarantine store",
          tx.id);
      store = false;
    }
    if (store) {
      actions.result = co_await keepInStore(decision);
    } else {
      actions = plan(decision);
    }
    if (context_->record_message) {
      FlowReply reply = actions.result.reply;
      if (actions.result.status == MilterStatus::Accept ||
          (actions.result.status == MilterStatus::Discard && !store)) {
        reply = {250, "2.0.0", "Ok: passed to the MTA"};
      }
      context_->record_message(
          MessageRecord{tx, decision.verdict, reply, size, Clock::now() - started, {}});
    }
  }
  abort();
  co_return actions;
}

awaitable<StageResult> MilterSession::keepInStore(const MessageDecision& decision) const {
  const Transaction& tx = *decision.transaction;
  auto kept = std::make_shared<Transaction>();
  kept->id = newQueueId();
  kept->client = tx.client;
  kept->envelope = tx.envelope;
  kept->parsed = tx.parsed;
  kept->started = tx.started;
  // As the MTA would have delivered it: with the Received field it adds for the client's hop (and
  // never shows a milter) and the header changes.
  kept->message = composeMessage(decision.changes, tx,
                                 mta_hostname_.empty() ? context_->hostname : mta_hostname_);
  auto op = keepCopy(context_, kept, decision.verdict);
  auto reply = co_await waitAtMost(executor_, std::move(op), settings_.store_timeout);
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

MessageActions MilterSession::plan(const MessageDecision& decision) const {
  MessageActions a;
  switch (decision.disposition) {
    case Disposition::Refuse:
      a.result = resultOf(decision.refusal);
      return a;
    case Disposition::Discard:
      a.result.status = MilterStatus::Discard;
      return a;
    case Disposition::Quarantine:
      a.quarantine = "Portcullis: " + decision.verdict.reason;
      break;
    case Disposition::Deliver:
      break;
  }
  a.result.status = MilterStatus::Accept;
  const HeaderChanges& changes = decision.changes;
  std::map<std::string, int> seen;  // occurrences so far, by lowercase name
  for (const auto& [name, value] : fields_) {
    int index = ++seen[toLower(name)];
    if (changes.remove && changes.remove(name, value)) a.remove.push_back({name, index});
    if (!a.subject && iequals(name, "Subject")) a.subject = FieldRef{name, index};
  }
  // Remove later occurrences first, so earlier indexes stay valid whatever the MTA does.
  std::reverse(a.remove.begin(), a.remove.end());
  if (changes.authentication_results) a.insert_at_top.push_back(*changes.authentication_results);
  a.append = changes.added;
  if (!changes.subject_prefix.empty()) {
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
    if (!istartsWith(trimmed, changes.subject_prefix)) {
      a.new_subject = a.subject ? changes.subject_prefix + " " + trimmed : changes.subject_prefix;
    } else {
      a.subject.reset();
    }
  } else {
    a.subject.reset();
  }
  return a;
}

void MilterSession::abort() {
  flow_.abort();
  fields_.clear();
  body_.clear();
  body_.shrink_to_fit();
  body_seen_ = 0;
}

}  // namespace portcullis::milter
