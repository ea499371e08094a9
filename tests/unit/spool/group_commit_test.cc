// Group commit in the spool: a batch is never acknowledged before its journal sync returned, a
// failed sync fails every message of its batch (and a crash cannot revive them), messages that
// arrive within the window share one sync, and recovery rebuilds from the journal exactly the
// entries that were acknowledged and not removed.
#include "gateway/spool/group_commit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "gateway/spool/journal_directory.h"
#include "gateway/spool/journal_format.h"
#include "gateway/spool/spool.h"
#include "test_entries.h"

namespace portcullis::spool {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::kSimpleMessage;
using testing::plainMeta;

// Stands in for fdatasync(2): counts calls, can hold the first one until released, can fail
// chosen calls (1-based) with EIO.
class SyncProbe {
 public:
  bool hold_first = false;
  std::set<int> failing_calls;

  int sync(int fd) {
    std::unique_lock lock(mutex_);
    int call = ++entered_;
    changed_.notify_all();
    if (hold_first && call == 1) changed_.wait(lock, [this] { return released_; });
    bool fail = failing_calls.count(call) > 0;
    lock.unlock();
    int result = fail ? -1 : ::fdatasync(fd);
    lock.lock();
    ++returned_;
    changed_.notify_all();
    lock.unlock();
    if (fail) errno = EIO;
    return result;
  }
  void waitEntered(int calls) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_ >= calls; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int returned() {
    std::lock_guard lock(mutex_);
    return returned_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  int returned_ = 0;
  bool released_ = false;
};

// What each submitter was told, and how many syncs had returned when it was told.
class Outcomes {
 public:
  Outcomes(size_t n, std::shared_ptr<SyncProbe> probe)
      : statuses_(n), syncs_returned_(n, -1), probe_(std::move(probe)) {}
  GroupCommitter::Done recorder(size_t i) {
    return [this, i](Status status) {
      int returned = probe_ ? probe_->returned() : 0;
      std::lock_guard lock(mutex_);
      statuses_[i] = std::move(status);
      syncs_returned_[i] = returned;
      ++done_;
      changed_.notify_all();
    };
  }
  size_t done() {
    std::lock_guard lock(mutex_);
    return done_;
  }
  void waitAll() {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 10s, [this] { return done_ == statuses_.size(); }));
  }
  const Status& status(size_t i) const { return statuses_[i]; }
  int syncsReturnedAtDone(size_t i) const { return syncs_returned_[i]; }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Status> statuses_;
  std::vector<int> syncs_returned_;
  size_t done_ = 0;
  std::shared_ptr<SyncProbe> probe_;
};

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "portcullis-group-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  std::optional<Spool> openWithGroupCommit(std::shared_ptr<SyncProbe> probe,
                                           std::chrono::microseconds window = {},
                                           std::chrono::milliseconds checkpoint_interval = 10min) {
    auto spool = Spool::open(root_);
    EXPECT_TRUE(spool) << spool.error;
    GroupCommitSettings settings;
    settings.window = window;
    settings.checkpoint_interval = checkpoint_interval;
    if (probe) settings.sync_journal = [probe](int fd) { return probe->sync(fd); };
    auto enabled = spool->enableGroupCommit(settings);
    EXPECT_TRUE(enabled) << enabled.error;
    return std::optional<Spool>(std::move(*spool));
  }

  void storeAndWait(Spool& spool, const MessageMeta& meta) {
    Outcomes outcome(1, nullptr);
    spool.storeGrouped(meta, kSimpleMessage, outcome.recorder(0));
    outcome.waitAll();
    ASSERT_TRUE(outcome.status(0)) << outcome.status(0).error;
  }

  // What a crash leaves of the journal: a copy of it as it is now.
  fs::path snapshotJournal() {
    fs::path copy = root_ / "journal-snapshot";
    fs::remove_all(copy);
    fs::copy(root_ / kJournalDirectory, copy);
    return copy;
  }
  // A restart after a crash that lost every queue file not yet made durable on its own: the
  // queue files of `lost` are gone and the journal is as it was in `snapshot`.
  RecoveryReport restartAfterCrash(const fs::path& snapshot, const std::vector<std::string>& lost) {
    auto spool = Spool::open(root_);
    EXPECT_TRUE(spool) << spool.error;
    for (const auto& id : lost) fs::remove(spool->messagePath(id));
    fs::remove_all(root_ / kJournalDirectory);
    fs::copy(snapshot, root_ / kJournalDirectory);
    return spool->recover();
  }

  fs::path root_;
};

