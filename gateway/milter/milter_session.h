// One milter connection from the MTA, without the wire protocol: the milter's stages (connect,
// HELO, MAIL, RCPT, headers, body, end of message) translated into calls on the transaction flow
// (pipeline/transaction_flow.h, shared with the SMTP front end, which holds every policy line),
// and its decisions into milter answers. The end of message yields a plan of milter actions
// (reply, header edits, quarantine) for the connection to send. In quarantine mode "store" a
// quarantined message is kept in the gateway's quarantine store (with the header edits it would
// have got) before the plan says discard; when the store fails or does not answer in time, the
// plan says tempfail. The flow's checks run on the connection's single-threaded io_context, and
// every wait for them is bounded (MilterSettings::check_timeout and wait_margin), since the MTA
// does not wait for ever; coroutines that outlive a wait keep their own copies of what they use, so
// a session may be destroyed after any stage (connection loss) without dangling work.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/milter/milter_settings.h"
#include "gateway/pipeline/filter_context.h"
#include "gateway/pipeline/transaction_flow.h"

namespace portcullis::milter {

// How the MTA is told to go on (maps onto SMFIS_*).
enum class MilterStatus { Continue, Accept, Reject, TempFail, Discard };

struct StageResult {
  MilterStatus status = MilterStatus::Continue;
  FlowReply reply;  // for Reject and TempFail (smfi_setreply)
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
  MilterSession(std::shared_ptr<const FilterContext> context, asio::any_io_executor executor,
                const MilterSettings& settings);
  ~MilterSession();
  MilterSession(const MilterSession&) = delete;
  MilterSession& operator=(const MilterSession&) = delete;

  void connect(ClientInfo client);  // starts the Connect checks
  void helo(std::string_view name);
  // Ends any unfinished transaction, then the flow's onMail: refuses a deny-listed client or
  // sender, or starts a transaction and its MailFrom checks. `args` are the ESMTP parameters of
  // MAIL FROM ("SIZE=123", "BODY=8BITMIME", ...).
  StageResult mail(std::string_view address, const std::vector<std::string>& args,
                   const MailFacts& facts);
  // The flow's onRcpt: refuses the recipient, defers it (452 4.5.3) or adds it.
  awaitable<StageResult> recipient(std::string_view address, const std::vector<std::string>& args);
  void header(std::string_view name, std::string_view value);
  void endOfHeaders();
  void body(std::string_view chunk);
  // Runs the Message checks (after waiting for the ones started earlier) and decides. `queue_id`
  // replaces the provisional id when the MTA has one by now.
  awaitable<MessageActions> endOfMessage(std::string_view queue_id);
  // The MTA aborted the transaction (RSET, lost client): drop it.
  void abort();

  bool inTransaction() const { return flow_.inTransaction(); }

 private:
  MessageActions plan(const MessageDecision& decision) const;
  // Keeps the message in the context's quarantine store under a queue id of its own (the MTA's id
  // is not one); Discard once it is durable, TempFail otherwise.
  awaitable<StageResult> keepInStore(const MessageDecision& decision) const;

  std::shared_ptr<const FilterContext> context_;
  asio::any_io_executor executor_;
  MilterSettings settings_;
  TransactionFlow flow_;
  ClientInfo client_;
  std::string mta_hostname_;  // from the current transaction's MailFacts
  std::vector<std::pair<std::string, std::string>> fields_;  // (name, value) as received
  std::string body_;
  uint64_t body_seen_ = 0;
};

// Strips the angle brackets the MTA leaves around envelope addresses.
std::string envelopeAddress(std::string_view argument);

}  // namespace portcullis::milter
