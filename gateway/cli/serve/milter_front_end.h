// The milter front end, when [milter] is configured: a MilterServer on threads of its own (which
// never take the gateway's signals), starting each MTA connection with the current context of the
// holder the SMTP server shares.
#pragma once

#include <memory>

#include "gateway/cli/serve/session_contexts.h"
#include "gateway/config/gateway_config.h"
#include "gateway/milter/milter_server.h"

namespace portcullis::cli {

// The started server; null without [milter]. Throws config::ConfigError for a bad [milter].
std::unique_ptr<milter::MilterServer> startMilter(const config::GatewayConfig& config,
                                                  std::shared_ptr<SessionContextHolder> contexts);

}  // namespace portcullis::cli
