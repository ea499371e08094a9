#include "gateway/quarantine/quarantine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>

#include "gateway/core/queue_id.h"
#include "gateway/quarantine/stored_message.h"

namespace portcullis::quarantine {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStoreDir = "store";
constexpr const char* kIndexFile = "index.sqlite3";
constexpr const char* kReleasedDir = "released";
constexpr const char* kLockFile = "operations.lock";

// An exclusive flock() on the quarantine's operations lock for the lifetime of the object.
class OperationLock {
 public:
  explicit OperationLock(const fs::path& directory) {
    std::string path = (directory / kLockFile).string();
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      error_ = "cannot open " + path + ": " + std::strerror(errno);
      return;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        error_ = "cannot lock " + path + ": " + std::strerror(errno);
        return;
      }
    }
  }
  ~OperationLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  OperationLock(const OperationLock&) = delete;
  OperationLock& operator=(const OperationLock&) = delete;
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

Status noSuchEntry(std::string_view id) {
  return Status::failure("no quarantined message " + std::string(id));
}

Status invalidId(std::string_view id) {
  return Status::failure("'" + std::string(id.substr(0, 64)) + "' is not a quarantine id");
}

Entry makeEntry(const spool::MessageMeta& meta, const Details& details, uint64_t size) {
  Entry entry;
  entry.id = meta.id;
  entry.arrival = meta.arrival;
  entry.client = meta.client.address;
  entry.sender = meta.envelope.mail_from;
  for (const auto& r : meta.envelope.recipients) entry.recipients.push_back(r.address);
  entry.details = details;
  entry.size = size;
  return entry;
}

std::string headerBlock(std::string_view message) {
  for (std::string_view end : {"\r\n\r\n", "\n\n"}) {
    auto pos = message.find(end);
    if (pos != std::string_view::npos) return std::string(message.substr(0, pos + end.size() / 2));
  }
  return std::string(message);
}

// True when a process (the gateway) holds the store's owner lock.
bool ownerIsRunning(const fs::path& store) {
  std::string path = (store / "lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases the probe's lock, if it got one
  return locked;
}

}  // namespace

std::string releasedHeaderField(std::string_view id, TimePoint when) {
  std::time_t t = Clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return "X-Portcullis-Released: " + std::string(id) + " " + date + "\r\n";
}

Quarantine::Quarantine(fs::path directory, spool::Spool store)
    : directory_(std::move(directory)),
      store_(std::move(store)),
      markers_(directory_ / kReleasedDir) {}

Result<std::unique_ptr<Quarantine>> Quarantine::open(const fs::path& directory,
                                                     spool::SpoolAccess access) {
  using R = Result<std::unique_ptr<Quarantine>>;
  std::error_code ec;
  if (access == spool::SpoolAccess::Shared && !fs::is_directory(directory / kStoreDir, ec)) {
    return R::failure("no quarantine in " + directory.string() +
                      " (the gateway creates it on its first start)");
  }
  fs::create_directories(directory / kReleasedDir, ec);
  if (ec)
    return R::failure("cannot create " + (directory / kReleasedDir).string() + ": " + ec.message());
  auto store = spool::Spool::open(directory / kStoreDir, access);
  if (!store) return R::failure("quarantine store: " + store.error);
  std::unique_ptr<Quarantine> q(new Quarantine(directory, std::move(*store)));
  if (access == spool::SpoolAccess::Owner) {
    auto recovery = q->store_.recover();
    for (const auto& c : recovery.corrupt) {
      q->open_notes_.push_back("corrupt quarantine file " + c.file + " moved to " + c.moved_to +
                               ": " + c.reason);
    }
    for (const auto& e : recovery.errors) q->open_notes_.push_back(e);
  }
  if (auto opened = q->openIndex(access); !opened) return R::failure(opened.error);
  if (access == spool::SpoolAccess::Owner) {
    q->finishInterruptedReleases();
    if (auto reconciled = q->reconcileIndex(); !reconciled) return R::failure(reconciled.error);
  }
  return R::success(std::move(q));
}

