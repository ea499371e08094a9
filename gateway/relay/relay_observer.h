// What the gateway's metrics learn from the connections to the internal MTA, the same in spool
// mode (the queue runner) and proxy mode: the final reply of each delivery attempt and each TLS
// session. Either callback may be empty; both are called on the I/O thread of the connection.
#pragma once

#include <functional>

#include "gateway/core/envelope.h"

namespace portcullis::relay {

struct RelayObserver {
  // The code of each attempt's final reply; 0 when the internal MTA gave none (unreachable,
  // connection lost or timed out, TLS failed).
  std::function<void(int reply_code)> attempt;
  std::function<void(const TlsInfo& tls)> tls;  // a session the gateway started with STARTTLS
};

}  // namespace portcullis::relay
