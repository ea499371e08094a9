#include "gateway/spool/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <system_error>

#include "gateway/core/queue_id.h"
#include "gateway/spool/durable_file.h"
#include "gateway/spool/journal_directory.h"
#include "gateway/spool/queue_file.h"

namespace portcullis::spool {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMessageSuffix = ".msg";
constexpr std::string_view kStateSuffix = ".state";
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kCorruptArea = "corrupt";
constexpr std::string_view kHoldArea = "hold";
constexpr std::string_view kSpareArea = "spare";

std::string bucketName(size_t bucket) {
  return std::string(1, kHexDigits[bucket]);
}

bool splitEntryName(const std::string& name, std::string_view suffix, std::string& id) {
  if (!name.ends_with(suffix)) return false;
  id = name.substr(0, name.size() - suffix.size());
  return isValidQueueId(id);
}

void sortOldestFirst(std::vector<EntryInfo>& entries) {
  std::sort(entries.begin(), entries.end(), [](const EntryInfo& a, const EntryInfo& b) {
    if (a.meta.arrival != b.meta.arrival) return a.meta.arrival < b.meta.arrival;
    return a.meta.id < b.meta.id;
  });
}

EntryInfo toInfo(SpoolEntry entry) {
  EntryInfo info;
  info.message_size = entry.file.message.size();
  info.meta = std::move(entry.file.meta);
  info.state = std::move(entry.state);
  return info;
}

Status invalidId(std::string_view id) {
  return Status::failure("invalid queue id '" + std::string(id.substr(0, 64)) + "'");
}

}  // namespace