Status Quarantine::openIndex(spool::SpoolAccess access) {
  fs::path file = directory_ / kIndexFile;
  auto index = QuarantineIndex::open(file);
  if (!index) {
    // The running gateway has the file open: replacing it under the gateway would split the index.
    if (access == spool::SpoolAccess::Shared && ownerIsRunning(directory_ / kStoreDir)) {
      return Status::failure(index.error + "; the gateway rebuilds it when it next starts");
    }
    open_notes_.push_back(index.error + "; rebuilding it from the store");
    if (auto destroyed = QuarantineIndex::destroy(file); !destroyed) return destroyed;
    index = QuarantineIndex::open(file);
    if (!index) return Status::failure(index.error);
  }
  index_ = std::move(*index);
  if (index_->created()) {
    if (auto filled = reconcileIndex(); !filled) return filled;
    auto usage = index_->usage();
    open_notes_.push_back("quarantine index built from the store: " +
                          std::to_string(usage ? usage->count : 0) + " messages");
  }
  return Status::success();
}

Status Quarantine::reconcileIndex() {
  index_stale_ = false;
  auto listing = store_.list();
  auto indexed = index_->ids();
  if (!indexed) {
    index_stale_ = true;
    return Status::failure(indexed.error);
  }
  std::set<std::string> in_index(indexed->begin(), indexed->end());
  std::set<std::string> in_store;
  std::string errors;
  for (const auto& info : listing.entries) {
    in_store.insert(info.meta.id);
    if (in_index.count(info.meta.id)) continue;
    Details details;
    auto original = loadOriginal(info.meta.id, details);
    if (!original) {
      errors += (errors.empty() ? "" : "; ") + original.error;
      continue;
    }
    if (auto put = index_->put(makeEntry(original->meta, details, original->message.size()));
        !put) {
      errors += (errors.empty() ? "" : "; ") + put.error;
    }
  }
  for (const auto& id : in_index) {
    if (in_store.count(id)) continue;
    if (auto erased = index_->erase(id); !erased)
      errors += (errors.empty() ? "" : "; ") + erased.error;
  }
  for (const auto& problem : listing.problems) errors += (errors.empty() ? "" : "; ") + problem;
  if (!errors.empty()) {
    index_stale_ = true;
    return Status::failure("quarantine index: " + errors);
  }
  return Status::success();
}