TEST_F(GroupCommitTest, NoMessageIsAcknowledgedBeforeTheSyncOfItsBatch) {
  auto probe = std::make_shared<SyncProbe>();
  probe->hold_first = true;
  std::optional<Spool> spool = openWithGroupCommit(probe);
  std::vector<MessageMeta> metas;
  for (int i = 0; i < 8; ++i) metas.push_back(plainMeta());
  Outcomes outcomes(metas.size(), probe);

  spool->storeGrouped(metas[0], kSimpleMessage, outcomes.recorder(0));
  probe->waitEntered(1);
  for (size_t i = 1; i < metas.size(); ++i) {
    spool->storeGrouped(metas[i], kSimpleMessage, outcomes.recorder(i));
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(outcomes.done(), 0u) << "acknowledged while the journal sync was still running";
  EXPECT_FALSE(fs::exists(spool->messagePath(metas[0].id)));

  probe->release();
  outcomes.waitAll();
  for (size_t i = 0; i < metas.size(); ++i) {
    EXPECT_TRUE(outcomes.status(i)) << outcomes.status(i).error;
    // The first message had its own sync; the seven that queued up behind it shared the second.
    EXPECT_GE(outcomes.syncsReturnedAtDone(i), i == 0 ? 1 : 2) << "message " << i;
    auto loaded = spool->load(metas[i].id);
    ASSERT_TRUE(loaded) << loaded.error;
    EXPECT_EQ(loaded->file.message, kSimpleMessage);
  }
  GroupCommitStats stats = spool->groupCommitStats();
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.messages, 8u);
  EXPECT_EQ(probe->returned(), 2);
}

TEST_F(GroupCommitTest, MessagesArrivingWithinTheWindowShareOneSync) {
  auto probe = std::make_shared<SyncProbe>();
  std::optional<Spool> spool = openWithGroupCommit(probe, 200ms);
  std::vector<MessageMeta> metas;
  for (int i = 0; i < 5; ++i) metas.push_back(plainMeta());
  Outcomes outcomes(metas.size(), probe);
  for (size_t i = 0; i < metas.size(); ++i) {
    spool->storeGrouped(metas[i], kSimpleMessage, outcomes.recorder(i));
  }
  outcomes.waitAll();
  for (size_t i = 0; i < metas.size(); ++i) EXPECT_TRUE(outcomes.status(i));
  EXPECT_EQ(spool->groupCommitStats().batches, 1u);
  EXPECT_EQ(probe->returned(), 1);
}

TEST_F(GroupCommitTest, AFailedSyncFailsEveryMessageOfItsBatchAndNoCrashRevivesThem) {
  auto probe = std::make_shared<SyncProbe>();
  probe->hold_first = true;
  probe->failing_calls = {2};
  std::optional<Spool> spool = openWithGroupCommit(probe);
  std::vector<MessageMeta> metas;
  for (int i = 0; i < 6; ++i) metas.push_back(plainMeta());
  Outcomes outcomes(metas.size(), probe);

  spool->storeGrouped(metas[0], kSimpleMessage, outcomes.recorder(0));
  probe->waitEntered(1);
  for (size_t i = 1; i < 5; ++i)
    spool->storeGrouped(metas[i], kSimpleMessage, outcomes.recorder(i));
  probe->release();
  probe->waitEntered(2);
  // The batch after the failed one goes to a fresh segment and succeeds.
  std::this_thread::sleep_for(20ms);
  spool->storeGrouped(metas[5], kSimpleMessage, outcomes.recorder(5));
  outcomes.waitAll();

  EXPECT_TRUE(outcomes.status(0)) << outcomes.status(0).error;
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_FALSE(outcomes.status(i)) << "message " << i << " acknowledged after a failed sync";
    EXPECT_NE(outcomes.status(i).error.find("fdatasync"), std::string::npos);
    EXPECT_FALSE(fs::exists(spool->messagePath(metas[i].id)));
  }
  EXPECT_TRUE(outcomes.status(5)) << outcomes.status(5).error;
  EXPECT_EQ(spool->groupCommitStats().failed_syncs, 1u);

  fs::path crash = snapshotJournal();
  spool.reset();
  // The failed segment was retired at once, and its checkpoint made the first message durable on
  // its own; the others' queue files are lost in the crash.
  std::vector<std::string> lost;
  for (size_t i = 1; i < metas.size(); ++i) lost.push_back(metas[i].id);
  RecoveryReport report = restartAfterCrash(crash, lost);
  EXPECT_EQ(report.restored_from_journal, std::vector<std::string>{metas[5].id});
  std::set<std::string> queued;
  for (const auto& e : report.entries) queued.insert(e.meta.id);
  EXPECT_EQ(queued, (std::set<std::string>{metas[0].id, metas[5].id}));
}

