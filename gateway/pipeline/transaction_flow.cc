#include "gateway/pipeline/transaction_flow.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "gateway/pipeline/bounded_wait.h"
#include "gateway/pipeline/early_rejection.h"

namespace portcullis {

FlowReply checksUnavailable() {
  return {451, "4.7.1", "Error: temporary failure in message checks, try again later"};
}

FlowReply policyDiffers() {
  return {452, "4.5.3", "Error: this recipient has another filtering policy, send it separately"};
}

// What the check coroutines share with the flow; they hold it alive while they run.
struct TransactionFlow::Shared {
  Shared(std::shared_ptr<const FilterContext> ctx, asio::any_io_executor ex)
      : context(std::move(ctx)), executor(std::move(ex)), pending(executor) {}
  std::shared_ptr<const FilterContext> context;
  asio::any_io_executor executor;
  PendingChecks pending;
  std::shared_ptr<Report> connection_report = std::make_shared<Report>();
};

namespace {

// An early rejection as a verdict to wait for: the Reject, or nullopt when no check forced one.
awaitable<std::optional<Verdict>> earlyVerdict(std::shared_ptr<const FilterContext> context,
                                               std::shared_ptr<PendingChecks> pending,
                                               std::shared_ptr<const Report> connection,
                                               std::shared_ptr<const Report> transaction) {
  co_await pending->wait();
  co_return earlyRejection(*context->policy, *connection, transaction.get());
}

awaitable<Verdict> recipientVerdict(std::shared_ptr<const FilterContext> context,
                                    std::shared_ptr<const Transaction> probe, PolicyChoice choice) {
  Report report;
  co_await context->pipeline->run(Stage::Recipient, *probe, report);
  co_return context->policy->decide(report, choice);
}

awaitable<Verdict> messageVerdict(std::shared_ptr<const FilterContext> context,
                                  std::shared_ptr<PendingChecks> pending,
                                  std::shared_ptr<const Report> connection,
                                  std::shared_ptr<const Transaction> tx,
                                  std::shared_ptr<Report> report, PolicyChoice choice) {
  co_await pending->wait();
  report->merge(*connection);
  co_await context->pipeline->run(Stage::Message, *tx, *report);
  co_return context->policy->decide(*report, choice);
}

Disposition dispositionOf(Action action) {
  switch (action) {
    case Action::Reject:
    case Action::TempFail:
      return Disposition::Refuse;
    case Action::Discard:
      return Disposition::Discard;
    case Action::Quarantine:
      return Disposition::Quarantine;
    case Action::Accept:
    case Action::Tag:
      break;
  }
  return Disposition::Deliver;
}

}  // namespace

TransactionFlow::TransactionFlow(std::shared_ptr<const FilterContext> context,
                                 asio::any_io_executor executor, FlowOptions options)
    : shared_(std::make_shared<Shared>(std::move(context), std::move(executor))),
      options_(std::move(options)) {}

TransactionFlow::~TransactionFlow() = default;

const FilterContext& TransactionFlow::context() const {
  return *shared_->context;
}

std::chrono::milliseconds TransactionFlow::waitLimit(std::initializer_list<Stage> stages) const {
  if (!options_.bounds) return std::chrono::milliseconds::max();
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
  return options_.bounds->check_timeout * static_cast<int64_t>(groups) + options_.bounds->margin;
}

template <typename T>
awaitable<std::optional<T>> TransactionFlow::awaitChecks(awaitable<T> work,
                                                         std::chrono::milliseconds limit) {
  if (!options_.bounds) co_return co_await std::move(work);
  co_return co_await waitAtMost(shared_->executor, std::move(work), limit);
}

void TransactionFlow::startChecks(Stage stage, std::shared_ptr<const Transaction> snapshot,
                                  std::shared_ptr<Report> report) {
  // Inline when called on the executor, as front ends are; posted there otherwise (a caller on
  // another thread), since the pending checks are the executor's alone.
  asio::dispatch(shared_->executor, [shared = shared_, stage, snapshot = std::move(snapshot),
                                     report = std::move(report)]() mutable {
    shared->pending.start(shared->context->pipeline, stage, std::move(snapshot), std::move(report));
  });
}

void TransactionFlow::onConnect(const ClientInfo& client) {
  client_ = client;
  auto snapshot = std::make_shared<Transaction>();
  snapshot->client = client_;
  startChecks(Stage::Connect, std::move(snapshot), shared_->connection_report);
}

Decision TransactionFlow::onMail(Transaction tx) {
  abort();
  const auto& ctx = *shared_->context;
  if (auto denied = ctx.policy->refuseTransaction(client_.address, tx.envelope.mail_from)) {
    spdlog::info("client={} {}refused at MAIL: {}", client_.address, options_.log_prefix,
                 denied->reason);
    return Decision::of(*denied);
  }
  transaction_ = std::make_shared<Transaction>(std::move(tx));
  report_ = std::make_shared<Report>();
  return Decision::proceed();
}

void TransactionFlow::mailAccepted() {
  // The snapshot (a copy of the transaction) is made only for checks that will run.
  if (!shared_->context->pipeline->hasChecks(Stage::MailFrom)) return;
  startChecks(Stage::MailFrom, std::make_shared<const Transaction>(*transaction_), report_);
}

awaitable<std::optional<Verdict>> TransactionFlow::rejectedEarly() {
  // PendingChecks shares its state between copies; this copy lives as long as the wait does.
  auto pending = std::make_shared<PendingChecks>(shared_->pending);
  auto op = earlyVerdict(shared_->context, pending, shared_->connection_report, report_);
  auto limit = waitLimit({Stage::Connect, Stage::MailFrom});
  auto verdict = co_await awaitChecks(std::move(op), limit);
  if (!verdict) {
    // The end of message waits for them again and answers tempfail if they are still running.
    spdlog::warn("id={} {}connect and MAIL checks did not finish within {} ms at RCPT",
                 transaction_->id, options_.log_prefix, limit.count());
    co_return std::nullopt;
  }
  co_return *verdict;
}

awaitable<std::optional<Decision>> TransactionFlow::recipientChecks(const Recipient& recipient,
                                                                    const PolicyChoice& choice) {
  if (!shared_->context->pipeline->hasChecks(Stage::Recipient)) co_return std::nullopt;
  auto probe = std::make_shared<Transaction>(*transaction_);
  probe->envelope.recipients = {recipient};
  // Arguments are prepared before the co_await: g++ 12 mishandles temporaries that live across
  // one (braced lists, copies made for by-value parameters).
  auto op = recipientVerdict(shared_->context, probe, choice);
  auto limit = waitLimit({Stage::Recipient});
  auto verdict = co_await awaitChecks(std::move(op), limit);
  if (!verdict) co_return Decision::refuse(checksUnavailable());
  Decision decision = Decision::of(*verdict);
  if (!decision.refused()) co_return std::nullopt;
  co_return decision;
}

awaitable<Decision> TransactionFlow::onRcpt(Recipient recipient) {
  if (!transaction_) co_return Decision::proceed();
  if (std::optional<Verdict> early = co_await rejectedEarly()) {
    spdlog::info("client={} id={} {}refused at RCPT: {}", client_.address, transaction_->id,
                 options_.log_prefix, early->reason);
    co_return Decision::of(*early);
  }
  const auto& ctx = *shared_->context;
  std::optional<Decision> refusal;
  if (options_.steps) {
    if (auto refused = co_await options_.steps->admitRecipient(recipient)) {
      refusal = Decision::refuse(*refused);
    }
  }
  if (!refusal) {
    if (auto denied = ctx.policy->refuseRecipient(recipient.address)) {
      spdlog::info("client={} id={} {}refused at RCPT: {}", client_.address, transaction_->id,
                   options_.log_prefix, denied->reason);
      refusal = Decision::of(*denied);
    }
  }
  PolicyChoice choice =
      ctx.policy->choose(client_.address, transaction_->envelope.mail_from, recipient.address);
  if (!refusal && policy_choice_ && !choice.sameAs(*policy_choice_)) {
    co_return Decision{Answer::Defer, policyDiffers()};
  }
  // Our own checks come before the recipient goes downstream: one they refuse must not be in
  // the downstream transaction, which would deliver to it (and again when the client retries).
  if (!refusal) refusal = co_await recipientChecks(recipient, choice);
  if (!refusal && options_.steps) {
    if (auto refused = co_await options_.steps->forwardRecipient(recipient)) {
      refusal = Decision::refuse(*refused);
    }
  }
  if (refusal) co_return *refusal;
  if (!policy_choice_) policy_choice_ = std::move(choice);
  transaction_->envelope.recipients.push_back(std::move(recipient));
  co_return Decision::proceed();
}

awaitable<MessageDecision> TransactionFlow::onMessage() {
  MessageDecision decision;
  if (!transaction_) co_return decision;
  decision.transaction = std::move(transaction_);
  decision.report = std::move(report_);
  PolicyChoice choice = policy_choice_.value_or(PolicyChoice{});
  abort();
  Transaction& tx = *decision.transaction;
  const auto& ctx = *shared_->context;
  if (ctx.parse && ctx.pipeline->hasChecks(Stage::Message)) tx.parsed = ctx.parse(tx.message);

  auto pending = std::make_shared<PendingChecks>(shared_->pending);
  auto op = messageVerdict(shared_->context, pending, shared_->connection_report,
                           decision.transaction, decision.report, std::move(choice));
  auto limit = waitLimit({Stage::Connect, Stage::MailFrom, Stage::Message});
  auto verdict = co_await awaitChecks(std::move(op), limit);
  if (!verdict) {
    spdlog::warn("id={} {}checks did not finish within {} ms, answering tempfail", tx.id,
                 options_.log_prefix, limit.count());
    decision.checks_finished = false;
    decision.refusal = Decision::refuse(checksUnavailable());
    decision.verdict.action = Action::TempFail;
    decision.verdict.reason = "checks did not finish";
    decision.verdict.smtp_code = decision.refusal.reply.code;
    decision.verdict.enhanced = decision.refusal.reply.enhanced;
    decision.verdict.reply_text = decision.refusal.reply.text;
    co_return decision;
  }
  decision.verdict = std::move(*verdict);
  decision.disposition = dispositionOf(decision.verdict.action);
  if (decision.disposition == Disposition::Refuse) {
    decision.refusal = Decision::of(decision.verdict);
  } else {
    decision.changes = headerChanges(ctx, *decision.report, decision.verdict);
  }
  co_return decision;
}

void TransactionFlow::abort() {
  transaction_.reset();
  report_.reset();
  policy_choice_.reset();
}

awaitable<void> TransactionFlow::waitForChecks() {
  auto shared = shared_;
  co_await shared->pending.wait();
}

}  // namespace portcullis
