// How the gateway reaches the internal MTA, from [relay] (and [server] hostname): the SMTP
// client's settings and TLS context, the long-line policy, the queue runner's settings and the
// relay metrics. Shared by the session contexts (proxy mode, recipient probes) and the queue.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "gateway/config/gateway_config.h"
#include "gateway/metrics/metrics.h"
#include "gateway/relay/queue_runner.h"
#include "gateway/relay/relay_observer.h"
#include "gateway/smtp/client.h"
#include "gateway/smtp/long_lines.h"

namespace portcullis::cli {

// The TLS context for STARTTLS to the internal MTA (verified with relay.tls_verify).
std::shared_ptr<asio::ssl::context> clientTlsContext(const config::RelayConfig& relay);

// Counts the relay attempts and outbound TLS sessions of either delivery mode.
relay::RelayObserver relayObserver(metrics::Metrics& metrics);

smtp::ClientSettings relayClientSettings(const config::GatewayConfig& config);

smtp::LongLinePolicy longLinePolicy(const config::RelayConfig& relay);

relay::QueueRunnerSettings queueRunnerSettings(const config::GatewayConfig& config);

}  // namespace portcullis::cli