Result<Spool> Spool::open(const fs::path& root, SpoolAccess access) {
  using R = Result<Spool>;
  Spool spool;
  spool.root_ = root;
  spool.access_ = access;
  spool.bucket_fds_.fill(-1);
  std::error_code ec;
  if (access == SpoolAccess::Owner) {
    for (const fs::path& dir : {root, root / "tmp", root / "active", root / "corrupt",
                                root / kHoldArea, root / kJournalDirectory, root / kSpareArea}) {
      fs::create_directories(dir, ec);
      if (ec) return R::failure("cannot create " + dir.string() + ": " + ec.message());
    }
    for (size_t b = 0; b < kBuckets; ++b) {
      fs::create_directories(root / "active" / bucketName(b), ec);
      if (ec) return R::failure("cannot create bucket in " + root.string() + ": " + ec.message());
    }
    std::string lock_path = (root / "lock").string();
    spool.lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (spool.lock_fd_ < 0) return R::failure("cannot open " + lock_path);
    if (::flock(spool.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return R::failure("spool " + root.string() + " is in use by another process");
    }
  }
  for (size_t b = 0; b < kBuckets; ++b) {
    auto fd = openDirectory((root / "active" / bucketName(b)).string());
    if (!fd) return R::failure(fd.error);
    spool.bucket_fds_[b] = *fd;
  }
  return R::success(std::move(spool));
}

Spool::Spool(Spool&& other) noexcept
    : root_(std::move(other.root_)),
      access_(other.access_),
      lock_fd_(other.lock_fd_),
      bucket_fds_(other.bucket_fds_),
      spares_(std::move(other.spares_)),
      committer_(std::move(other.committer_)) {
  other.lock_fd_ = -1;
  other.bucket_fds_.fill(-1);
}

Spool& Spool::operator=(Spool&& other) noexcept {
  if (this != &other) {
    closeAll();
    root_ = std::move(other.root_);
    access_ = other.access_;
    lock_fd_ = other.lock_fd_;
    bucket_fds_ = other.bucket_fds_;
    spares_ = std::move(other.spares_);
    committer_ = std::move(other.committer_);
    other.lock_fd_ = -1;
    other.bucket_fds_.fill(-1);
  }
  return *this;
}

Spool::~Spool() {
  closeAll();
}

void Spool::closeAll() {
  committer_.reset();  // commits and checkpoints what is pending first
  spares_.reset();
  for (int& fd : bucket_fds_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
}

size_t Spool::bucketOf(std::string_view id) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash % kBuckets;
}

fs::path Spool::messagePathIn(const fs::path& root, std::string_view id) {
  return root / "active" / bucketName(bucketOf(id)) / (std::string(id) + ".msg");
}

fs::path Spool::messagePath(std::string_view id) const {
  return messagePathIn(root_, id);
}

fs::path Spool::statePath(std::string_view id) const {
  return root_ / "active" / bucketName(bucketOf(id)) / (std::string(id) + ".state");
}

Status Spool::store(const MessageMeta& meta, std::string_view message) {
  if (!isValidQueueId(meta.id)) return invalidId(meta.id);
  if (meta.envelope.recipients.empty()) return Status::failure("message without recipients");
  auto encoded = encodeQueueFile(meta, message);
  std::string tmp = (root_ / "tmp" / (meta.id + ".msg")).string();
  if (auto written = writeNewFileSynced(tmp, {encoded.head, encoded.body, encoded.tail});
      !written) {
    return written;
  }
  if (auto renamed = renameNoReplace(tmp, messagePath(meta.id).string()); !renamed) {
    ::unlink(tmp.c_str());
    return renamed;
  }
  size_t bucket = bucketOf(meta.id);
  return syncDirectory(bucket_fds_[bucket], (root_ / "active" / bucketName(bucket)).string());
}

Status Spool::enableGroupCommit(GroupCommitSettings settings) {
  if (access_ != SpoolAccess::Owner) return Status::failure("group commit needs the spool's owner");
  if (committer_) return Status::failure("group commit is already enabled");
  JournalListing listing = listJournal(root_ / kJournalDirectory);
  auto spares = std::make_shared<SpareFiles>(root_ / kSpareArea, settings.spare_files);
  auto started = GroupCommitter::start(
      root_, [root = root_](std::string_view id) { return messagePathIn(root, id); }, spares,
      listing.last_sequence, std::move(settings));
  if (!started) return Status::failure(started.error);
  spares_ = std::move(spares);
  committer_ = std::move(*started);
  return Status::success();
}

void Spool::storeGrouped(const MessageMeta& meta, std::string_view message,
                         GroupCommitter::Done done) {
  if (!isValidQueueId(meta.id)) return done(invalidId(meta.id));
  if (meta.envelope.recipients.empty()) return done(Status::failure("message without recipients"));
  if (!committer_) return done(store(meta, message));
  committer_->submit(meta, message, std::move(done));
}

GroupCommitStats Spool::groupCommitStats() const {
  return committer_ ? committer_->stats() : GroupCommitStats{};
}

Status Spool::forgetJournaled(std::string_view id, bool durably) {
  if (committer_) {
    if (durably) return committer_->forgetDurably(id);
    committer_->forget(id);
    return Status::success();
  }
  if (access_ != SpoolAccess::Shared) return Status::success();
  // The running server may hold this entry only in its journal: leave a marker its recovery
  // reads, so a crash before the next checkpoint does not bring the entry back.
  fs::path journal = root_ / kJournalDirectory;
  if (listJournal(journal).segments.empty()) return Status::success();
  std::string marker = (journal / journalForgetMarkerName(id)).string();
  ::unlink(marker.c_str());
  if (auto written = writeNewFileSynced(marker, {}); !written) return written;
  return syncDirectoryAt(journal.string());
}

Status Spool::updateState(std::string_view id, const DeliveryState& state) {
  if (!isValidQueueId(id)) return invalidId(id);
  std::error_code ec;
  if (!fs::exists(messagePath(id), ec)) {
    return Status::failure("no queue entry " + std::string(id));
  }
  std::string bytes = encodeStateFile(id, state);
  std::string tmp = (root_ / "tmp" / (std::string(id) + ".state")).string();
  ::unlink(tmp.c_str());  // a leftover of an update that failed half-way
  if (auto written = writeNewFileSynced(tmp, {bytes}); !written) return written;
  if (auto renamed = renameReplace(tmp, statePath(id).string()); !renamed) {
    ::unlink(tmp.c_str());
    return renamed;
  }
  size_t bucket = bucketOf(id);
  return syncDirectory(bucket_fds_[bucket], (root_ / "active" / bucketName(bucket)).string());
}

Status Spool::remove(std::string_view id) {
  if (!isValidQueueId(id)) return invalidId(id);
  std::string message = messagePath(id).string();
  int err = 0;
  if (spares_) {
    err = spares_->give(message);
  } else if (::unlink(message.c_str()) != 0) {
    err = errno;
  }
  if (err == ENOENT) return Status::failure("no queue entry " + std::string(id));
  if (err != 0) return Status::failure("cannot remove " + message + ": " + std::strerror(err));
  std::string state = statePath(id).string();
  if (::unlink(state.c_str()) != 0 && errno != ENOENT) {
    return Status::failure("cannot remove " + state + ": " + std::strerror(errno));
  }
  return forgetJournaled(id, false);
}

Status Spool::moveToCorrupt(std::string_view id, std::string_view reason) {
  if (!isValidQueueId(id)) return invalidId(id);
  std::error_code ec;
  if (!fs::exists(messagePath(id), ec)) return Status::failure("no queue entry " + std::string(id));
  // Its bytes may so far be durable only in the journal, which is about to forget it.
  if (committer_) {
    if (auto synced = syncExistingFile(messagePath(id).string()); !synced) return synced;
  }
  if (auto moved = moveFileToCorrupt(messagePath(id), reason, nullptr); !moved) return moved;
  if (fs::exists(statePath(id), ec)) {
    auto moved = moveFileToCorrupt(
        statePath(id), "its message was moved to corrupt/: " + std::string(reason), nullptr);
    if (!moved) return moved;
  }
  return forgetJournaled(id, true);
}

Status Spool::moveToHold(std::string_view id, std::string_view reason) {
  if (!isValidQueueId(id)) return invalidId(id);
  std::error_code ec;
  if (!fs::exists(messagePath(id), ec)) return Status::failure("no queue entry " + std::string(id));
  // Its bytes may so far be durable only in the journal, which is about to forget it.
  if (committer_) {
    if (auto synced = syncExistingFile(messagePath(id).string()); !synced) return synced;
  }
  if (fs::exists(statePath(id), ec)) {
    auto moved = moveFileAside(statePath(id), kHoldArea,
                               "its message is held: " + std::string(reason), nullptr);
    if (!moved) return moved;
  }
  if (auto moved = moveFileAside(messagePath(id), kHoldArea, reason, nullptr); !moved) return moved;
  Status synced = syncDirectoryAt((root_ / kHoldArea).string());
  if (!synced) return synced;
  size_t bucket = bucketOf(id);
  synced = syncDirectory(bucket_fds_[bucket], (root_ / "active" / bucketName(bucket)).string());
  if (!synced) return synced;
  return forgetJournaled(id, true);
}

size_t Spool::heldCount() const {
  size_t count = 0;
  std::error_code ec;
  for (fs::directory_iterator it(root_ / kHoldArea, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == kMessageSuffix) ++count;
  }
  return count;
}

std::vector<HeldEntry> Spool::held() const {
  std::vector<HeldEntry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(root_ / kHoldArea, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.ends_with(".reason") || name.find(kMessageSuffix) == std::string::npos) continue;
    HeldEntry entry;
    entry.file = name;
    std::error_code size_ec;
    entry.size = fs::file_size(it->path(), size_ec);
    std::ifstream reason(it->path().string() + ".reason");
    std::getline(reason, entry.reason);
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const HeldEntry& a, const HeldEntry& b) { return a.file < b.file; });
  return entries;
}

