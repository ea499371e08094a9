#include "gateway/spool/spare_files.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace portcullis::spool {

namespace fs = std::filesystem;

namespace {

// Drops the file's bytes, keeping its inode and size: its pages were usually never written back
// (its message was delivered before a checkpoint) and now never will be. A hole, not a truncation
// to zero: ext4 flushes a file truncated to zero when it is next closed after a write.
int discardContent(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, st.st_size);
  }
  ::close(fd);
  return 0;
}

}  // namespace

SpareFiles::SpareFiles(fs::path directory, size_t capacity)
    : directory_(std::move(directory)), capacity_(capacity) {
  std::error_code ec;
  for (fs::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (names_.size() >= capacity_ || name.find_first_not_of("0123456789") != std::string::npos) {
      fs::remove(it->path(), ec);
      continue;
    }
    next_name_ = std::max<uint64_t>(next_name_, std::stoull(name) + 1);
    names_.push_back(std::move(name));
  }
}

bool SpareFiles::take(const std::string& to) {
  std::string name;
  {
    std::lock_guard lock(mutex_);
    if (names_.empty()) return false;
    name = std::move(names_.back());
    names_.pop_back();
  }
  return ::rename((directory_ / name).c_str(), to.c_str()) == 0;
}

int SpareFiles::give(const std::string& from) {
  std::string name;
  {
    std::lock_guard lock(mutex_);
    if (names_.size() < capacity_) name = std::to_string(next_name_++);
  }
  if (name.empty()) return ::unlink(from.c_str()) == 0 ? 0 : errno;
  if (int err = discardContent(from); err != 0) return err;
  if (::rename(from.c_str(), (directory_ / name).c_str()) != 0) return errno;
  std::lock_guard lock(mutex_);
  names_.push_back(std::move(name));
  return 0;
}

size_t SpareFiles::size() const {
  std::lock_guard lock(mutex_);
  return names_.size();
}

}  // namespace portcullis::spool
