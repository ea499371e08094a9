// One SMTP connection from accept to close: reads commands with deadlines and limits, drives the
// protocol state machine, runs the pipeline at connect, MAIL, RCPT and end of data, applies the
// verdict in the session (reject and tempfail are replies, never bounces) and hands accepted
// messages to the delivery, answering 250 only once the delivery says the message is safe.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "gateway/core/asio.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::smtp {

// Runs the session to its end; never throws.
awaitable<void> runSession(asio::ip::tcp::socket socket,
                           std::shared_ptr<const SessionContext> context);

// The Received: field (RFC 5321 §4.4) the gateway prepends.
HeaderField receivedField(const Transaction& tx, std::string_view hostname,
                          std::chrono::system_clock::time_point when);

// The message as it leaves the gateway: under a Received field for the client's hop as `hostname`
// took it, Authentication-Results and the checks' and verdict's fields; forged copies of the
// gateway's own fields removed; Subject prefixed when the verdict says so.
std::string composeMessage(const SessionContext& ctx, const Transaction& tx,
                           std::string_view hostname, const Report& report, const Verdict& verdict);

}  // namespace portcullis::smtp
