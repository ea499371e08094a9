// The durable queue of the SMTP gateway (Postfix-grade: a message acknowledged with 250 survives
// a crash or power loss). Layout under the spool root:
//
//   lock                  flock()ed by the owning process (the server) so two never recover
//   tmp/                  files being written; anything here at start-up is a crash leftover
//   active/<h>/ID.msg     the message with its envelope: written once, never modified
//   active/<h>/ID.state   delivery state; absent until the first attempt changes something
//   corrupt/              files that failed to decode or checksum, each with a NAME.reason file
//   spare/                with group commit: removed queue files kept to be written over
//   journal/              with group commit: the commit journal (see below)
//   hold/                 entries that can be neither delivered nor bounced (a notice the next
//                         hop refused for good): ID.msg and ID.state kept with ID.msg.reason,
//                         never relayed again and never deleted by the gateway
//
// <h> is one hex digit from a hash of the queue id, keeping directories small.
//
// Two ways in, one promise: the server answers 250 only once the message survives a crash or a
// power loss, and recovery never loses such a message.
//
// store() (notices, releases from quarantine, group commit off): write tmp/ID.msg, fsync it,
// rename into active/<h>/, fsync active/<h>/ — then 250. One file fsync and one directory fsync
// per message; the state file does not exist yet (its absence means "every recipient pending,
// due at arrival").
//
// storeGrouped() (the SMTP sessions, group commit on; gateway/spool/group_commit.h):
//   1. the committer appends a Store record (the whole queue file, under its own SHA-256 line,
//      framed with a length and an FNV-1a checksum) for every message of the batch to the open
//      journal segment, journal/<seq>.jnl, in one write, and calls fdatasync once. A new segment's
//      name was made durable (fsync of journal/) before its first record was written;
//   2. only if that returned 0: each queue file is written into tmp/ (over a spare file when
//      there is one), renamed into active/<h>/ — neither step synced;
//   3. only then is each session told "stored" and answers 250.
//   What is durable at the 250: the Store record. The queue file may exist only in the page cache.
//   4. every checkpoint_interval the committer starts a new segment; the checkpointer calls
//      syncfs(), which makes every queue file written under the closed segments durable on its own
//      (and the renames of the entries removed meanwhile), then deletes those segments, oldest
//      first, and fsyncs journal/.
//   remove(), moveToHold(), moveToCorrupt() append a Forget record for the id: with the next
//   batch for a removal, synced before returning for a move (whose file is fsynced first).
//
// A crash at each step leaves:
//   during 1 (before fdatasync returned): no session was answered 250; a torn or partial record
//     at the segment's end is cut off by the frame checksum; a complete one may survive and its
//     message is delivered although the client, never answered, will send it again (the one
//     duplicate SMTP itself allows);
//   after a failed fdatasync: the batch was answered 451, its queue files were never written,
//     the segment is never written again, and Forget records for the batch go to the next one;
//   during 2-3: the record is durable; the queue file is missing, partial, or still holds the
//     old bytes of a spare file;
//   after 4: the queue file is durable on its own, the segment is gone.
// Recovery (recover(), first step, replayJournal()): read the segments oldest first; a Store
// record whose id has no later Forget record (nor a forget marker, journal/ID.forget, which
// `portcullis queue delete` leaves when the running server may have the entry only in its
// journal) is "live". A live entry whose active/<h>/ID.msg is missing, or does not decode under
// its checksum to that same id, is rewritten from the record. Then syncfs(), and only if it
// succeeded the segments and markers are deleted; otherwise they stay and are replayed again.
// So: never lost — every 250 has a durable Store record, and a segment is deleted only after
// syncfs() made its files durable, or after recovery rewrote and synced them. Never revived after
// removal, except for an entry removed after the last journal write that reached the disk: a
// Forget lost in the crash brings the entry back and it is delivered again — the crash between
// relay and queue removal of the one allowed exception (removals are not synced, exactly
// like remove() without group commit). The sole other duplicate is the unanswered client above.
// These arguments assume what POSIX and ext4/xfs give: fdatasync covers every byte written to
// the file before it, syncfs() everything written to the file system before it, rename is
// atomic. SIGKILL alone loses nothing written: only a power loss drops the page cache.
//
// updateState(): write tmp/ID.state, fsync, rename over active/<h>/ID.state, fsync the directory:
// the state on disk is always either the old or the new one, never a mix.
// remove(): ID.msg to spare/ (group commit) or unlinked, ID.state unlinked. Not fsynced: a crash
// can at worst bring the entry back, and the message is delivered twice (never lost).
//
// Thread safety: distinct ids may be used from any threads at once. Updates of one id must be
// serialized by the caller (the queue runner owns each entry it works on).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/spool/group_commit.h"
#include "gateway/spool/queue_entry.h"
#include "gateway/spool/result.h"
#include "gateway/spool/spare_files.h"

