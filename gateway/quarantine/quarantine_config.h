// The [quarantine] table of the gateway configuration: where the store lives, how long messages
// are kept and how often expiry runs. Every value is validated; errors name file:line.
#pragma once

#include <chrono>
#include <filesystem>

#include "gateway/config/document.h"
#include "gateway/config/section.h"

namespace portcullis::quarantine {

struct QuarantineConfig {
  std::filesystem::path directory = "/var/lib/portcullis/quarantine";
  std::chrono::milliseconds retention{30LL * 86'400'000};
  std::chrono::milliseconds expire_interval{3'600'000};
};

// Reads the keys of `section` and rejects unknown ones (finish()). Throws config::ConfigError.
QuarantineConfig readQuarantineConfig(config::Section& section);
// The [quarantine] table of `doc`, or the defaults when it is absent.
QuarantineConfig loadQuarantineConfig(const config::Document& doc);

}  // namespace portcullis::quarantine