TEST_F(GroupCommitTest, RecoveryRestoresAcknowledgedEntriesButNotRemovedOnes) {
  std::optional<Spool> spool = openWithGroupCommit(nullptr);
  auto a = plainMeta(), b = plainMeta(), c = plainMeta(), d = plainMeta();
  storeAndWait(*spool, a);
  storeAndWait(*spool, b);
  storeAndWait(*spool, c);
  ASSERT_TRUE(spool->remove(b.id));
  storeAndWait(*spool, d);  // its batch carries b's Forget record

  fs::path crash = snapshotJournal();
  // A crash in the middle of the next write leaves half a frame at the end of the segment.
  JournalListing listing = listJournal(crash);
  ASSERT_EQ(listing.segments.size(), 1u);
  std::string torn = journalFrameHeader(JournalRecordType::Store, {"never finished"}) + "nev";
  std::FILE* f = std::fopen(listing.segments[0].c_str(), "ab");
  std::fwrite(torn.data(), 1, torn.size(), f);
  std::fclose(f);

  spool.reset();
  RecoveryReport report = restartAfterCrash(crash, {a.id, c.id});
  std::set<std::string> restored(report.restored_from_journal.begin(),
                                 report.restored_from_journal.end());
  EXPECT_EQ(restored, (std::set<std::string>{a.id, c.id}));  // d's file survived, b was removed
  std::set<std::string> queued;
  for (const auto& e : report.entries) queued.insert(e.meta.id);
  EXPECT_EQ(queued, (std::set<std::string>{a.id, c.id, d.id}));
  bool torn_reported = false;
  for (const auto& e : report.errors) torn_reported |= e.find("after the last complete") != e.npos;
  EXPECT_TRUE(torn_reported);
  // Everything is durable on its own now: the journal is empty.
  EXPECT_TRUE(listJournal(root_ / kJournalDirectory).segments.empty());
}

TEST_F(GroupCommitTest, ARemovalIsJournaledOnItsOwnAfterTheRemovalDelay) {
  std::optional<Spool> spool = openWithGroupCommit(nullptr);
  auto a = plainMeta(), b = plainMeta();
  storeAndWait(*spool, a);
  storeAndWait(*spool, b);
  ASSERT_TRUE(spool->remove(a.id));
  std::this_thread::sleep_for(200ms);  // no batch follows: the delay alone writes the record
  fs::path crash = snapshotJournal();
  spool.reset();
  RecoveryReport report = restartAfterCrash(crash, {b.id});
  EXPECT_EQ(report.restored_from_journal, std::vector<std::string>{b.id});
  ASSERT_EQ(report.entries.size(), 1u);
  EXPECT_EQ(report.entries[0].meta.id, b.id);
}

TEST_F(GroupCommitTest, AnEntryMovedToHoldIsNotRevivedInActive) {
  std::optional<Spool> spool = openWithGroupCommit(nullptr);
  auto a = plainMeta();
  storeAndWait(*spool, a);
  ASSERT_TRUE(spool->moveToHold(a.id, "refused for good"));
  fs::path crash = snapshotJournal();  // moveToHold returned: its Forget record is durable
  spool.reset();
  RecoveryReport report = restartAfterCrash(crash, {});
  EXPECT_TRUE(report.restored_from_journal.empty());
  EXPECT_TRUE(report.entries.empty());
  auto reopened = Spool::open(root_);
  ASSERT_TRUE(reopened) << reopened.error;
  EXPECT_EQ(reopened->heldCount(), 1u);
}

