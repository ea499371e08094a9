#include "gateway/smtp/server_session.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "gateway/core/queue_id.h"
#include "gateway/core/text.h"
#include "gateway/dns/validated_names.h"
#include "gateway/pipeline/early_rejection.h"
#include "gateway/smtp/message_edit.h"
#include "gateway/smtp/stream.h"

namespace portcullis::smtp {

namespace {

using Clock = std::chrono::steady_clock;

std::string rfc5322Date(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// Size of the header section (up to and including the empty line), or the whole message.
size_t headerSectionSize(std::string_view message) {
  if (message.rfind("\r\n", 0) == 0) return 2;
  size_t end = message.find("\r\n\r\n");
  return end == std::string_view::npos ? message.size() : end + 4;
}

// The first forward-confirmed reverse name of `address`, or "" when it has none.
awaitable<std::string> verifiedName(dns::Resolver& resolver, const std::string& address) {
  constexpr size_t kMaxPtrNames = 10;
  const auto ip = dns::IpAddress::parse(address);
  if (!ip) co_return std::string();
  const auto names = co_await dns::validatedNames(resolver, *ip, kMaxPtrNames);
  co_return names.empty() ? std::string() : names.front();
}

// Commands whose replies RFC 2920 §3.2 lets a server hold back and send with those of the
// commands pipelined after them; RFC 3030 lets BDAT chunks be pipelined too, so the replies to
// chunks before the last join them. EHLO, DATA, NOOP, QUIT, STARTTLS, AUTH, BDAT LAST and unknown
// commands are answered at once.
bool mayGroupReply(const Command& command) {
  switch (command.verb) {
    case Verb::Rset:
    case Verb::Mail:
    case Verb::Rcpt:
      return true;
    case Verb::Bdat: {
      auto args = parseBdat(command.argument);
      auto* bdat = std::get_if<BdatArgs>(&args);
      return bdat && !bdat->last;
    }
    default:
      return false;
  }
}

class Session {
 public:
  Session(asio::ip::tcp::socket socket, std::shared_ptr<const SessionContext> context)
      : ctx_(std::move(context)),
        stream_(std::move(socket)),
        state_(ctx_->protocol),
        pending_(stream_.socket().get_executor()) {
    boost::system::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      auto address = remote.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      }
      client_.address = address.to_string();
      client_.port = remote.port();
    }
  }

  awaitable<void> run() {
    // As Postfix's smtpd does, the client's name is settled before the greeting.
    if (ctx_->resolver) client_.hostname = co_await verifiedName(*ctx_->resolver, client_.address);
    connection_report_ = std::make_shared<Report>();
    auto snapshot = std::make_shared<Transaction>();
    snapshot->client = client_;
    pending_.start(ctx_->pipeline, Stage::Connect, snapshot, connection_report_);
    const Reply greeting = state_.greeting();
    bool greeted = co_await send(greeting);
    if (!greeted) co_return;
    while (!closing_) {
      auto line = co_await stream_.readLine(ctx_->max_line_length, ctx_->command_timeout);
      if (line.status == ReadStatus::Timeout) {
        const Reply answer = replies::timeout(ctx_->protocol.hostname);
        co_await send(answer);
        break;
      }
      if (line.status == ReadStatus::Closed) break;
      SessionState::Step step =
          line.status == ReadStatus::TooLong ? state_.onLineTooLong() : state_.onLine(line.line);
      reply_may_wait_ = line.status == ReadStatus::Ok && mayGroupReply(parseCommand(line.line));
      co_await handle(step);
    }
    co_await stream_.flush();
    co_await abortTransaction();
    co_await pending_.wait();
    co_await stream_.close();
  }

 private:
  // Replies are passed as named objects: g++ 12 destroys temporaries in co_await expressions
  // twice.
  awaitable<bool> send(const Reply& reply) {
    std::string wire = reply.wire();
    // RFC 2920 §3.2: replies to a pipelined group leave as a unit, when the group is read.
    if (reply_may_wait_ && !closing_ && stream_.hasBufferedInput()) {
      stream_.queue(wire, ctx_->command_timeout);
      co_return true;
    }
    bool written = co_await stream_.write(wire, ctx_->command_timeout);
    if (!written) closing_ = true;
    co_return written;
  }

