// The durable record of a release in progress, so that a release interrupted by a crash is
// finished (never repeated) by the next attempt. One file per quarantined message being released,
// <quarantine dir>/released/ID, written like the spool's state files (write, fsync, rename over,
// fsync the directory):
//   stage "pending": the delivery queue id is chosen; the message may or may not be queued yet;
//   stage "queued":  the message is durably in the delivery queue; only the clean-up is left.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/spool/result.h"

namespace portcullis::quarantine {

enum class ReleaseStage { Pending, Queued };

struct ReleaseMarker {
  std::string queue_id;  // the id of the released copy in the delivery queue
  ReleaseStage stage = ReleaseStage::Pending;
};

class ReleaseMarkers {
 public:
  // `directory` must exist.
  explicit ReleaseMarkers(std::filesystem::path directory) : directory_(std::move(directory)) {}

  // nullopt when there is none; an error when it exists but cannot be read or decoded.
  spool::Result<std::optional<ReleaseMarker>> read(std::string_view id) const;
  spool::Status write(std::string_view id, const ReleaseMarker& marker) const;
  // Removing a marker that does not exist succeeds.
  spool::Status remove(std::string_view id) const;

 private:
  std::filesystem::path directory_;
};

}  // namespace portcullis::quarantine