Status Spool::moveFileToCorrupt(const fs::path& file, std::string_view reason,
                                CorruptFile* record) {
  return moveFileAside(file, kCorruptArea, reason, record);
}

Status Spool::moveFileAside(const fs::path& file, std::string_view area, std::string_view reason,
                            CorruptFile* record) {
  std::string name = file.filename().string();
  fs::path target = root_ / area / name;
  std::error_code ec;
  for (int n = 1; fs::exists(target, ec); ++n) {
    target = root_ / area / (name + "." + std::to_string(n));
  }
  if (auto moved = renameNoReplace(file.string(), target.string()); !moved) return moved;
  std::ofstream(target.string() + ".reason") << reason << '\n';
  if (record != nullptr) {
    record->file = file.lexically_relative(root_).string();
    record->moved_to = target.lexically_relative(root_).string();
    record->reason = std::string(reason);
  }
  return Status::success();
}

Spool::BucketListing Spool::listBucket(size_t bucket, std::vector<std::string>& problems) const {
  BucketListing listing;
  fs::path dir = root_ / "active" / bucketName(bucket);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::string id;
    bool here = false;
    if ((splitEntryName(name, kMessageSuffix, id) || splitEntryName(name, kStateSuffix, id)) &&
        bucketOf(id) == bucket) {
      here = true;
    }
    if (here && name.ends_with(kMessageSuffix)) {
      listing.messages.push_back(std::move(id));
    } else if (here) {
      listing.states.push_back(std::move(id));
    } else {
      listing.others.push_back(std::move(name));
    }
  }
  if (ec) problems.push_back("cannot list " + dir.string() + ": " + ec.message());
  std::sort(listing.messages.begin(), listing.messages.end());
  std::sort(listing.states.begin(), listing.states.end());
  return listing;
}