  awaitable<void> handle(SessionState::Step& step) {
    using Request = SessionState::Request;
    switch (step.request) {
      case Request::Reply:
        // RSET, EHLO and HELO end the transaction in the state machine; end ours too.
        if (!state_.inTransaction() && transaction_) co_await abortTransaction();
        co_await send(step.reply);
        break;
      case Request::Mail:
        co_await onMail(step);
        break;
      case Request::Rcpt:
        co_await onRcpt(step);
        break;
      case Request::Data:
        co_await onData(step);
        break;
      case Request::Bdat:
        co_await onBdat(step);
        break;
      case Request::BdatDiscard: {
        std::string dropped;
        auto status = co_await stream_.readExactly(step.bdat.size, dropped, 0, ctx_->data_timeout);
        if (status != ReadStatus::Ok) {
          closing_ = true;
          co_return;
        }
        co_await send(step.reply);
        break;
      }
      case Request::StartTls:
        co_await onStartTls(step);
        break;
    }
    if (step.close) closing_ = true;
  }

  awaitable<void> abortTransaction() {
    if (delivery_) co_await delivery_->abort();
    delivery_.reset();
    transaction_.reset();
    policy_choice_.reset();
    message_.clear();
  }

  // Sends a refusal (of MAIL, RCPT or a message), which counts towards the error limit.
  awaitable<void> refuse(const Reply& reply) {
    if (state_.countError()) {
      const Reply answer = replies::tooManyErrors(ctx_->protocol.hostname);
      co_await send(answer);
      closing_ = true;
      co_return;
    }
    co_await send(reply);
  }

  static Reply replyOf(const Verdict& verdict) {
    return Reply{verdict.smtp_code, verdict.enhanced, verdict.reply_text};
  }

  awaitable<void> onMail(SessionState::Step& step) {
    if (auto denied = ctx_->policy->refuseTransaction(client_.address, step.mail.address)) {
      spdlog::info("client={} refused at MAIL: {}", client_.address, denied->reason);
      const Reply answer = replyOf(*denied);
      co_await refuse(answer);
      co_return;
    }
    transaction_ = std::make_shared<Transaction>();
    transaction_->id = newQueueId();
    transaction_->client = client_;
    transaction_->client.helo = state_.helo();
    transaction_->client.esmtp = state_.esmtp();
    transaction_->client.tls = stream_.tlsInfo();
    transaction_->envelope.mail_from = step.mail.address;
    transaction_->envelope.params = step.mail.params;
    transaction_report_ = std::make_shared<Report>();
    delivery_ = ctx_->delivery->begin();
    Reply reply = co_await delivery_->mail(transaction_->envelope);
    if (!reply.positive()) {
      co_await abortTransaction();
      co_await refuse(reply);
      co_return;
    }
    state_.mailAccepted(step.mail);
    pending_.start(ctx_->pipeline, Stage::MailFrom,
                   std::make_shared<const Transaction>(*transaction_), transaction_report_);
    const Reply answer = replies::senderOk();
    co_await send(answer);
  }

  // A reject forced by a check of the connect or MAIL stage (a DNS list zone with reject = true,
  // SPF fail with reject_on_fail) refuses every recipient, so the client learns it at RCPT instead
  // of after sending the message. Waits for those checks; each ends by the check deadline.
  awaitable<std::optional<Reply>> earlyReject() {
    co_await pending_.wait();
    std::optional<Verdict> verdict =
        earlyRejection(*ctx_->policy, *connection_report_, transaction_report_.get());
    if (!verdict) co_return std::nullopt;
    spdlog::info("client={} id={} refused at RCPT: {}", client_.address, transaction_->id,
                 verdict->reason);
    co_return replyOf(*verdict);
  }

  // Each transaction has one policy, fixed by its first accepted recipient; a recipient whose
  // policy differs (another domain's settings, or allow-listed while the others are not) gets
  // 452 4.5.3 and the client sends it in a new transaction (RFC 5321 §3.3). That is no error.
  awaitable<void> onRcpt(SessionState::Step& step) {
    std::optional<Reply> blocked = co_await earlyReject();
    if (blocked) {
      co_await refuse(*blocked);
      co_return;
    }
    std::optional<Reply> refusal = co_await ctx_->recipients->check(step.recipient);
    if (!refusal) {
      if (auto denied = ctx_->policy->refuseRecipient(step.recipient.address)) {
        spdlog::info("client={} id={} refused at RCPT: {}", client_.address, transaction_->id,
                     denied->reason);
        refusal = replyOf(*denied);
      }
    }
    PolicyChoice choice = ctx_->policy->choose(client_.address, transaction_->envelope.mail_from,
                                               step.recipient.address);
    if (!refusal && policy_choice_ && !choice.sameAs(*policy_choice_)) {
      const Reply answer = replies::policyDiffers();
      co_await send(answer);
      co_return;
    }
    if (!refusal) {
      Reply downstream = co_await delivery_->rcpt(step.recipient);
      if (!downstream.positive()) refusal = downstream;
    }
    if (!refusal && ctx_->pipeline->hasChecks(Stage::Recipient)) {
      Transaction probe = *transaction_;
      probe.envelope.recipients = {step.recipient};
      Report report;
      co_await ctx_->pipeline->run(Stage::Recipient, probe, report);
      Verdict verdict = ctx_->policy->decide(report, choice);
      if (verdict.action == Action::Reject || verdict.action == Action::TempFail) {
        refusal = replyOf(verdict);
      }
    }
    if (refusal) {
      co_await refuse(*refusal);
      co_return;
    }
    if (!policy_choice_) policy_choice_ = std::move(choice);
    state_.recipientAccepted(step.recipient);
    transaction_->envelope.recipients.push_back(step.recipient);
    const Reply answer = replies::recipientOk();
    co_await send(answer);
  }

