// One milter connection from the MTA, without the wire protocol: the stages (connect, HELO, MAIL,
// RCPT, headers, body, end of message) feed the same pipeline stages as the SMTP front end, and the
// end of message yields a plan of milter actions (reply, header edits, quarantine) for the
// connection to send. In quarantine mode "store" a quarantined message is kept in the gateway's
// quarantine store (with the header edits it would have got) before the plan says discard; when
// the store fails or does not answer in time, the plan says tempfail. Check coroutines run on the
// session's executor, a strand, and the stages that wait for them (recipient, endOfMessage) are
// awaited on that same strand with a bounded wait. Coroutines that outlive a wait keep their own
// copies of the transaction and report, so a session may be destroyed after any stage (connection
// loss) without dangling work.
//
// The verdict policy is the SMTP front end's (pipeline/policy.h): a deny-listed client or sender is
// refused at MAIL and a deny-listed recipient at RCPT (550 5.7.1); a reject forced by a connect or
// MAIL check (pipeline/early_rejection.h) refuses every recipient with its own reply; the first
// accepted recipient fixes the transaction's PolicyChoice, a recipient whose choice differs gets
// 452 4.5.3 (the sending MTA retries it in a transaction of its own), and the end of message
// decides under the fixed choice.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/milter/milter_settings.h"
#include "gateway/pipeline/policy.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::milter {

// How the MTA is told to go on (maps onto SMFIS_*).
enum class MilterStatus { Continue, Accept, Reject, TempFail, Discard };

struct StageResult {
  MilterStatus status = MilterStatus::Continue;
  smtp::Reply reply;  // for Reject and TempFail (smfi_setreply)
};

// A header field of the message addressed as the milter protocol does: its name and the 1-based
// occurrence among the fields of that name.
struct FieldRef {
  std::string name;
  int index = 1;
};

struct MessageActions {
  StageResult result;
  std::vector<FieldRef> remove;            // forged fields, each occurrence (smfi_chgheader NULL)
  std::vector<HeaderField> insert_at_top;  // in this order from the top (smfi_insheader 0)
  std::vector<HeaderField> append;         // X-Spam-* and check headers (smfi_addheader)
  std::optional<FieldRef> subject;         // Subject occurrence to change, if present
  std::string new_subject;                 // value for `subject`, or to add when none exists
  std::optional<std::string> quarantine;   // reason, when the message goes to the hold queue
};

// MTA facts available at MAIL FROM (milter macros).
struct MailFacts {
  std::string queue_id;      // macro i; empty when the MTA has not assigned one yet
  std::string mta_hostname;  // macro j, for the Received field of a copy kept in the store
  std::string auth_user;
  std::optional<TlsInfo> tls;
};

class MilterSession {
 public:
  // `executor` is the session's strand (or a single-threaded io_context): check coroutines run on
  // it and the awaitable stages must be awaited on it.
  MilterSession(std::shared_ptr<const smtp::SessionContext> context, asio::any_io_executor executor,
                const MilterSettings& settings);
  ~MilterSession();
  MilterSession(const MilterSession&) = delete;
  MilterSession& operator=(const MilterSession&) = delete;

  void connect(ClientInfo client);  // starts the Connect checks
  void helo(std::string_view name);
  // Ends any unfinished transaction, then refuses a deny-listed client or sender, or starts a
  // transaction and its MailFrom checks. `args` are the ESMTP parameters of MAIL FROM
  // ("SIZE=123", "BODY=8BITMIME", ...).
  StageResult mail(std::string_view address, const std::vector<std::string>& args,
                   const MailFacts& facts);
  // Waits for the connect and MAIL checks and refuses the recipient when one of them forced a
  // reject; otherwise refuses a deny-listed recipient, defers one whose policy differs from the
  // transaction's (452 4.5.3), runs the Recipient checks, and otherwise adds the recipient.
  awaitable<StageResult> recipient(std::string_view address, const std::vector<std::string>& args);
  void header(std::string_view name, std::string_view value);
  void endOfHeaders();
  void body(std::string_view chunk);
  // Runs the Message checks (after waiting for the ones started earlier) and decides. `queue_id`
  // replaces the provisional id when the MTA has one by now.
  awaitable<MessageActions> endOfMessage(std::string_view queue_id);
  // The MTA aborted the transaction (RSET, lost client): drop it.
  void abort();

  bool inTransaction() const { return transaction_ != nullptr; }

 private:
  struct Shared;
  std::chrono::milliseconds waitLimit(std::initializer_list<Stage> stages) const;
  // The reject a connect or MAIL check forced, once those checks have finished; nullopt when none
  // did, or when they did not finish within the bounded wait (the end of message decides then).
  awaitable<std::optional<Verdict>> rejectedEarly() const;
  MessageActions plan(const Report& report, const Verdict& verdict) const;
  // Keeps the message in the context's quarantine store under a queue id of its own (the MTA's id
  // is not one); Discard once it is durable, TempFail otherwise.
  awaitable<StageResult> keepInStore(const Transaction& tx, const Report& report,
                                     const Verdict& verdict) const;

  std::shared_ptr<Shared> shared_;
  MilterSettings settings_;
  ClientInfo client_;
  std::shared_ptr<Transaction> transaction_;
  std::shared_ptr<Report> report_;
  std::string mta_hostname_;                   // from the current transaction's MailFacts
  std::optional<PolicyChoice> policy_choice_;  // fixed by the first accepted recipient
  std::vector<std::pair<std::string, std::string>> fields_;  // (name, value) as received
  std::string body_;
  uint64_t body_seen_ = 0;
};

// Strips the angle brackets the MTA leaves around envelope addresses.
std::string envelopeAddress(std::string_view argument);

}  // namespace portcullis::milter
