#include "gateway/quarantine/release_marker.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gateway/core/queue_id.h"
#include "gateway/spool/durable_file.h"
#include "gateway/spool/state_file.h"

namespace portcullis::quarantine {

namespace {

constexpr std::string_view kMarkerMagic = "PORTCULLIS-RELEASE 1";

}  // namespace

spool::Result<std::optional<ReleaseMarker>> ReleaseMarkers::read(std::string_view id) const {
  using R = spool::Result<std::optional<ReleaseMarker>>;
  auto path = (directory_ / std::string(id)).string();
  ReleaseMarker marker;
  bool have_stage = false;
  auto read = spool::readStateFile(
      path, kMarkerMagic, [&marker, &have_stage](const auto& key, const auto& value) {
        if (key == "queue-id" && isValidQueueId(value)) {
          marker.queue_id = value;
        } else if (key == "stage" && (value == "pending" || value == "queued")) {
          marker.stage = value == "queued" ? ReleaseStage::Queued : ReleaseStage::Pending;
          have_stage = true;
        } else {
          return false;
        }
        return true;
      });
  if (!read) return R::failure(read.error);
  if (!*read) return R::success(std::nullopt);
  if (marker.queue_id.empty() || !have_stage) return R::failure(path + ": incomplete");
  return R::success(std::move(marker));
}

spool::Status ReleaseMarkers::write(std::string_view id, const ReleaseMarker& marker) const {
  return spool::writeStateFile(
      directory_.string(), std::string(id), kMarkerMagic, [&marker](spool::RecordWriter& writer) {
        writer.field("queue-id", marker.queue_id);
        writer.field("stage", marker.stage == ReleaseStage::Queued ? "queued" : "pending");
      });
}

spool::Status ReleaseMarkers::remove(std::string_view id) const {
  auto path = (directory_ / std::string(id)).string();
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return spool::Status::failure("cannot remove " + path + ": " + std::strerror(errno));
  }
  return spool::Status::success();
}

}  // namespace portcullis::quarantine