  awaitable<void> onData(SessionState::Step& step) {
    bool started = co_await send(step.reply);
    if (!started) co_return;
    message_.clear();
    DataReader reader(ctx_->protocol.max_message_size, ctx_->bare_line_ends, message_);
    auto deadline = Clock::now() + ctx_->data_timeout;
    auto status = co_await stream_.readInto(
        [&](std::string_view bytes) -> std::pair<size_t, bool> {
          size_t used = reader.feed(bytes);
          return {used, reader.done()};
        },
        deadline);
    if (status != ReadStatus::Ok) {
      if (status == ReadStatus::Timeout) {
        Reply timeout = replies::timeout(ctx_->protocol.hostname);
        co_await send(timeout);
      }
      closing_ = true;
      co_return;
    }
    if (reader.tooBig()) {
      const Reply answer = replies::messageTooBig();
      co_await finishRejected(answer);
      co_return;
    }
    if (reader.sawBareLineEnd() && ctx_->bare_line_ends == BareLineEndPolicy::Reject) {
      const Reply answer = replies::bareLineEnd();
      co_await finishRejected(answer);
      co_return;
    }
    co_await finishMessage();
  }

  awaitable<void> onBdat(SessionState::Step& step) {
    uint64_t limit = ctx_->protocol.max_message_size;
    uint64_t before = message_.size();
    auto status =
        co_await stream_.readExactly(step.bdat.size, message_, limit + 1, ctx_->data_timeout);
    if (status != ReadStatus::Ok) {
      closing_ = true;
      co_return;
    }
    bool too_big = before + step.bdat.size > limit;
    if (too_big) {
      // The rest of this BDAT transfer is refused; the client must RSET (RFC 3030 §2).
      state_.transactionFinished();
      const Reply answer = replies::messageTooBig();
      co_await finishRejected(answer);
      co_return;
    }
    if (!step.bdat.last) {
      const Reply answer = Reply{250, "2.0.0", fmt::format("{} octets received", step.bdat.size)};
      co_await send(answer);
      co_return;
    }
    co_await finishMessage();
  }

  awaitable<void> finishRejected(const Reply& reply) {
    co_await abortTransaction();
    state_.transactionFinished();
    co_await refuse(reply);
  }

  awaitable<void> finishMessage() {
    auto checks_start = Clock::now();
    Transaction& tx = *transaction_;
    if (headerSectionSize(message_) > ctx_->max_header_size) {
      const Reply answer = Reply{552, "5.3.4", "Error: message header size exceeds limit"};
      co_await finishRejected(answer);
      co_return;
    }
    if (auto refusal = refuseLongLines(ctx_->long_lines, tx.envelope, message_)) {
      const Reply answer = *refusal;
      co_await finishRejected(answer);
      co_return;
    }
    tx.message = std::move(message_);
    message_.clear();
    tx.client.tls = stream_.tlsInfo();
    if (ctx_->parse && ctx_->pipeline->hasChecks(Stage::Message))
      tx.parsed = ctx_->parse(tx.message);

    co_await pending_.wait();
    Report& report = *transaction_report_;
    report.merge(*connection_report_);
    co_await ctx_->pipeline->run(Stage::Message, tx, report);
    Verdict verdict = ctx_->policy->decide(report, policy_choice_.value_or(PolicyChoice{}));
    auto checks_time = Clock::now() - checks_start;

    Reply reply;
    auto delivery_start = Clock::now();
    switch (verdict.action) {
      case Action::Reject:
      case Action::TempFail:
        reply = Reply{verdict.smtp_code, verdict.enhanced, verdict.reply_text};
        co_await delivery_->abort();
        break;
      case Action::Discard:
        reply = Reply{250, "2.0.0", "Ok: queued as " + tx.id};
        co_await delivery_->abort();
        break;
      case Action::Quarantine:
        if (ctx_->quarantine) {
          std::string kept = compose(tx, report, verdict);
          reply = co_await ctx_->quarantine->keep(tx, kept, verdict);
          co_await delivery_->abort();
          break;
        }
        [[fallthrough]];
      case Action::Accept:
      case Action::Tag: {
        std::string outgoing = compose(tx, report, verdict);
        reply = co_await delivery_->commit(tx, outgoing);
        break;
      }
    }
    auto delivery_time = Clock::now() - delivery_start;
    if (ctx_->observer.message) {
      ctx_->observer.message(
          MessageRecord{tx, verdict, reply, tx.message.size(), checks_time, delivery_time});
    }
    delivery_.reset();
    transaction_.reset();
    policy_choice_.reset();
    state_.transactionFinished();
    co_await send(reply);
  }