void Quarantine::finishInterruptedReleases() {
  std::error_code ec;
  for (fs::directory_iterator it(directory_ / kReleasedDir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string id = it->path().filename().string();
    if (!isValidQueueId(id)) continue;  // a ".tmp" leftover; the next write replaces it
    auto marker = markers_.read(id);
    if (!marker) {
      open_notes_.push_back(marker.error);
      continue;
    }
    if (!*marker) continue;
    if ((*marker)->stage == ReleaseStage::Queued || !contains(id)) {
      if (auto finished = finishRelease(id); !finished)
        open_notes_.push_back(finished.error);
      else
        open_notes_.push_back("finished the interrupted release of " + id);
    }
  }
}

bool Quarantine::contains(std::string_view id) const {
  std::error_code ec;
  return fs::exists(store_.messagePath(id), ec);
}

Result<spool::QueueFile> Quarantine::loadOriginal(std::string_view id, Details& details) const {
  using R = Result<spool::QueueFile>;
  auto entry = store_.load(id);
  if (!entry) return R::failure(std::string(id) + ": " + entry.error);
  auto stored = decodeStoredMessage(entry->file.message);
  if (!stored) return R::failure(std::string(id) + ": " + stored.error);
  details = std::move(stored->details);
  return R::success(spool::QueueFile{std::move(entry->file.meta), std::move(stored->message)});
}

Status Quarantine::add(const spool::MessageMeta& meta, std::string_view message,
                       const Details& details) {
  if (!isValidQueueId(meta.id)) return invalidId(meta.id);
  if (auto stored = store_.store(meta, encodeStoredMessage(details, message)); !stored) {
    return Status::failure("quarantine store: " + stored.error);
  }
  if (auto put = index_->put(makeEntry(meta, details, message.size())); !put) {
    index_stale_ = true;  // the message is safe; the next expire() re-indexes it
  }
  return Status::success();
}

Result<std::vector<Entry>> Quarantine::list(const Filter& filter) const {
  return index_->list(filter);
}

Result<ShownEntry> Quarantine::show(std::string_view id) const {
  using R = Result<ShownEntry>;
  if (!isValidQueueId(id)) return R::failure(invalidId(id).error);
  if (!contains(id)) return R::failure(noSuchEntry(id).error);
  Details details;
  auto original = loadOriginal(id, details);
  if (!original) return R::failure(original.error);
  ShownEntry shown{makeEntry(original->meta, details, original->message.size()),
                   headerBlock(original->message)};
  return R::success(std::move(shown));
}

Result<std::string> Quarantine::message(std::string_view id) const {
  using R = Result<std::string>;
  if (!isValidQueueId(id)) return R::failure(invalidId(id).error);
  if (!contains(id)) return R::failure(noSuchEntry(id).error);
  Details details;
  auto original = loadOriginal(id, details);
  if (!original) return R::failure(original.error);
  return R::success(std::move(original->message));
}

Result<std::string> Quarantine::release(std::string_view id, spool::Spool& queue) {
  using R = Result<std::string>;
  if (!isValidQueueId(id)) return R::failure(invalidId(id).error);
  OperationLock lock(directory_);
  if (!lock.error().empty()) return R::failure(lock.error());
  auto existing = markers_.read(id);
  if (!existing) return R::failure(existing.error);
  if (*existing && (*existing)->stage == ReleaseStage::Queued) {
    if (auto finished = finishRelease(id); !finished) return R::failure(finished.error);
    return R::success((*existing)->queue_id);
  }
  if (!contains(id)) {
    if (*existing) markers_.remove(id);
    return R::failure(noSuchEntry(id).error);
  }
  Details details;
  auto original = loadOriginal(id, details);
  if (!original) return R::failure(original.error);

  ReleaseMarker marker = existing->value_or(ReleaseMarker{newQueueId(), ReleaseStage::Pending});
  if (!*existing) {
    if (auto written = markers_.write(id, marker); !written) return R::failure(written.error);
  }
  std::error_code ec;
  if (!fs::exists(queue.messagePath(marker.queue_id), ec)) {
    auto now = Clock::now();
    spool::MessageMeta meta{marker.queue_id, now, original->meta.client, original->meta.envelope};
    std::string released = releasedHeaderField(id, now);
    released.append(original->message);
    if (auto stored = queue.store(meta, released); !stored) {
      return R::failure("cannot queue " + std::string(id) + ": " + stored.error);
    }
  }
  marker.stage = ReleaseStage::Queued;
  if (auto written = markers_.write(id, marker); !written) return R::failure(written.error);
  if (auto finished = finishRelease(id); !finished) return R::failure(finished.error);
  return R::success(marker.queue_id);
}

Status Quarantine::finishRelease(std::string_view id) {
  if (contains(id)) {
    if (auto removed = store_.remove(id); !removed) return removed;
  }
  if (auto erased = index_->erase(std::string(id)); !erased) index_stale_ = true;
  return markers_.remove(id);
}

Status Quarantine::remove(std::string_view id) {
  if (!isValidQueueId(id)) return invalidId(id);
  OperationLock lock(directory_);
  if (!lock.error().empty()) return Status::failure(lock.error());
  if (!contains(id)) return noSuchEntry(id);
  if (auto removed = store_.remove(id); !removed) return removed;
  if (auto erased = index_->erase(std::string(id)); !erased) index_stale_ = true;
  return markers_.remove(id);
}

ExpireReport Quarantine::expire(std::chrono::milliseconds retention, TimePoint now) {
  ExpireReport report;
  OperationLock lock(directory_);
  if (!lock.error().empty()) {
    report.errors.push_back(lock.error());
    return report;
  }
  if (index_stale_) {
    if (auto reconciled = reconcileIndex(); !reconciled) report.errors.push_back(reconciled.error);
  }
  auto old = index_->arrivedBefore(now - retention);
  if (!old) {
    report.errors.push_back(old.error);
    return report;
  }
  for (const auto& id : *old) {
    auto marker = markers_.read(id);
    if (!marker || *marker) continue;  // being released: the release finishes it
    if (contains(id)) {
      if (auto removed = store_.remove(id); !removed) {
        report.errors.push_back(removed.error);
        continue;
      }
    }
    if (auto erased = index_->erase(id); !erased) report.errors.push_back(erased.error);
    report.removed.push_back(id);
  }
  return report;
}

Result<Usage> Quarantine::size() const {
  return index_->usage();
}

Result<std::vector<HourCount>> Quarantine::hourlyCounts(TimePoint since) const {
  return index_->hourlyCounts(since);
}

}  // namespace portcullis::quarantine
