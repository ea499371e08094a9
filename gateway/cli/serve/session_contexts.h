// The context every new SMTP session, milter connection and console explanation starts with:
// one ContextHolder, filled at start-up and again by each reload, built from the services that
// outlive a configuration (worker pool, resolver, spool delivery, quarantine, metrics). A build
// that throws leaves the running context in place.
#pragma once

#include <memory>

#include "gateway/cli/runtime.h"
#include "gateway/metrics/load_tracker.h"
#include "gateway/pipeline/context_holder.h"

namespace portcullis::cli {

using SessionContextHolder = ContextHolder<smtp::SessionContext>;

class SessionContexts {
 public:
  // The holder is empty until the first install(). `loads` must outlive this object.
  SessionContexts(RuntimeServices services, metrics::LoadTracker& loads);

  const std::shared_ptr<SessionContextHolder>& holder() const { return holder_; }

  // Builds the context `config` describes and makes it current. What its checks load counts as
  // the gateway's once the returned generation is activated (when it serves mail). Throws what
  // buildSessionContext throws; safe to call from the reload thread.
  [[nodiscard]] metrics::LoadTracker::Generation install(const config::GatewayConfig& config);

 private:
  const RuntimeServices services_;
  metrics::LoadTracker& loads_;
  std::shared_ptr<SessionContextHolder> holder_;
};

}  // namespace portcullis::cli
