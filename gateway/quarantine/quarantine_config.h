// The [quarantine] table of the gateway configuration: where the store lives, how long messages
// are kept and how often expiry runs, and its [quarantine.digest] table (recipients' daily
// digests; the checks that need other tables are in gateway/digest/digest_settings.h). Every value
// is validated; errors name file:line.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/document.h"
#include "gateway/config/section.h"

namespace portcullis::quarantine {

// [quarantine.digest]: one message a day to each local recipient with newly quarantined mail.
struct DigestConfig {
  bool enabled = true;
  std::chrono::minutes time_of_day{7 * 60};  // local time of the daily run ("07:00")
  std::string sender;  // From and envelope sender; empty: postmaster@<server.hostname>
  std::filesystem::path template_directory = "/usr/share/portcullis/digest";
  std::string language = "en";      // the template is <template_directory>/<language>.txt
  uint32_t max_messages = 100;      // messages listed in one digest (the rest are counted)
  uint32_t max_field_length = 120;  // characters of a listed subject or sender
  // Messages that arrived less than this before a run wait for the next one, so a message still
  // on its way into the quarantine when the run starts is never skipped.
  std::chrono::milliseconds settle_time{5LL * 60'000};
  std::vector<std::string> domains;  // recipients' domains; empty: all of domains.local
};

struct QuarantineConfig {
  std::filesystem::path directory = "/var/lib/portcullis/quarantine";
  std::chrono::milliseconds retention{30LL * 86'400'000};
  std::chrono::milliseconds expire_interval{3'600'000};
  // The verdict history (counts per hour of every message's verdict): how long hours are kept and
  // how often the counts in memory are written to disk (a crash loses at most this much).
  std::chrono::milliseconds history_retention{90LL * 86'400'000};
  std::chrono::milliseconds history_flush_interval{60'000};
  std::optional<DigestConfig> digest;  // present when [quarantine.digest] is
};

// Reads the keys of `section` and rejects unknown ones (finish()). Throws config::ConfigError.
QuarantineConfig readQuarantineConfig(config::Section& section);
// A plain address for header fields and the envelope: local@domain in printable ASCII without
// the characters that would end or split a field or an angle-bracket address.
bool isPlainAddress(std::string_view address);
// Reads [quarantine.digest] alone (also called by readQuarantineConfig).
DigestConfig readDigestConfig(config::Section& section);
// The [quarantine] table of `doc`, or the defaults when it is absent.
QuarantineConfig loadQuarantineConfig(const config::Document& doc);

}  // namespace portcullis::quarantine
