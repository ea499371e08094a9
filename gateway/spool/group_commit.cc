#include "gateway/spool/group_commit.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gateway/spool/durable_file.h"
#include "gateway/spool/journal_directory.h"
#include "gateway/spool/journal_format.h"
#include "gateway/spool/queue_file.h"

namespace portcullis::spool {

namespace fs = std::filesystem;

Result<std::unique_ptr<GroupCommitter>> GroupCommitter::start(const fs::path& root,
                                                              MessagePath message_path,
                                                              std::shared_ptr<SpareFiles> spares,
                                                              uint64_t last_sequence,
                                                              GroupCommitSettings settings) {
  using R = Result<std::unique_ptr<GroupCommitter>>;
  auto journal_fd = openDirectory((root / kJournalDirectory).string());
  if (!journal_fd) return R::failure(journal_fd.error);
  if (!settings.sync_journal) settings.sync_journal = [](int fd) { return ::fdatasync(fd); };
  if (settings.max_batch_messages == 0) settings.max_batch_messages = 1;
  return R::success(std::unique_ptr<GroupCommitter>(
      new GroupCommitter(root, std::move(message_path), std::move(spares), last_sequence,
                         std::move(settings), *journal_fd)));
}

GroupCommitter::GroupCommitter(const fs::path& root, MessagePath message_path,
                               std::shared_ptr<SpareFiles> spares, uint64_t last_sequence,
                               GroupCommitSettings settings, int journal_fd)
    : root_(root),
      journal_(root / kJournalDirectory),
      message_path_(std::move(message_path)),
      spares_(std::move(spares)),
      settings_(std::move(settings)),
      journal_fd_(journal_fd),
      sequence_(last_sequence) {
  committer_ = std::thread([this] { commitLoop(); });
  checkpointer_ = std::thread([this] { checkpointLoop(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  commit_wakeup_.notify_all();
  committer_.join();
  checkpointer_.join();
  ::close(journal_fd_);
}

void GroupCommitter::submit(const MessageMeta& meta, std::string_view message, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      if (stores_.empty()) first_pending_ = Clock::now();
      stores_.push_back({&meta, message, std::move(done)});
      commit_wakeup_.notify_one();
      return;
    }
  }
  done(Status::failure("the spool is shutting down"));
}

void GroupCommitter::forget(std::string_view id) {
  std::lock_guard lock(mutex_);
  // Only the first pending removal wakes the committer: the others join it within removal_delay.
  if (forgets_.empty()) {
    first_forget_ = Clock::now();
    commit_wakeup_.notify_one();
  }
  forgets_.push_back({std::string(id), nullptr});
}

Status GroupCommitter::forgetDurably(std::string_view id) {
  auto durable = std::make_shared<std::promise<Status>>();
  std::future<Status> outcome = durable->get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Status::failure("the spool is shutting down");
    if (forgets_.empty()) first_forget_ = Clock::now();
    forgets_.push_back({std::string(id), durable});
    ++durable_forgets_;
  }
  commit_wakeup_.notify_one();
  return outcome.get();
}

GroupCommitStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitter::commitLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    auto has_work = [this] { return stopping_ || !stores_.empty() || !forgets_.empty(); };
    if (segment_fd_ >= 0) {
      commit_wakeup_.wait_until(lock, segment_opened_ + settings_.checkpoint_interval, has_work);
    } else {
      commit_wakeup_.wait(lock, has_work);
    }
    if (stores_.empty() && !stopping_ && durable_forgets_ == 0 && !forgets_.empty()) {
      commit_wakeup_.wait_until(lock, first_forget_ + settings_.removal_delay, [this] {
        return stopping_ || !stores_.empty() || durable_forgets_ > 0;
      });
    }
    if (!stores_.empty() && settings_.window.count() > 0) {
      commit_wakeup_.wait_until(lock, first_pending_ + settings_.window, [this] {
        return stopping_ || stores_.size() >= settings_.max_batch_messages;
      });
    }
    std::vector<StoreRequest> stores;
    if (stores_.size() <= settings_.max_batch_messages) {
      stores.swap(stores_);
    } else {
      auto split = stores_.begin() + static_cast<std::ptrdiff_t>(settings_.max_batch_messages);
      stores.assign(std::make_move_iterator(stores_.begin()), std::make_move_iterator(split));
      stores_.erase(stores_.begin(), split);
      first_pending_ = Clock::now();
    }
    std::vector<ForgetRequest> forgets;
    forgets.swap(forgets_);
    durable_forgets_ = 0;
    lock.unlock();
    if (!stores.empty() || !forgets.empty()) commitBatch(stores, forgets);
    lock.lock();
    bool finished = stopping_ && stores_.empty() && forgets_.empty();
    if (segment_fd_ >= 0 &&
        (finished || Clock::now() - segment_opened_ >= settings_.checkpoint_interval)) {
      lock.unlock();
      closeSegment();
      lock.lock();
    }
    if (finished) break;
  }
  committer_done_ = true;
  checkpoint_wakeup_.notify_all();
}

