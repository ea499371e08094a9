#include "gateway/cli/serve/milter_front_end.h"

#include "gateway/milter/milter_settings.h"

namespace portcullis::cli {

std::unique_ptr<milter::MilterServer> startMilter(const config::GatewayConfig& config,
                                                  std::shared_ptr<SessionContextHolder> contexts) {
  config::Section root = config.document.root();
  auto section = root.sub("milter");
  if (!section) return nullptr;
  milter::MilterConfig milter_config =
      milter::readMilterConfig(*section, config.pipeline.check_timeout);
  auto server = std::make_unique<milter::MilterServer>(
      milter_config.listen, [contexts] { return contexts->current(); }, milter_config.settings);
  server->start();
  return server;
}

}  // namespace portcullis::cli
