#include "gateway/smtp/server_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "gateway/core/queue_id.h"
#include "gateway/dns/validated_names.h"
#include "gateway/pipeline/message_changes.h"
#include "gateway/pipeline/transaction_flow.h"
#include "gateway/smtp/stream.h"

namespace portcullis::smtp {

namespace {

using Clock = std::chrono::steady_clock;

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

// The SMTP protocol around a TransactionFlow: commands and data in, replies out. The flow holds
// every policy line; the session adds what only SMTP has (its state machine, limits, STARTTLS, the
// recipients it accepts and the downstream delivery).
class Session : public EnvelopeSteps {
 public:
  Session(asio::ip::tcp::socket socket, std::shared_ptr<const SessionContext> context)
      : ctx_(std::move(context)),
        stream_(std::move(socket)),
        state_(ctx_->protocol),
        flow_(ctx_, stream_.socket().get_executor(), FlowOptions{std::nullopt, this, ""}) {
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
    flow_.onConnect(client_);
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
    co_await flow_.waitForChecks();
    co_await stream_.close();
  }

  awaitable<std::optional<FlowReply>> admitRecipient(const Recipient& recipient) override {
    std::optional<Reply> refusal = co_await ctx_->recipients->check(recipient);
    if (!refusal) co_return std::nullopt;
    co_return toFlowReply(*refusal);
  }

  awaitable<std::optional<FlowReply>> forwardRecipient(const Recipient& recipient) override {
    Reply downstream = co_await delivery_->rcpt(recipient);
    if (downstream.positive()) co_return std::nullopt;
    co_return toFlowReply(downstream);
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
        if (!state_.inTransaction() && flow_.inTransaction()) co_await abortTransaction();
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
    flow_.abort();
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

  awaitable<void> onMail(SessionState::Step& step) {
    Transaction tx;
    tx.id = newQueueId();
    tx.client = client_;
    tx.client.helo = state_.helo();
    tx.client.esmtp = state_.esmtp();
    tx.client.tls = stream_.tlsInfo();
    tx.envelope.mail_from = step.mail.address;
    tx.envelope.params = step.mail.params;
    Decision decision = flow_.onMail(std::move(tx));
    if (decision.refused()) {
      const Reply answer = toReply(decision.reply);
      co_await refuse(answer);
      co_return;
    }
    delivery_ = ctx_->delivery->begin();
    Reply reply = co_await delivery_->mail(flow_.transaction().envelope);
    if (!reply.positive()) {
      co_await abortTransaction();
      co_await refuse(reply);
      co_return;
    }
    state_.mailAccepted(step.mail);
    flow_.mailAccepted();
    const Reply answer = replies::senderOk();
    co_await send(answer);
  }

  awaitable<void> onRcpt(SessionState::Step& step) {
    Decision decision = co_await flow_.onRcpt(step.recipient);
    const Reply answer = decision.refused() ? toReply(decision.reply) : replies::recipientOk();
    switch (decision.answer) {
      case Answer::Continue:
        state_.recipientAccepted(step.recipient);
        co_await send(answer);
        break;
      case Answer::Defer:  // no error: the client sends the recipient again (RFC 5321 §3.3)
        co_await send(answer);
        break;
      case Answer::TempFail:
      case Answer::Reject:
        co_await refuse(answer);
        break;
    }
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
    Transaction& open = flow_.transaction();
    if (headerSectionSize(message_) > ctx_->max_header_size) {
      const Reply answer = Reply{552, "5.3.4", "Error: message header size exceeds limit"};
      co_await finishRejected(answer);
      co_return;
    }
    if (auto refusal = refuseLongLines(ctx_->long_lines, open.envelope, message_)) {
      const Reply answer = *refusal;
      co_await finishRejected(answer);
      co_return;
    }
    open.message = std::move(message_);
    message_.clear();
    open.client.tls = stream_.tlsInfo();
    MessageDecision decision = co_await flow_.onMessage();
    const Transaction& tx = *decision.transaction;
    const Verdict& verdict = decision.verdict;
    auto checks_time = Clock::now() - checks_start;

    Reply reply;
    auto delivery_start = Clock::now();
    switch (decision.disposition) {
      case Disposition::Refuse:
        reply = toReply(decision.refusal.reply);
        co_await delivery_->abort();
        break;
      case Disposition::Discard:
        reply = Reply{250, "2.0.0", "Ok: queued as " + tx.id};
        co_await delivery_->abort();
        break;
      case Disposition::Quarantine:
        if (ctx_->quarantine) {
          std::string kept = composeMessage(decision.changes, tx, ctx_->hostname);
          FlowReply stored = co_await ctx_->quarantine->keep(tx, kept, verdict);
          reply = toReply(stored);
          co_await delivery_->abort();
          break;
        }
        // Without a quarantine store the message is delivered tagged.
        [[fallthrough]];
      case Disposition::Deliver: {
        std::string outgoing = composeMessage(decision.changes, tx, ctx_->hostname);
        reply = co_await delivery_->commit(tx, outgoing);
        break;
      }
    }
    auto delivery_time = Clock::now() - delivery_start;
    if (ctx_->record_message) {
      const FlowReply recorded = toFlowReply(reply);
      ctx_->record_message(
          MessageRecord{tx, verdict, recorded, tx.message.size(), checks_time, delivery_time});
    }
    delivery_.reset();
    state_.transactionFinished();
    co_await send(reply);
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
  ClientInfo client_;
  TransactionFlow flow_;
  std::unique_ptr<DeliveryTransaction> delivery_;
  std::string message_;
  bool closing_ = false;
  // The reply to the command being handled may wait for the replies to the commands after it.
  bool reply_may_wait_ = false;
};

}  // namespace

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