void GroupCommitter::commitBatch(std::vector<StoreRequest>& stores,
                                 std::vector<ForgetRequest>& forgets) {
  std::vector<EncodedQueueFile> files;
  files.reserve(stores.size());
  // Reserved up front: the pieces below point into these strings.
  std::vector<std::string> headers;
  headers.reserve(stores.size() + forgets.size());
  std::vector<std::string_view> pieces;
  pieces.reserve(4 * stores.size() + 2 * forgets.size());
  for (const auto& store : stores) {
    const EncodedQueueFile& file = files.emplace_back(encodeQueueFile(*store.meta, store.message));
    headers.push_back(
        journalFrameHeader(JournalRecordType::Store, {file.head, file.body, file.tail}));
    pieces.insert(pieces.end(), {headers.back(), file.head, file.body, file.tail});
  }
  bool must_sync = !stores.empty();
  for (const auto& forget : forgets) {
    headers.push_back(journalFrameHeader(JournalRecordType::Forget, {forget.id}));
    pieces.insert(pieces.end(), {headers.back(), forget.id});
    must_sync = must_sync || forget.durable != nullptr;
  }

  Status journaled = segment_fd_ >= 0 ? Status::success() : openSegment();
  if (journaled) journaled = appendPieces(segment_fd_, pieces, segment_path_);
  if (journaled && must_sync && settings_.sync_journal(segment_fd_) != 0) {
    journaled = Status::failure("cannot fdatasync " + segment_path_ + ": " + std::strerror(errno));
  }
  // After a failed write or sync the segment's tail is unknown: nothing more is written to it.
  if (!journaled && segment_fd_ >= 0) closeSegment();

  // Records that may be on disk for messages the client is told were not accepted.
  std::vector<ForgetRequest> cancel;
  std::vector<Status> outcomes;
  outcomes.reserve(stores.size());
  for (size_t i = 0; i < stores.size(); ++i) {
    Status outcome = journaled;
    if (outcome) {
      outcome = writeQueueFile(stores[i].meta->id, {files[i].head, files[i].body, files[i].tail});
    }
    if (!outcome) cancel.push_back({stores[i].meta->id, nullptr});
    outcomes.push_back(std::move(outcome));
  }
  {
    std::lock_guard lock(mutex_);
    if (!stores.empty()) {
      ++stats_.batches;
      stats_.messages += stores.size() - cancel.size();
      if (!journaled) ++stats_.failed_syncs;
    }
    if (forgets_.empty() && !cancel.empty()) first_forget_ = Clock::now();
    forgets_.insert(forgets_.begin(), std::make_move_iterator(cancel.begin()),
                    std::make_move_iterator(cancel.end()));
  }
  for (size_t i = 0; i < stores.size(); ++i) stores[i].done(std::move(outcomes[i]));
  for (auto& forget : forgets) {
    if (forget.durable) forget.durable->set_value(journaled);
  }
}

Status GroupCommitter::writeQueueFile(const std::string& id,
                                      std::initializer_list<std::string_view> pieces) {
  std::string tmp = (root_ / "tmp" / (id + ".msg")).string();
  Status written = spares_ && spares_->take(tmp) ? overwriteFileUnsynced(tmp, pieces)
                                                 : writeNewFileUnsynced(tmp, pieces);
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (auto renamed = renameNoReplace(tmp, message_path_(id).string()); !renamed) {
    ::unlink(tmp.c_str());
    return renamed;
  }
  return Status::success();
}

Status GroupCommitter::openSegment() {
  std::string path = (journal_ / journalSegmentName(sequence_ + 1)).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::failure("cannot create " + path + ": " + std::strerror(errno));
  // The new name must be durable before any record in it is acknowledged.
  if (auto synced = syncDirectory(journal_fd_, journal_.string()); !synced) {
    ::close(fd);
    ::unlink(path.c_str());
    return synced;
  }
  ++sequence_;
  segment_fd_ = fd;
  segment_path_ = std::move(path);
  segment_opened_ = Clock::now();
  return Status::success();
}

void GroupCommitter::closeSegment() {
  ::close(segment_fd_);
  segment_fd_ = -1;
  {
    std::lock_guard lock(mutex_);
    closed_segments_.push_back(std::move(segment_path_));
  }
  segment_path_.clear();
  checkpoint_wakeup_.notify_all();
}

void GroupCommitter::checkpointLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    checkpoint_wakeup_.wait(lock, [this] { return committer_done_ || !closed_segments_.empty(); });
    if (closed_segments_.empty()) break;  // and the committer is done
    std::vector<std::string> segments = closed_segments_;
    lock.unlock();
    // Every queue file written under these segments was written before they were closed, so
    // after syncfs() they no longer need the journal.
    size_t deleted = 0;
    if (syncFileSystem(journal_fd_, journal_.string())) {
      while (deleted < segments.size() && ::unlink(segments[deleted].c_str()) == 0) ++deleted;
      if (deleted > 0) syncDirectory(journal_fd_, journal_.string());
    }
    lock.lock();
    closed_segments_.erase(closed_segments_.begin(),
                           closed_segments_.begin() + static_cast<std::ptrdiff_t>(deleted));
    stats_.checkpoints += deleted;
    if (deleted < segments.size()) {
      // Kept for the next attempt, or for recovery at the next start.
      if (committer_done_) break;
      checkpoint_wakeup_.wait_for(lock, settings_.checkpoint_interval,
                                  [this] { return committer_done_; });
    }
  }
}

}  // namespace portcullis::spool
