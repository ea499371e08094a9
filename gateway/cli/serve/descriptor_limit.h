// The process's descriptor limit against what the configuration needs. Raises the soft limit to
// the hard one, then compares. Too few for max_connections: a loud warning, not a refusal, because
// running short is a degraded mode the listener handles (it pauses accepting and answers
// 421 4.3.2), while refusing to start would stop all mail after a restart. Too few for even one
// session: a refusal.
#pragma once

#include <cstddef>

#include "gateway/config/gateway_config.h"

namespace portcullis::cli {

// What the gateway may hold open at once: an estimate, generous on purpose, since it decides a
// warning and not a hard cap.
struct DescriptorNeeds {
  size_t fixed = 0;        // everything but the SMTP sessions
  size_t per_session = 0;  // each SMTP session
  size_t total(size_t sessions) const { return fixed + per_session * sessions; }
};

// The needs of `config` served with `workers` worker threads.
DescriptorNeeds descriptorNeeds(const config::GatewayConfig& config, size_t workers);

// Raises the soft limit and logs whether it is enough for server.max_connections; throws
// std::runtime_error when it is too low for even one session.
void raiseDescriptorLimit(const config::GatewayConfig& config, size_t workers);

}  // namespace portcullis::cli