TEST_F(GroupCommitTest, ADeleteFromTheCommandLineIsNotRevivedByTheJournal) {
  std::optional<Spool> spool = openWithGroupCommit(nullptr);
  auto a = plainMeta(), b = plainMeta();
  storeAndWait(*spool, a);
  storeAndWait(*spool, b);
  {
    auto cli = Spool::open(root_, SpoolAccess::Shared);
    ASSERT_TRUE(cli) << cli.error;
    ASSERT_TRUE(cli->remove(a.id));
  }
  fs::path crash = snapshotJournal();
  spool.reset();
  RecoveryReport report = restartAfterCrash(crash, {a.id, b.id});
  EXPECT_EQ(report.restored_from_journal, std::vector<std::string>{b.id});
  ASSERT_EQ(report.entries.size(), 1u);
  EXPECT_EQ(report.entries[0].meta.id, b.id);
  EXPECT_TRUE(listJournal(root_ / kJournalDirectory).forget_markers.empty());
}

TEST_F(GroupCommitTest, ACheckpointMakesTheQueueFilesDurableAndDeletesTheSegments) {
  std::optional<Spool> spool = openWithGroupCommit(nullptr, {}, 20ms);
  auto a = plainMeta();
  storeAndWait(*spool, a);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (spool->groupCommitStats().checkpoints == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(spool->groupCommitStats().checkpoints, 1u);
  EXPECT_TRUE(listJournal(root_ / kJournalDirectory).segments.empty());
  EXPECT_TRUE(spool->load(a.id));
}

TEST_F(GroupCommitTest, ARemovedQueueFileIsReusedForTheNextMessage) {
  std::optional<Spool> spool = openWithGroupCommit(nullptr);
  auto a = plainMeta(), b = plainMeta();
  storeAndWait(*spool, a);
  struct stat first {};
  ASSERT_EQ(::stat(spool->messagePath(a.id).c_str(), &first), 0);
  ASSERT_TRUE(spool->remove(a.id));
  EXPECT_FALSE(fs::exists(spool->messagePath(a.id)));
  EXPECT_EQ(std::distance(fs::directory_iterator(root_ / "spare"), fs::directory_iterator()), 1);

  storeAndWait(*spool, b);
  struct stat second {};
  ASSERT_EQ(::stat(spool->messagePath(b.id).c_str(), &second), 0);
  EXPECT_EQ(second.st_ino, first.st_ino) << "a new inode instead of the spare file";
  EXPECT_EQ(std::distance(fs::directory_iterator(root_ / "spare"), fs::directory_iterator()), 0);
  auto loaded = spool->load(b.id);
  ASSERT_TRUE(loaded) << loaded.error;
  EXPECT_EQ(loaded->file.message, kSimpleMessage);
  EXPECT_EQ(loaded->file.meta.id, b.id);
}

TEST(JournalFormat, ParsesFramesUpToTheFirstDamagedOne) {
  std::string journal;
  for (std::string_view payload : {"first", "second", "third"}) {
    journal += journalFrameHeader(JournalRecordType::Forget, {payload});
    journal += payload;
  }
  ParsedJournal whole = parseJournal(journal);
  ASSERT_EQ(whole.records.size(), 3u);
  EXPECT_EQ(whole.records[1].payload, "second");
  EXPECT_EQ(whole.valid_length, journal.size());

  std::string damaged = journal;
  damaged[damaged.find("second")] = 'S';
  ParsedJournal cut = parseJournal(damaged);
  ASSERT_EQ(cut.records.size(), 1u);
  EXPECT_EQ(cut.records[0].payload, "first");
  EXPECT_EQ(parseJournal(journal.substr(0, journal.size() - 1)).records.size(), 2u);
}

}  // namespace
}  // namespace portcullis::spool
