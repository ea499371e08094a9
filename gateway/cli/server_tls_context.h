// The server side of STARTTLS, built from [tls]: the certificate chain and its key, the protocol
// versions, the TLS 1.2 cipher list and whose cipher order wins. Everything that would let the
// gateway start and then fail every handshake (a key that does not belong to the certificate, a
// key of another type, a cipher list with nothing usable for the certificate, an unknown cipher
// name) is refused here with the file:line of the [tls] key, for `config check` and start-up alike.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "gateway/config/gateway_config.h"
#include "gateway/core/asio.h"

namespace portcullis::cli {

// Null when [tls] names no certificate. Throws config::ConfigError.
std::shared_ptr<asio::ssl::context> serverTlsContext(const config::GatewayConfig& config);

}  // namespace portcullis::cli
