// Proxy mode: the gateway keeps no queue. Each client transaction is mirrored on a connection to
// the internal MTA as it proceeds (MAIL, each RCPT, then the filtered message), and the client
// gets the internal MTA's own replies; if the internal MTA cannot be reached the client gets a
// 4xx and keeps the message. Nothing is ever acknowledged that the internal MTA did not accept.
// Lines over the long-line limit are wrapped before the message is sent (relay/line_length.h).
// Connections come from a DownstreamPool and go back to it when the transaction ends, so the
// client's reply never waits for a QUIT or RSET. A borrowed connection that turns out to be stale
// at MAIL (lost, or a 421: the internal MTA timed it out) is replaced once by a new connection;
// nothing is ever retried once the message was sent, so nothing is delivered twice.
#pragma once

#include <memory>

#include "gateway/relay/downstream_pool.h"
#include "gateway/relay/relay_observer.h"
#include "gateway/smtp/client.h"
#include "gateway/smtp/delivery.h"
#include "gateway/smtp/long_lines.h"

namespace portcullis::relay {

class ProxyDelivery : public smtp::Delivery {
 public:
  ProxyDelivery(smtp::ClientSettings settings, std::shared_ptr<asio::ssl::context> tls,
                RelayObserver observer = {}, smtp::LongLinePolicy long_lines = {},
                DownstreamPoolLimits pool = {});
  std::unique_ptr<smtp::DeliveryTransaction> begin() override;

 private:
  std::shared_ptr<DownstreamPool> pool_;
  RelayObserver observer_;
  smtp::LongLinePolicy long_lines_;
};

}  // namespace portcullis::relay
