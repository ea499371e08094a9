#include "gateway/quarantine/release_marker.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gateway/core/queue_id.h"
#include "gateway/spool/durable_file.h"
#include "gateway/spool/record_format.h"

namespace portcullis::quarantine {

namespace {

constexpr std::string_view kMarkerMagic = "PORTCULLIS-RELEASE 1";

}  // namespace

spool::Result<std::optional<ReleaseMarker>> ReleaseMarkers::read(std::string_view id) const {
  using R = spool::Result<std::optional<ReleaseMarker>>;
  auto path = (directory_ / std::string(id)).string();
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return R::success(std::nullopt);
  auto bytes = spool::readWholeFile(path);
  if (!bytes) return R::failure(bytes.error);
  auto content = spool::verifyChecksum(*bytes);
  if (!content) return R::failure(path + ": " + content.error);
  spool::RecordReader reader(*content);
  if (auto magic = reader.expectMagic(kMarkerMagic); !magic) {
    return R::failure(path + ": " + magic.error);
  }
  ReleaseMarker marker;
  bool have_stage = false;
  std::string key, value;
  while (reader.next(key, value)) {
    if (key == "queue-id" && isValidQueueId(value)) {
      marker.queue_id = value;
    } else if (key == "stage" && (value == "pending" || value == "queued")) {
      marker.stage = value == "queued" ? ReleaseStage::Queued : ReleaseStage::Pending;
      have_stage = true;
    } else {
      return R::failure(path + ": " + reader.errorAt("unexpected '" + key + "' field"));
    }
  }
  if (!reader.error().empty()) return R::failure(path + ": " + reader.error());
  if (marker.queue_id.empty() || !have_stage) return R::failure(path + ": incomplete");
  return R::success(std::move(marker));
}

spool::Status ReleaseMarkers::write(std::string_view id, const ReleaseMarker& marker) const {
  spool::RecordWriter writer(kMarkerMagic);
  writer.field("queue-id", marker.queue_id);
  writer.field("stage", marker.stage == ReleaseStage::Queued ? "queued" : "pending");
  std::string content = std::move(writer.text());
  std::string checksum = spool::checksumLine({content});
  return spool::replaceFileDurably(directory_.string(), std::string(id), {content, checksum});
}

spool::Status ReleaseMarkers::remove(std::string_view id) const {
  auto path = (directory_ / std::string(id)).string();
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return spool::Status::failure("cannot remove " + path + ": " + std::strerror(errno));
  }
  return spool::Status::success();
}

}  // namespace portcullis::quarantine
