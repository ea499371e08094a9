// One transaction's policy, whichever front end receives it: the SMTP session and the milter
// session are protocol adapters around a TransactionFlow, so every policy line lives here once.
// A front end translates its protocol's events into the calls below, in this order per
// connection, and each call's decision into its protocol's reply:
//   onConnect                starts the Connect checks;
//   onMail, mailAccepted     refuse a deny-listed client or sender (550 5.7.1), or open the
//                            transaction; mailAccepted starts its MailFrom checks once the front
//                            end has accepted MAIL (the SMTP session asks its downstream first);
//   onRcpt                   waits for the Connect and MailFrom checks and refuses every recipient
//                            when one of them forced a reject (early_rejection.h); otherwise
//                            refuses a recipient the front end's own steps refuse (EnvelopeSteps)
//                            or a deny-listed one, defers (452 4.5.3, no error) one whose policy
//                            differs from the transaction's, which its first accepted recipient
//                            fixed, asks the downstream, runs the Recipient checks and refuses on
//                            a reject or tempfail verdict; otherwise adds the recipient;
//   onMessage                runs the Message checks (after the ones started earlier) and decides
//                            under the transaction's policy: refuse, discard, quarantine or
//                            deliver, with the header changes for the last two.
// Calls come one at a time; the awaitable ones run on the executor the flow was made with (a
// strand or a single-threaded io_context), where the checks run too. The coroutines that wait for
// checks own copies of what they use, so a flow may be destroyed after any call (connection lost).
// With WaitBounds (the milter, whose MTA does not wait for ever) every wait is bounded by the
// number of priority groups awaited x the check deadline + a margin: early rejection that is not
// known by then lets the recipient through (the end of message decides), Recipient or Message
// checks that are not done by then answer 451 4.7.1.
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/asio.h"
#include "gateway/core/report.h"
#include "gateway/core/transaction.h"
#include "gateway/core/verdict.h"
#include "gateway/pipeline/decision.h"
#include "gateway/pipeline/filter_context.h"
#include "gateway/pipeline/message_changes.h"
#include "gateway/pipeline/policy.h"

namespace portcullis {

struct WaitBounds {
  std::chrono::milliseconds check_timeout;  // the pipeline's deadline per check
  std::chrono::milliseconds margin;
};

// The envelope steps a front end takes itself (the SMTP session; in front of a milter the MTA
// takes them). Each answers nullopt to go on, or the reply refusing the recipient.
class EnvelopeSteps {
 public:
  virtual ~EnvelopeSteps() = default;
  // Whether the gateway takes mail for the recipient at all (local domains, verification); asked
  // first, before the deny lists.
  virtual awaitable<std::optional<FlowReply>> admitRecipient(const Recipient& recipient) = 0;
  // The downstream transaction's answer, asked once the recipient passed the policy split.
  virtual awaitable<std::optional<FlowReply>> forwardRecipient(const Recipient& recipient) = 0;
};

struct FlowOptions {
  std::optional<WaitBounds> bounds;  // nullopt: waits end when the checks do
  EnvelopeSteps* steps = nullptr;    // must outlive the flow; null: none
  std::string log_prefix;            // put before what the flow logs ("milter: ")
};

enum class Disposition { Refuse, Discard, Quarantine, Deliver };

struct MessageDecision {
  Disposition disposition = Disposition::Refuse;
  Decision refusal;  // for Refuse
  // False when the checks did not finish within the bounds: then Refuse with 451 4.7.1, and
  // `verdict` is a TempFail that says so.
  bool checks_finished = true;
  Verdict verdict;
  std::shared_ptr<Transaction> transaction;
  std::shared_ptr<Report> report;
  HeaderChanges changes;  // for Deliver and Quarantine
};

// The reply when checks did not finish in time.
FlowReply checksUnavailable();
// The reply deferring a recipient whose policy differs from the transaction's.
FlowReply policyDiffers();

class TransactionFlow {
 public:
  TransactionFlow(std::shared_ptr<const FilterContext> context, asio::any_io_executor executor,
                  FlowOptions options = {});
  ~TransactionFlow();
  TransactionFlow(const TransactionFlow&) = delete;
  TransactionFlow& operator=(const TransactionFlow&) = delete;

  const FilterContext& context() const;

  void onConnect(const ClientInfo& client);
  // Ends any unfinished transaction; refuses, or opens `tx` (its id, client and envelope as the
  // front end knows them).
  Decision onMail(Transaction tx);
  void mailAccepted();
  awaitable<Decision> onRcpt(Recipient recipient);
  // Decides the open transaction (the front end has put the message into transaction()) and ends
  // it. Without an open transaction: Refuse with no reply (front ends never ask then).
  awaitable<MessageDecision> onMessage();
  // Ends the open transaction without a decision (RSET, client gone).
  void abort();
  // Completes once every check started so far has finished.
  awaitable<void> waitForChecks();

  bool inTransaction() const { return transaction_ != nullptr; }
  // The open transaction and its report; only while inTransaction().
  Transaction& transaction() { return *transaction_; }
  Report& report() { return *report_; }

 private:
  struct Shared;
  void startChecks(Stage stage, std::shared_ptr<const Transaction> snapshot,
                   std::shared_ptr<Report> report);
  std::chrono::milliseconds waitLimit(std::initializer_list<Stage> stages) const;
  template <typename T>
  awaitable<std::optional<T>> awaitChecks(awaitable<T> work, std::chrono::milliseconds limit);
  awaitable<std::optional<Verdict>> rejectedEarly();
  awaitable<std::optional<Decision>> recipientChecks(const Recipient& recipient,
                                                     const PolicyChoice& choice);

  std::shared_ptr<Shared> shared_;
  FlowOptions options_;
  ClientInfo client_;
  std::shared_ptr<Transaction> transaction_;
  std::shared_ptr<Report> report_;
  std::optional<PolicyChoice> policy_choice_;  // fixed by the first accepted recipient
};

}  // namespace portcullis