Result<DeliveryState> Spool::loadState(const MessageMeta& meta) const {
  using R = Result<DeliveryState>;
  std::string path = statePath(meta.id).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return R::success(initialDeliveryState(meta));
  auto bytes = readWholeFile(path);
  if (!bytes) return R::failure(bytes.error);
  auto decoded = decodeStateFile(*bytes);
  if (!decoded) return R::failure(decoded.error);
  if (decoded->id != meta.id) return R::failure("state file names queue id " + decoded->id);
  if (decoded->state.recipients.size() != meta.envelope.recipients.size()) {
    return R::failure("state file has " + std::to_string(decoded->state.recipients.size()) +
                      " recipients, the message " +
                      std::to_string(meta.envelope.recipients.size()));
  }
  return R::success(std::move(decoded->state));
}

Result<SpoolEntry> Spool::loadFromPath(const fs::path& path, std::string_view id) const {
  using R = Result<SpoolEntry>;
  auto bytes = readWholeFile(path.string());
  if (!bytes) return R::failure(bytes.error);
  auto decoded = decodeQueueFile(*bytes);
  if (!decoded) return R::failure(decoded.error);
  if (decoded->meta.id != id) return R::failure("file holds queue id " + decoded->meta.id);
  auto state = loadState(decoded->meta);
  if (!state) return R::failure(statePath(id).filename().string() + ": " + state.error);
  return R::success(SpoolEntry{std::move(*decoded), std::move(*state)});
}

Result<SpoolEntry> Spool::load(std::string_view id) const {
  if (!isValidQueueId(id)) return Result<SpoolEntry>::failure(invalidId(id).error);
  auto entry = loadFromPath(messagePath(id), id);
  if (!entry) entry.error = std::string(id) + ": " + entry.error;
  return entry;
}

Result<EntryInfo> Spool::info(std::string_view id) const {
  auto entry = load(id);
  if (!entry) return Result<EntryInfo>::failure(entry.error);
  return Result<EntryInfo>::success(toInfo(std::move(*entry)));
}

ListReport Spool::list() const {
  ListReport report;
  for (size_t b = 0; b < kBuckets; ++b) {
    auto listing = listBucket(b, report.problems);
    for (const auto& id : listing.messages) {
      auto entry = loadFromPath(messagePath(id), id);
      if (entry) {
        report.entries.push_back(toInfo(std::move(*entry)));
      } else {
        report.problems.push_back(id + ": " + entry.error);
      }
    }
  }
  sortOldestFirst(report.entries);
  return report;
}

