// Where offline tools (`portcullis rules`, `portcullis scan`) keep compiled rule databases when no
// configuration names a directory: $XDG_CACHE_HOME/portcullis, else ~/.cache/portcullis, else
// nothing (no cache).
#pragma once

#include <filesystem>

namespace portcullis::cli {

std::filesystem::path userCacheDir();

}  // namespace portcullis::cli
