#include "gateway/metrics/learn_ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "gateway/metrics/classifier_metrics.h"

namespace portcullis::metrics {

namespace {

// Closes the descriptor (and so drops its flock) when it goes away.
class OpenFile {
 public:
  explicit OpenFile(int fd) : fd_(fd) {}
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

LearnCounts parse(const std::string& text) {
  LearnCounts counts;
  std::istringstream lines(text);
  std::string source, cls;
  std::uint64_t value = 0;
  while (lines >> source >> cls >> value) {
    for (auto s : kLearnSources) {
      for (auto c : kLearnedClasses) {
        if (source == label(s) && cls == label(c)) counts.at(c, s) = value;
      }
    }
  }
  return counts;
}

std::string format(LearnCounts counts) {
  std::string out;
  for (auto s : kLearnSources) {
    for (auto c : kLearnedClasses) {
      out += std::string(label(s)) + " " + std::string(label(c)) + " " +
             std::to_string(counts.at(c, s)) + "\n";
    }
  }
  return out;
}

std::string readAll(int fd) {
  std::string text;
  char buffer[4096];
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

Status failure(const std::filesystem::path& file, const char* what) {
  return Status::failure(file.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

Status addToLearnLedger(const std::filesystem::path& file, const LearnCounts& learnt) {
  OpenFile f(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (f.fd() < 0) return failure(file, "cannot open");
  if (::flock(f.fd(), LOCK_EX) != 0) return failure(file, "cannot lock");
  LearnCounts counts = parse(readAll(f.fd()));
  for (size_t c = 0; c < counts.counts.size(); ++c) {
    for (size_t s = 0; s < counts.counts[c].size(); ++s) counts.counts[c][s] += learnt.counts[c][s];
  }
  const std::string text = format(counts);
  if (::ftruncate(f.fd(), 0) != 0) return failure(file, "cannot truncate");
  if (::pwrite(f.fd(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    return failure(file, "cannot write");
  return Status::success();
}

LearnCounts readLearnLedger(const std::filesystem::path& file) {
  OpenFile f(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd() < 0) return {};
  ::flock(f.fd(), LOCK_SH);
  return parse(readAll(f.fd()));
}

LearnLedgerWatcher::LearnLedgerWatcher(std::filesystem::path file, ClassifierMetrics& metrics)
    : file_(std::move(file)), metrics_(metrics), seen_(readLearnLedger(file_)) {}

void LearnLedgerWatcher::refresh() {
  const LearnCounts now = readLearnLedger(file_);
  std::lock_guard lock(mutex_);
  for (auto c : kLearnedClasses) {
    for (auto s : kLearnSources) {
      const std::uint64_t before = seen_.at(c, s);
      const std::uint64_t after = now.counts[static_cast<size_t>(c)][static_cast<size_t>(s)];
      if (after > before) metrics_.learned(c, s).Increment(static_cast<double>(after - before));
      seen_.at(c, s) = after;
    }
  }
}

}  // namespace portcullis::metrics
