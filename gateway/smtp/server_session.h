// One SMTP connection from accept to close: reads commands with deadlines and limits, drives the
// protocol state machine, and translates the transaction's steps into calls on the transaction
// flow (pipeline/transaction_flow.h, shared with the milter) and its decisions into replies:
// reject and tempfail are replies, never bounces; accepted messages go to the delivery, and the
// client hears 250 only once the delivery says the message is safe.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "gateway/core/asio.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::smtp {

// Runs the session to its end; never throws.
awaitable<void> runSession(asio::ip::tcp::socket socket,
                           std::shared_ptr<const SessionContext> context);

}  // namespace portcullis::smtp
