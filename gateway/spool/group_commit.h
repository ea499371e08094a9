// Group commit for the spool (the durability argument is in spool.h). Messages submitted by many
// sessions at once are appended to the commit journal in one write and made durable by one
// fdatasync; only then is each queue file written into active/ (page cache only) and each
// submitter told the outcome. Promises: no submitter hears success before the fdatasync that
// covers its record returned 0; when the write or the fdatasync fails, every message of that
// batch fails (Forget records for them go into the next batch: once that is durable, no crash
// revives them). Removals are journaled with the next batch, or on their own after
// `removal_delay`, without a sync of their own. New queue files are written over spare ones
// (spare_files.h) when there are any.
//
// Two threads of its own, so the spool's blocking I/O never runs on an Asio I/O thread:
//  * the committer takes what is pending (waiting up to `window` after the first message of a
//    batch for others to join it, at most `max_batch_messages`), writes, syncs, answers;
//  * the checkpointer: the committer moves to a fresh segment every `checkpoint_interval`; once
//    syncfs() has made the queue files written under a closed segment durable on their own, the
//    segment is deleted (oldest first). Messages delivered before that never cost an fsync.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gateway/spool/queue_entry.h"
#include "gateway/spool/result.h"
#include "gateway/spool/spare_files.h"

namespace portcullis::spool {

struct GroupCommitSettings {
  std::chrono::microseconds window{0};  // wait after a batch's first message for more
  size_t max_batch_messages = 256;
  std::chrono::milliseconds checkpoint_interval{1'000};
  size_t spare_files = 1'000;  // removed queue files kept in spare/ for reuse
  // How long a removal may wait for others (or for a batch of messages) before it is journaled
  // on its own; a crash within it brings the entry back (see spool.h).
  std::chrono::microseconds removal_delay{2'000};
  // The call that makes the journal durable (default fdatasync(2)); tests inject failures.
  std::function<int(int fd)> sync_journal;
};

struct GroupCommitStats {
  uint64_t batches = 0;       // journal writes that carried at least one message
  uint64_t messages = 0;      // messages acknowledged as durable
  uint64_t failed_syncs = 0;  // batches that failed (each of their messages was refused)
  uint64_t checkpoints = 0;   // segments deleted after syncfs
};

class GroupCommitter {
 public:
  using Done = std::function<void(Status)>;
  using MessagePath = std::function<std::filesystem::path(std::string_view id)>;

  // `root` is the spool root (journal/ and tmp/ exist in it); `message_path` says where the queue
  // file of an id belongs; new queue files are written over `spares` when it has any. New
  // segments are numbered after `last_sequence`.
  static Result<std::unique_ptr<GroupCommitter>> start(const std::filesystem::path& root,
                                                       MessagePath message_path,
                                                       std::shared_ptr<SpareFiles> spares,
                                                       uint64_t last_sequence,
                                                       GroupCommitSettings settings);
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;
  // Commits what was submitted, checkpoints, and stops both threads.
  ~GroupCommitter();

  // Stores a message; `done` runs on the committer's thread with the outcome. `meta` and
  // `message` must stay valid until then.
  void submit(const MessageMeta& meta, std::string_view message, Done done);
  // The entry left the queue (delivered, deleted): journaled with the next batch, not synced.
  void forget(std::string_view id);
  // The same, returning once the Forget record is durable (for moves to hold/ and corrupt/).
  Status forgetDurably(std::string_view id);

  GroupCommitStats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct StoreRequest {
    const MessageMeta* meta;
    std::string_view message;
    Done done;
  };
  struct ForgetRequest {
    std::string id;
    std::shared_ptr<std::promise<Status>> durable;  // null: no need to wait for the sync
  };

  GroupCommitter(const std::filesystem::path& root, MessagePath message_path,
                 std::shared_ptr<SpareFiles> spares, uint64_t last_sequence,
                 GroupCommitSettings settings, int journal_fd);
  void commitLoop();
  void checkpointLoop();
  void commitBatch(std::vector<StoreRequest>& stores, std::vector<ForgetRequest>& forgets);
  Status writeQueueFile(const std::string& id, std::initializer_list<std::string_view> pieces);
  Status openSegment();
  void closeSegment();

  const std::filesystem::path root_;
  const std::filesystem::path journal_;
  const MessagePath message_path_;
  const std::shared_ptr<SpareFiles> spares_;
  GroupCommitSettings settings_;
  const int journal_fd_;  // the journal directory

  // Used by the committer thread only.
  int segment_fd_ = -1;
  std::string segment_path_;
  uint64_t sequence_;
  Clock::time_point segment_opened_{};

  mutable std::mutex mutex_;
  std::condition_variable commit_wakeup_;
  std::condition_variable checkpoint_wakeup_;
  std::vector<StoreRequest> stores_;
  std::vector<ForgetRequest> forgets_;
  Clock::time_point first_pending_{};
  Clock::time_point first_forget_{};
  size_t durable_forgets_ = 0;
  std::vector<std::string> closed_segments_;  // oldest first
  bool stopping_ = false;
  bool committer_done_ = false;
  GroupCommitStats stats_;

  std::thread committer_;
  std::thread checkpointer_;
};

}  // namespace portcullis::spool
