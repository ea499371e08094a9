#include "gateway/cli/pid_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace portcullis::cli {

PidFile::PidFile(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  const std::filesystem::path temporary = path_.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << getpid() << "\n";
    if (!out.flush()) {
      throw std::runtime_error("server.pid_file: cannot write " + temporary.string() + ": " +
                               std::strerror(errno));
    }
  }
  std::filesystem::rename(temporary, path_, ec);
  if (ec) {
    throw std::runtime_error("server.pid_file: cannot create " + path_.string() + ": " +
                             ec.message());
  }
}

PidFile::~PidFile() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

pid_t runningDaemon(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string() + " (" + std::strerror(errno) +
                             "): is portcullis serve running with this configuration?");
  }
  long pid = 0;
  if (!(in >> pid) || pid <= 1) throw std::runtime_error(path.string() + " holds no pid");
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
    throw std::runtime_error(path.string() + " names pid " + std::to_string(pid) +
                             ", which is not running (a stale pid file)");
  }
  return static_cast<pid_t>(pid);
}

}  // namespace portcullis::cli
