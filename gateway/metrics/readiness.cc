#include "gateway/metrics/readiness.h"

#include <unistd.h>

#include <system_error>

namespace portcullis::metrics {

ReadinessProbe allOf(std::vector<ReadinessCondition> conditions) {
  return [conditions = std::move(conditions)] {
    Readiness result{true, {}};
    for (const auto& condition : conditions) {
      if (condition.holds()) continue;
      result.ready = false;
      result.reason += (result.reason.empty() ? "" : "; ") + condition.failure;
    }
    return result;
  };
}

ReadinessProbe withNote(ReadinessProbe probe, std::function<std::string()> note) {
  return [probe = std::move(probe), note = std::move(note)] {
    Readiness result = probe();
    if (result.ready) result.note = note();
    return result;
  };
}

bool directoryWritable(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) return false;
  // access() honours read-only mounts (EROFS), which ProtectSystem= relies on.
  return ::access(directory.c_str(), W_OK | X_OK) == 0;
}

}  // namespace portcullis::metrics
