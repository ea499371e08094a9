// Everything an SMTP session needs from the running gateway, built once from the configuration and
// shared read-only by every session that starts while it is current. A reload builds a new
// context; sessions already running keep the one they started with.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "gateway/core/verdict.h"
#include "gateway/dns/resolver.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/policy.h"
#include "gateway/smtp/data_reader.h"
#include "gateway/smtp/delivery.h"
#include "gateway/smtp/long_lines.h"
#include "gateway/smtp/recipient_policy.h"
#include "gateway/smtp/session_state.h"

namespace portcullis::smtp {

// What the session reports about each finished transaction (metrics, the per-message log line).
struct MessageRecord {
  const Transaction& tx;
  const Verdict& verdict;
  const Reply& reply;
  uint64_t size = 0;
  std::chrono::nanoseconds checks_time{};
  std::chrono::nanoseconds delivery_time{};
};

struct SessionObserver {
  std::function<void(const MessageRecord&)> message;
  std::function<void(std::string_view result)> connection;  // "accepted", "rejected_limit", ...
  std::function<void(const TlsInfo&)> tls;
};

struct SessionContext {
  ProtocolSettings protocol;
  size_t max_line_length = 2048;
  uint64_t max_header_size = 1 << 20;
  std::chrono::milliseconds command_timeout{300'000};
  std::chrono::milliseconds data_timeout{600'000};
  BareLineEndPolicy bare_line_ends = BareLineEndPolicy::Reject;
  LongLinePolicy long_lines;  // Refuse: checked at the end of DATA; Wrap: the relay's business
  std::shared_ptr<const Pipeline> pipeline;
  std::shared_ptr<const Policy> policy;
  std::shared_ptr<const RecipientPolicy> recipients;
  std::shared_ptr<Delivery> delivery;
  // Where quarantined messages go; null: a quarantine verdict delivers the message tagged.
  std::shared_ptr<QuarantineSink> quarantine;
  std::shared_ptr<asio::ssl::context> tls;  // null when STARTTLS is not offered
  // Looks up the client's forward-confirmed reverse name at connect (what our Received field and
  // the relay model record); null: the client is recorded without a name.
  dns::Resolver* resolver = nullptr;
  // Parses the message for Message-stage checks (set when any are configured).
  std::function<std::shared_ptr<const mime::Message>(std::string_view)> parse;
  // Renders Authentication-Results for the report; empty function: no such header.
  std::function<std::optional<HeaderField>(const Report&)> authentication_results;
  // True for an existing header field the gateway must remove (forged A-R claiming our id).
  std::function<bool(std::string_view name, std::string_view value)> remove_field;
  SessionObserver observer;
};

}  // namespace portcullis::smtp
