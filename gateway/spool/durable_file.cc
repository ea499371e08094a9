#include "gateway/spool/durable_file.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace portcullis::spool {

namespace {

std::string systemError(std::string_view what, const std::string& path, int err) {
  return std::string(what) + " " + path + ": " + std::strerror(err);
}

// writev until every byte is written; partial writes and EINTR continue.
template <class Pieces>
bool writeAll(int fd, const Pieces& pieces, int& err) {
  std::vector<iovec> iov;
  for (auto piece : pieces) {
    if (!piece.empty()) iov.push_back({const_cast<char*>(piece.data()), piece.size()});
  }
  size_t first = 0;
  while (first < iov.size()) {
    size_t count = std::min<size_t>(iov.size() - first, IOV_MAX);
    ssize_t written = ::writev(fd, iov.data() + first, static_cast<int>(count));
    if (written < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    auto left = static_cast<size_t>(written);
    while (first < iov.size() && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (left > 0) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return true;
}

Status writeNewFile(const std::string& path, std::initializer_list<std::string_view> pieces,
                    bool sync) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::failure(systemError("cannot create", path, errno));
  int err = 0;
  const char* step = nullptr;
  if (!writeAll(fd, pieces, err)) {
    step = "cannot write";
  } else if (sync && ::fsync(fd) != 0) {
    err = errno;
    step = "cannot fsync";
  }
  if (::close(fd) != 0 && step == nullptr) {
    err = errno;
    step = "cannot close";
  }
  if (step != nullptr) {
    ::unlink(path.c_str());
    return Status::failure(systemError(step, path, err));
  }
  return Status::success();
}

}  // namespace

Status writeNewFileSynced(const std::string& path, std::initializer_list<std::string_view> pieces) {
  return writeNewFile(path, pieces, true);
}

Status writeNewFileUnsynced(const std::string& path,
                            std::initializer_list<std::string_view> pieces) {
  return writeNewFile(path, pieces, false);
}

Status overwriteFileUnsynced(const std::string& path,
                             std::initializer_list<std::string_view> pieces) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::failure(systemError("cannot open", path, errno));
  off_t length = 0;
  for (auto piece : pieces) length += static_cast<off_t>(piece.size());
  int err = 0;
  const char* step = nullptr;
  if (!writeAll(fd, pieces, err)) {
    step = "cannot write";
  } else if (::ftruncate(fd, length) != 0) {
    err = errno;
    step = "cannot truncate";
  }
  if (::close(fd) != 0 && step == nullptr) {
    err = errno;
    step = "cannot close";
  }
  if (step != nullptr) return Status::failure(systemError(step, path, err));
  return Status::success();
}

Status appendPieces(int fd, const std::vector<std::string_view>& pieces,
                    const std::string& name_for_errors) {
  int err = 0;
  if (!writeAll(fd, pieces, err)) {
    return Status::failure(systemError("cannot write", name_for_errors, err));
  }
  return Status::success();
}

Status syncExistingFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::failure(systemError("cannot open", path, errno));
  int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  if (err != 0) return Status::failure(systemError("cannot fsync", path, err));
  return Status::success();
}

Status syncFileSystem(int fd, const std::string& name_for_errors) {
  if (::syncfs(fd) != 0) {
    return Status::failure(systemError("cannot sync the file system of", name_for_errors, errno));
  }
  return Status::success();
}

Status syncDirectory(int directory_fd, const std::string& name_for_errors) {
  if (::fsync(directory_fd) != 0) {
    return Status::failure(systemError("cannot fsync directory", name_for_errors, errno));
  }
  return Status::success();
}

Status renameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return Status::success();
  }
  return Status::failure(systemError("cannot rename " + from + " to", to, errno));
}

Status replaceFileDurably(const std::string& directory, const std::string& name,
                          std::initializer_list<std::string_view> pieces) {
  const std::string final_path = directory + "/" + name;
  const std::string tmp = final_path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover of a write that failed half-way
  if (auto written = writeNewFileSynced(tmp, pieces); !written) return written;
  if (auto renamed = renameReplace(tmp, final_path); !renamed) {
    ::unlink(tmp.c_str());
    return renamed;
  }
  return syncDirectoryAt(directory);
}

Status renameReplace(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) == 0) return Status::success();
  return Status::failure(systemError("cannot rename " + from + " to", to, errno));
}

Result<std::string> readWholeFile(const std::string& path) {
  using R = Result<std::string>;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return R::failure(systemError("cannot open", path, errno));
  struct stat st {};
  std::string data;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) data.reserve(static_cast<size_t>(st.st_size));
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return R::failure(systemError("cannot read", path, err));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return R::success(std::move(data));
}

Result<int> openDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Result<int>::failure(systemError("cannot open directory", path, errno));
  return Result<int>::success(fd);
}

Status syncDirectoryAt(const std::string& path) {
  auto fd = openDirectory(path);
  if (!fd) return Status::failure(fd.error);
  Status synced = syncDirectory(*fd, path);
  ::close(*fd);
  return synced;
}

}  // namespace portcullis::spool