namespace portcullis::spool {

enum class SpoolAccess {
  Owner,   // the server: creates the directories, takes the lock, may recover()
  Shared,  // the CLI: needs an existing spool, takes no lock, recover() refuses
};

// One entry as listed: everything but the message bytes.
struct EntryInfo {
  MessageMeta meta;
  uint64_t message_size = 0;
  DeliveryState state;
};

// One entry with its message bytes.
struct SpoolEntry {
  QueueFile file;
  DeliveryState state;
};

struct CorruptFile {
  std::string file;      // where it was (relative to the spool root)
  std::string moved_to;  // where it is now (relative to the spool root)
  std::string reason;
};

struct RecoveryReport {
  std::vector<EntryInfo> entries;  // to schedule, oldest arrival first
  std::vector<CorruptFile> corrupt;
  std::vector<std::string> removed_tmp;            // crash leftovers deleted from tmp/
  std::vector<std::string> removed_orphan_states;  // state files whose message is gone
  std::vector<std::string> restored_from_journal;  // queue files rewritten from the journal
  std::vector<std::string> errors;                 // anything that could not be done
};

struct HeldEntry {
  std::string file;  // the message file's name in hold/ (ID.msg, or ID.msg.N for a repeat)
  std::uintmax_t size = 0;
  std::string reason;  // why it was held, as the runner wrote it
};

struct ListReport {
  std::vector<EntryInfo> entries;  // oldest arrival first
  std::vector<std::string> problems;
};

class Spool {
 public:
  static Result<Spool> open(const std::filesystem::path& root,
                            SpoolAccess access = SpoolAccess::Owner);
  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) noexcept;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  // Durably stores a new message on its own (see above): one file fsync and one directory fsync.
  // meta.id must be a valid, unused queue id and the envelope must have at least one recipient.
  Status store(const MessageMeta& meta, std::string_view message);

  // Starts the group committer (Owner only, after recover()): from then on storeGrouped() shares
  // journal syncs between concurrent messages, and removals are journaled.
  Status enableGroupCommit(GroupCommitSettings settings);
  bool groupCommitEnabled() const { return committer_ != nullptr; }
  // Stores a message through the group committer (or, when it is not enabled, store() on the
  // calling thread); `done` gets the outcome, on the committer's thread. `meta` and `message` must
  // stay valid until `done` runs. Success means durable (see above).
  void storeGrouped(const MessageMeta& meta, std::string_view message, GroupCommitter::Done done);
  GroupCommitStats groupCommitStats() const;

  // Start-up (Owner only, before anything else uses the spool): deletes tmp/ leftovers, moves
  // undecodable files to corrupt/, deletes orphan state files, returns the entries to schedule.
  // A damaged state file is moved to corrupt/ and its message restarts from the initial state.
  RecoveryReport recover();

  // Every entry (read only: changes nothing on disk; problems are only reported).
  ListReport list() const;
  Result<EntryInfo> info(std::string_view id) const;
  Result<SpoolEntry> load(std::string_view id) const;

  // Atomically replaces the delivery state of an existing entry.
  Status updateState(std::string_view id, const DeliveryState& state);
  // Removes the entry (delivery complete, or deleted by the administrator).
  Status remove(std::string_view id);
  // Moves an entry's files to corrupt/ with a reason (e.g. the runner could not load it).
  Status moveToCorrupt(std::string_view id, std::string_view reason);
  // Moves an entry's files to hold/ with a reason, durably (the directories are fsynced).
  Status moveToHold(std::string_view id, std::string_view reason);
  // Messages in hold/.
  size_t heldCount() const;
  // What hold/ keeps, by file name (oldest name first), with the reason each was held.
  std::vector<HeldEntry> held() const;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path messagePath(std::string_view id) const;
  std::filesystem::path statePath(std::string_view id) const;

 private:
  static constexpr size_t kBuckets = 16;

  Spool() = default;
  void closeAll();
  static size_t bucketOf(std::string_view id);
  static std::filesystem::path messagePathIn(const std::filesystem::path& root,
                                             std::string_view id);
  // Recovery's first step: queue files the journal holds and active/ lacks are rewritten, all
  // made durable, and the journal emptied.
  void replayJournal(RecoveryReport& report);
  // The entry `id` left active/: its journal record must not revive it.
  Status forgetJournaled(std::string_view id, bool durably);
  // Loads and checks the state file of a decoded message; missing means initial state.
  Result<DeliveryState> loadState(const MessageMeta& meta) const;
  Status moveFileToCorrupt(const std::filesystem::path& file, std::string_view reason,
                           CorruptFile* record);
  Status moveFileAside(const std::filesystem::path& file, std::string_view area,
                       std::string_view reason, CorruptFile* record);
  struct BucketListing {
    std::vector<std::string> messages;  // queue ids with an ID.msg
    std::vector<std::string> states;    // queue ids with an ID.state
    std::vector<std::string> others;    // file names that are neither
  };
  BucketListing listBucket(size_t bucket, std::vector<std::string>& problems) const;
  Result<SpoolEntry> loadFromPath(const std::filesystem::path& path, std::string_view id) const;

  std::filesystem::path root_;
  SpoolAccess access_ = SpoolAccess::Shared;
  int lock_fd_ = -1;
  std::array<int, kBuckets> bucket_fds_{};
  std::shared_ptr<SpareFiles> spares_;  // with group commit: removed queue files for reuse
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace portcullis::spool
