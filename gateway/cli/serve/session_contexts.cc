#include "gateway/cli/serve/session_contexts.h"

namespace portcullis::cli {

SessionContexts::SessionContexts(RuntimeServices services, metrics::LoadTracker& loads)
    : services_(std::move(services)),
      loads_(loads),
      holder_(std::make_shared<SessionContextHolder>(nullptr)) {}

metrics::LoadTracker::Generation SessionContexts::install(const config::GatewayConfig& config) {
  metrics::LoadTracker::Generation generation = loads_.begin();
  RuntimeServices services = services_;
  services.filter_events = generation.events();
  holder_->replace(buildSessionContext(config, services));
  return generation;
}

}  // namespace portcullis::cli
