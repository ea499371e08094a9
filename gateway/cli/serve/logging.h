// The gateway's log ([log]): one spdlog logger, "portcullis", writing to log.file or stderr at
// log.level, flushed at every line of level info and above, made the default logger.
#pragma once

#include "gateway/config/gateway_config.h"

namespace portcullis::cli {

void setUpLogging(const config::LogConfig& log);

}  // namespace portcullis::cli
