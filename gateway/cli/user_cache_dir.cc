#include "gateway/cli/user_cache_dir.h"

#include <cstdlib>

namespace portcullis::cli {

std::filesystem::path userCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "portcullis";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "portcullis";
  return {};
}

}  // namespace portcullis::cli
