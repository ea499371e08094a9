// Everything the transaction flow needs from the running gateway, whichever front end (SMTP
// session or milter) received the message: the checks, the verdict policy, the quarantine store,
// how messages are parsed and which header fields the gateway writes and removes. Built once from
// the configuration and shared read-only by every session that starts while it is current (see
// context_holder.h); a reload builds a new one and sessions already running keep theirs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/asio.h"
#include "gateway/core/report.h"
#include "gateway/core/transaction.h"
#include "gateway/core/verdict.h"
#include "gateway/pipeline/decision.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/policy.h"
#include "gateway/pipeline/quarantine_store.h"

namespace portcullis {

// What a front end reports about each finished message (metrics, the per-message log line).
struct MessageRecord {
  const Transaction& tx;
  const Verdict& verdict;
  const FlowReply& reply;
  uint64_t size = 0;
  std::chrono::nanoseconds checks_time{};
  std::chrono::nanoseconds delivery_time{};
};

struct FilterContext {
  // The gateway's name in the Received field it writes.
  std::string hostname = "localhost";
  std::shared_ptr<const Pipeline> pipeline;
  std::shared_ptr<const Policy> policy;
  // Where quarantined messages go; null: each front end's fallback (the SMTP session delivers the
  // message tagged, the milter has the MTA hold it).
  std::shared_ptr<QuarantineStore> quarantine;
  // Parses the message for Message-stage checks (set when any are configured).
  std::function<std::shared_ptr<const mime::Message>(std::string_view)> parse;
  // Renders Authentication-Results for the report; empty function: no such header.
  std::function<std::optional<HeaderField>(const Report&)> authentication_results;
  // True for an existing header field the gateway must remove (forged A-R claiming our id).
  std::function<bool(std::string_view name, std::string_view value)> remove_field;
  // Called once per finished message; may be empty.
  std::function<void(const MessageRecord&)> record_message;
};

}  // namespace portcullis
