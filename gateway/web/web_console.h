// Starts the web console of a running gateway from its configuration: reads [web], loads (or makes)
// the link key, and wires the console to the gateway's quarantine and delivery queue. Used by
// `portcullis serve`; the console then runs on its own thread until the returned server is
// destroyed.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "gateway/config/gateway_config.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/quarantine/verdict_history.h"
#include "gateway/spool/spool.h"
#include "gateway/web/web_server.h"

namespace portcullis::web {

// Null when [web] is absent. `queue` (null in proxy mode: then nothing can be released) is the
// gateway's delivery spool and `enqueue` tells its queue runner about a released copy (called on
// the console's thread: it must hand over to the runner's own thread). `tls` is the [tls] server
// context (null without a certificate). `verdicts` (may be null) feeds the history page.
// `pipeline` returns the pipeline new messages run through now: its content rules explain the
// message page's symbols. Throws config::ConfigError or std::runtime_error.
std::unique_ptr<WebServer> startWebConsole(
    const config::GatewayConfig& config, std::shared_ptr<quarantine::Quarantine> store,
    spool::Spool* queue, std::function<void(const std::string& id)> enqueue,
    std::shared_ptr<asio::ssl::context> tls, std::shared_ptr<quarantine::VerdictHistory> verdicts,
    std::function<std::shared_ptr<const Pipeline>()> pipeline);

// Applies a reloaded configuration's [web] (read with loadWebConfig before anything was swapped)
// to the running console, `server` (null when the console is off); logs what only a restart
// changes, including [web] added or removed.
void reloadWebConsole(WebServer* server, const std::optional<WebConfig>& fresh);

}  // namespace portcullis::web