void Spool::replayJournal(RecoveryReport& report) {
  fs::path journal = root_ / kJournalDirectory;
  JournalListing listing = listJournal(journal);
  report.errors.insert(report.errors.end(), listing.problems.begin(), listing.problems.end());
  if (listing.segments.empty() && listing.forget_markers.empty()) return;
  JournalReplay replay = readJournal(listing);
  for (const auto& problem : replay.problems) report.errors.push_back("journal: " + problem);
  for (const auto& [id, bytes] : replay.live) {
    std::string path = messagePath(id).string();
    if (auto existing = readWholeFile(path); existing) {
      auto decoded = decodeQueueFile(*existing);
      if (decoded && decoded->meta.id == id) continue;
    }
    std::string tmp = (root_ / "tmp" / (id + ".msg")).string();
    ::unlink(tmp.c_str());
    Status restored = writeNewFileUnsynced(tmp, {bytes});
    if (restored) restored = renameReplace(tmp, path);
    if (!restored) {
      report.errors.push_back("journal: cannot restore " + id + ": " + restored.error);
      continue;
    }
    report.restored_from_journal.push_back(id);
  }
  // Everything the journal vouched for is now in active/; once it is durable there, the journal
  // is no longer needed. If not, it stays and is replayed again at the next start.
  auto opened = openDirectory(journal.string());
  if (!opened) {
    report.errors.push_back(opened.error);
    return;
  }
  const int fd = *opened;
  Status synced = syncFileSystem(fd, journal.string());
  if (synced) {
    bool all_removed = true;
    for (const auto& file : listing.segments) {
      if (::unlink(file.c_str()) != 0) {
        report.errors.push_back("cannot remove " + file.string() + ": " + std::strerror(errno));
        all_removed = false;
        break;  // oldest first: a later segment's Forget records must not outlive this one
      }
    }
    if (all_removed) {
      for (const auto& file : listing.forget_markers) ::unlink(file.c_str());
    }
    synced = syncDirectory(fd, journal.string());
  }
  if (!synced) report.errors.push_back("journal: " + synced.error);
  ::close(fd);
}

RecoveryReport Spool::recover() {
  RecoveryReport report;
  if (access_ != SpoolAccess::Owner) {
    report.errors.push_back("recover() needs the spool opened as its owner");
    return report;
  }
  replayJournal(report);
  std::error_code ec;
  fs::path tmp = root_ / "tmp";
  for (fs::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code remove_ec;
    fs::remove(it->path(), remove_ec);
    if (remove_ec) {
      report.errors.push_back("cannot remove " + it->path().string() + ": " + remove_ec.message());
    } else {
      report.removed_tmp.push_back(it->path().filename().string());
    }
  }
  if (ec) report.errors.push_back("cannot list " + tmp.string() + ": " + ec.message());

  for (size_t b = 0; b < kBuckets; ++b) {
    auto listing = listBucket(b, report.errors);
    for (const auto& id : listing.messages) {
      fs::path message = messagePath(id);
      auto bytes = readWholeFile(message.string());
      if (!bytes) {
        report.errors.push_back(bytes.error);
        continue;
      }
      auto decoded = decodeQueueFile(*bytes);
      if (decoded && decoded->meta.id != id) {
        decoded = Result<QueueFile>::failure("file holds queue id " + decoded->meta.id);
      }
      if (!decoded) {
        CorruptFile moved;
        if (auto status = moveFileToCorrupt(message, decoded.error, &moved); !status) {
          report.errors.push_back(status.error);
          continue;
        }
        report.corrupt.push_back(std::move(moved));
        if (fs::exists(statePath(id), ec)) {
          CorruptFile moved_state;
          auto status = moveFileToCorrupt(statePath(id), "its message was corrupt", &moved_state);
          if (status) {
            report.corrupt.push_back(std::move(moved_state));
          } else {
            report.errors.push_back(status.error);
          }
        }
        continue;
      }
      auto state = loadState(decoded->meta);
      if (!state) {
        CorruptFile moved;
        std::string reason = state.error + " (the message restarts from its initial state)";
        if (auto status = moveFileToCorrupt(statePath(id), reason, &moved); status) {
          report.corrupt.push_back(std::move(moved));
        } else {
          report.errors.push_back(status.error);
        }
        state = Result<DeliveryState>::success(initialDeliveryState(decoded->meta));
      }
      EntryInfo info;
      info.message_size = decoded->message.size();
      info.meta = std::move(decoded->meta);
      info.state = std::move(*state);
      report.entries.push_back(std::move(info));
    }
    for (const auto& id : listing.states) {
      if (std::binary_search(listing.messages.begin(), listing.messages.end(), id)) continue;
      std::string state = statePath(id).string();
      if (::unlink(state.c_str()) == 0) {
        report.removed_orphan_states.push_back(id);
      } else {
        report.errors.push_back("cannot remove " + state + ": " + std::strerror(errno));
      }
    }
    for (const auto& other : listing.others) {
      report.errors.push_back("unexpected file active/" + bucketName(b) + "/" + other +
                              " left alone");
    }
  }
  sortOldestFirst(report.entries);
  return report;
}

}  // namespace portcullis::spool
