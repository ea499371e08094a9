#include "gateway/quarantine/quarantine_config.h"

namespace portcullis::quarantine {

namespace {

using std::chrono::milliseconds;
constexpr milliseconds kMinute{60'000};
constexpr milliseconds kHour{3'600'000};
constexpr milliseconds kDay{86'400'000};

}  // namespace

QuarantineConfig readQuarantineConfig(config::Section& section) {
  QuarantineConfig c;
  std::string directory = section.getString("directory", c.directory.string());
  if (directory.empty() || directory.front() != '/') {
    section.fail("directory", "must be an absolute path");
  }
  c.directory = directory;
  c.retention = section.getDuration("retention", c.retention, kHour, 3650 * kDay);
  c.expire_interval = section.getDuration("expire_interval", c.expire_interval, kMinute, kDay);
  if (c.expire_interval > c.retention) {
    section.fail("expire_interval", "must not be longer than retention");
  }
  section.finish();
  return c;
}

QuarantineConfig loadQuarantineConfig(const config::Document& doc) {
  auto root = doc.root();
  auto section = root.sub("quarantine");
  if (!section) return {};
  return readQuarantineConfig(*section);
}

}  // namespace portcullis::quarantine
