// Everything an SMTP session needs from the running gateway: what the transaction flow needs
// (pipeline/filter_context.h, shared with the milter) and the SMTP front end's own settings and
// parts (protocol limits and timeouts, recipients it accepts, the delivery, TLS). Built once from
// the configuration and shared read-only by every session that starts while it is current. A
// reload builds a new context; sessions already running keep the one they started with.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "gateway/dns/resolver.h"
#include "gateway/pipeline/filter_context.h"
#include "gateway/smtp/data_reader.h"
#include "gateway/smtp/delivery.h"
#include "gateway/smtp/long_lines.h"
#include "gateway/smtp/recipient_policy.h"
#include "gateway/smtp/session_state.h"

namespace portcullis::smtp {

using MessageRecord = portcullis::MessageRecord;

struct SessionObserver {
  std::function<void(std::string_view result)> connection;  // "accepted", "rejected_limit", ...
  std::function<void(const TlsInfo&)> tls;
};

struct SessionContext : FilterContext {
  ProtocolSettings protocol;
  size_t max_line_length = 2048;
  uint64_t max_header_size = 1 << 20;
  std::chrono::milliseconds command_timeout{300'000};
  std::chrono::milliseconds data_timeout{600'000};
  BareLineEndPolicy bare_line_ends = BareLineEndPolicy::Reject;
  LongLinePolicy long_lines;  // Refuse: checked at the end of DATA; Wrap: the relay's business
  std::shared_ptr<const RecipientPolicy> recipients;
  std::shared_ptr<Delivery> delivery;
  std::shared_ptr<asio::ssl::context> tls;  // null when STARTTLS is not offered
  // Looks up the client's forward-confirmed reverse name at connect (what our Received field and
  // the relay model record); null: the client is recorded without a name.
  dns::Resolver* resolver = nullptr;
  SessionObserver observer;
};

// A reply of the transaction flow as the SMTP session sends it, and back.
Reply toReply(const FlowReply& reply);
FlowReply toFlowReply(const Reply& reply);

}  // namespace portcullis::smtp
