#include "gateway/cli/store_ownership.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace portcullis::cli {

std::vector<std::string> handToQueueOwner(const std::filesystem::path& queue_directory,
                                          const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> problems;
  if (::geteuid() != 0) return problems;
  struct stat owner {};
  if (::stat(queue_directory.c_str(), &owner) != 0) return problems;
  for (const auto& file : files) {
    struct stat current {};
    if (::lstat(file.c_str(), &current) != 0 || !S_ISREG(current.st_mode)) continue;
    if (current.st_uid == owner.st_uid && current.st_gid == owner.st_gid) continue;
    if (::lchown(file.c_str(), owner.st_uid, owner.st_gid) != 0)
      problems.push_back(file.string() + ": cannot give it to the queue directory's owner: " +
                         std::strerror(errno));
  }
  return problems;
}

}  // namespace portcullis::cli