  std::string compose(const Transaction& tx, const Report& report, const Verdict& verdict) const {
    return composeMessage(*ctx_, tx, ctx_->protocol.hostname, report, verdict);
  }

  awaitable<void> onStartTls(SessionState::Step& step) {
    if (!ctx_->tls) {
      const Reply answer = replies::tlsNotAvailable();
      co_await send(answer);
      co_return;
    }
    bool ready = co_await send(step.reply);
    if (!ready) co_return;
    co_await abortTransaction();
    bool secured = co_await stream_.startTlsServer(*ctx_->tls, ctx_->command_timeout);
    if (!secured) {
      spdlog::info("client={} STARTTLS failed: {}", client_.address, stream_.lastError());
      closing_ = true;
      co_return;
    }
    state_.tlsStarted();
    if (ctx_->observer.tls) {
      if (auto info = stream_.tlsInfo()) ctx_->observer.tls(*info);
    }
  }

  std::shared_ptr<const SessionContext> ctx_;
  Stream stream_;
  SessionState state_;
  PendingChecks pending_;
  ClientInfo client_;
  std::shared_ptr<Report> connection_report_;
  std::shared_ptr<Transaction> transaction_;
  std::shared_ptr<Report> transaction_report_;
  std::optional<PolicyChoice> policy_choice_;  // fixed by the first accepted recipient
  std::unique_ptr<DeliveryTransaction> delivery_;
  std::string message_;
  bool closing_ = false;
  // The reply to the command being handled may wait for the replies to the commands after it.
  bool reply_may_wait_ = false;
};

}  // namespace

HeaderField receivedField(const Transaction& tx, std::string_view hostname,
                          std::chrono::system_clock::time_point when) {
  const ClientInfo& c = tx.client;
  std::string protocol = tx.envelope.params.smtputf8 ? "UTF8SMTP" : (c.esmtp ? "ESMTP" : "SMTP");
  if (c.tls) protocol += "S";
  std::string value = fmt::format("from {} ({} [{}])", c.helo.empty() ? "unknown" : c.helo,
                                  c.hostname.empty() ? "unknown" : c.hostname, c.address);
  if (c.tls) {
    value += fmt::format(" (using {} with cipher {} ({} bits))", c.tls->version, c.tls->cipher,
                         c.tls->bits);
  }
  value += fmt::format(" by {} (Portcullis) with {} id {}", hostname, protocol, tx.id);
  if (tx.envelope.recipients.size() == 1) {
    value += " for <" + tx.envelope.recipients.front().address + ">";
  }
  value += "; " + rfc5322Date(when);
  return {"Received", value};
}

std::string composeMessage(const SessionContext& ctx, const Transaction& tx,
                           std::string_view hostname, const Report& report,
                           const Verdict& verdict) {
  HeaderEdit edit;
  edit.prepend.push_back(receivedField(tx, hostname, std::chrono::system_clock::now()));
  if (ctx.authentication_results) {
    if (auto ar = ctx.authentication_results(report)) edit.prepend.push_back(*ar);
  }
  for (const auto& h : report.headers()) edit.prepend.push_back(h);
  for (const auto& h : verdict.headers) edit.prepend.push_back(h);
  auto own = Policy::ownHeaderNames();
  auto remove_field = ctx.remove_field;
  edit.remove = [own, remove_field](std::string_view name, std::string_view value) {
    for (auto n : own) {
      if (iequals(n, name)) return true;
    }
    return remove_field && remove_field(name, value);
  };
  edit.subject_prefix = verdict.subject_prefix;
  return editHeaders(tx.message, edit);
}

awaitable<void> runSession(asio::ip::tcp::socket socket,
                           std::shared_ptr<const SessionContext> context) {
  try {
    Session session(std::move(socket), std::move(context));
    co_await session.run();
  } catch (const std::exception& e) {
    spdlog::error("session ended by an internal error: {}", e.what());
  }
}

}  // namespace portcullis::smtp
