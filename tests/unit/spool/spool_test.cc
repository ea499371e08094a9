#include "gateway/spool/spool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "gateway/spool/queue_file.h"
#include "test_entries.h"

namespace portcullis::spool {
namespace {

namespace fs = std::filesystem;
using testing::fullMeta;
using testing::kSimpleMessage;
using testing::plainMeta;

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "portcullis-spool-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  Spool openOwner() {
    auto spool = Spool::open(root_);
    EXPECT_TRUE(spool) << spool.error;
    return std::move(*spool);
  }

  static std::vector<std::string> filesIn(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static void writeFile(const fs::path& path, std::string_view bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }

  fs::path root_;
};

TEST_F(SpoolTest, StoredMessageIsInActiveAndNothingIsLeftInTmp) {
  Spool spool = openOwner();
  auto meta = fullMeta();
  fs::path path = spool.messagePath(meta.id);
  EXPECT_FALSE(fs::exists(path));
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(path.parent_path().parent_path(), root_ / "active");
  EXPECT_TRUE(filesIn(root_ / "tmp").empty());
  EXPECT_FALSE(fs::exists(spool.statePath(meta.id))) << "no state file until an attempt";
  auto decoded = decodeQueueFile(readFile(path));
  ASSERT_TRUE(decoded) << decoded.error;
  EXPECT_EQ(decoded->message, kSimpleMessage);

  auto entry = spool.load(meta.id);
  ASSERT_TRUE(entry) << entry.error;
  EXPECT_EQ(entry->file.message, kSimpleMessage);
  EXPECT_EQ(entry->file.meta.envelope.mail_from, meta.envelope.mail_from);
  EXPECT_EQ(entry->state.attempts, 0u);
  EXPECT_EQ(entry->state.next_attempt, meta.arrival);
  ASSERT_EQ(entry->state.recipients.size(), 3u);
  EXPECT_EQ(entry->state.recipients[0].status, RecipientStatus::Pending);
}

TEST_F(SpoolTest, StoreNeverReplacesAnEntryAndLeavesNoPartialFile) {
  Spool spool = openOwner();
  auto meta = plainMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  auto again = spool.store(meta, "other bytes");
  EXPECT_FALSE(again);
  EXPECT_NE(again.error.find("File exists"), std::string::npos) << again.error;
  EXPECT_TRUE(filesIn(root_ / "tmp").empty());
  EXPECT_EQ(spool.load(meta.id)->file.message, kSimpleMessage);
}

TEST_F(SpoolTest, AFailedWriteNeverReachesActive) {
  Spool spool = openOwner();
  auto meta = plainMeta();
  // A file in the way in tmp/ makes the exclusive create fail: the store must fail as a whole.
  writeFile(root_ / "tmp" / (meta.id + ".msg"), "half");
  auto status = spool.store(meta, kSimpleMessage);
  EXPECT_FALSE(status);
  EXPECT_FALSE(fs::exists(spool.messagePath(meta.id)));
}

TEST_F(SpoolTest, RejectsIdsThatAreNotQueueIds) {
  Spool spool = openOwner();
  auto meta = plainMeta("../../etc/passwd");
  EXPECT_FALSE(spool.store(meta, kSimpleMessage));
  EXPECT_FALSE(spool.load("../x"));
  EXPECT_FALSE(spool.remove("../x"));
  EXPECT_FALSE(spool.updateState("../x", DeliveryState{}));
}

TEST_F(SpoolTest, RecoverRemovesTmpLeftoversAndReturnsEntriesOldestFirst) {
  std::vector<std::string> ids;
  {
    Spool spool = openOwner();
    for (int i = 0; i < 40; ++i) {
      auto meta = plainMeta();
      // Arrival order is the reverse of id order, so sorting must look at arrival.
      meta.arrival = TimePoint(std::chrono::seconds(2'000'000'000 - i));
      ids.push_back(meta.id);
      ASSERT_TRUE(spool.store(meta, kSimpleMessage));
    }
    writeFile(root_ / "tmp" / (newQueueId() + ".msg"), "PORTCULLIS-QUEUE 1\nid ");
    writeFile(root_ / "tmp" / (ids[0] + ".state"), "PORTCULLIS-STATE 1\n");
  }
  Spool spool = openOwner();
  auto report = spool.recover();
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_EQ(report.removed_tmp.size(), 2u);
  EXPECT_TRUE(filesIn(root_ / "tmp").empty());
  EXPECT_TRUE(report.corrupt.empty());
  ASSERT_EQ(report.entries.size(), 40u);
  for (size_t i = 0; i < 40; ++i) EXPECT_EQ(report.entries[i].meta.id, ids[39 - i]);
  std::set<std::string> buckets;
  for (const auto& id : ids) buckets.insert(spool.messagePath(id).parent_path().filename());
  EXPECT_GT(buckets.size(), 4u) << "entries spread over the hashed directories";
}

TEST_F(SpoolTest, TruncatedOrDamagedFilesAreMovedToCorruptWithAReason) {
  Spool spool = openOwner();
  auto truncated = plainMeta(), damaged = plainMeta(), good = plainMeta();
  for (const auto& meta : {truncated, damaged, good}) {
    ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  }
  ASSERT_TRUE(spool.updateState(damaged.id, initialDeliveryState(damaged)));
  std::string bytes = readFile(spool.messagePath(truncated.id));
  fs::resize_file(spool.messagePath(truncated.id), bytes.size() / 2);
  bytes = readFile(spool.messagePath(damaged.id));
  bytes[40] ^= 1;
  writeFile(spool.messagePath(damaged.id), bytes);

  auto report = spool.recover();
  ASSERT_EQ(report.entries.size(), 1u);
  EXPECT_EQ(report.entries[0].meta.id, good.id);
  ASSERT_EQ(report.corrupt.size(), 3u);  // two messages and the damaged one's state
  std::map<std::string, CorruptFile> by_file;
  for (const auto& c : report.corrupt) by_file[fs::path(c.file).filename()] = c;
  auto& t = by_file.at(truncated.id + ".msg");
  EXPECT_EQ(t.moved_to, "corrupt/" + truncated.id + ".msg");
  EXPECT_EQ(t.reason, "checksum line missing (file truncated?)");
  EXPECT_EQ(by_file.at(damaged.id + ".msg").reason, "checksum mismatch (file damaged)");
  EXPECT_EQ(by_file.at(damaged.id + ".state").reason, "its message was corrupt");
  // Moved, never deleted: the bytes are kept for inspection, with the reason beside them.
  EXPECT_EQ(readFile(root_ / "corrupt" / (damaged.id + ".msg")), bytes);
  EXPECT_EQ(readFile(root_ / "corrupt" / (truncated.id + ".msg.reason")),
            "checksum line missing (file truncated?)\n");
  EXPECT_FALSE(fs::exists(spool.messagePath(damaged.id)));
  EXPECT_FALSE(fs::exists(spool.statePath(damaged.id)));
}

TEST_F(SpoolTest, SameNameInCorruptIsNotOverwritten) {
  Spool spool = openOwner();
  auto meta = plainMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  writeFile(root_ / "corrupt" / (meta.id + ".msg"), "earlier");
  ASSERT_TRUE(spool.moveToCorrupt(meta.id, "could not be delivered: undecodable"));
  EXPECT_EQ(readFile(root_ / "corrupt" / (meta.id + ".msg")), "earlier");
  EXPECT_TRUE(fs::exists(root_ / "corrupt" / (meta.id + ".msg.1")));
  EXPECT_FALSE(fs::exists(spool.messagePath(meta.id)));
}

TEST_F(SpoolTest, HeldEntriesAreKeptWithTheirReasonAndNeverScheduled) {
  Spool spool = openOwner();
  auto meta = plainMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  DeliveryState state = initialDeliveryState(meta);
  state.attempts = 1;
  ASSERT_TRUE(spool.updateState(meta.id, state));
  EXPECT_EQ(spool.heldCount(), 0u);
  ASSERT_TRUE(spool.moveToHold(meta.id, "550 5.1.1 unknown user"));
  EXPECT_EQ(spool.heldCount(), 1u);
  EXPECT_FALSE(fs::exists(spool.messagePath(meta.id)));
  EXPECT_FALSE(fs::exists(spool.statePath(meta.id)));
  EXPECT_TRUE(fs::exists(root_ / "hold" / (meta.id + ".msg")));
  EXPECT_TRUE(fs::exists(root_ / "hold" / (meta.id + ".state")));
  EXPECT_EQ(readFile(root_ / "hold" / (meta.id + ".msg.reason")), "550 5.1.1 unknown user\n");
  const auto held = spool.held();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].file, meta.id + ".msg");
  EXPECT_EQ(held[0].reason, "550 5.1.1 unknown user");
  EXPECT_GT(held[0].size, 0u);
  EXPECT_TRUE(spool.recover().entries.empty()) << "a held entry is never relayed again";
  EXPECT_FALSE(spool.moveToHold(meta.id, "twice"));
}

TEST_F(SpoolTest, DamagedStateIsSetAsideAndTheMessageRestarts) {
  Spool spool = openOwner();
  auto meta = fullMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  DeliveryState state = initialDeliveryState(meta);
  state.attempts = 3;
  ASSERT_TRUE(spool.updateState(meta.id, state));
  writeFile(spool.statePath(meta.id), "PORTCULLIS-STATE 1\nattem");
  auto report = spool.recover();
  ASSERT_EQ(report.entries.size(), 1u);
  EXPECT_EQ(report.entries[0].state.attempts, 0u);
  ASSERT_EQ(report.corrupt.size(), 1u);
  EXPECT_EQ(report.corrupt[0].moved_to, "corrupt/" + meta.id + ".state");
  EXPECT_NE(report.corrupt[0].reason.find("file too short"), std::string::npos);
}

TEST_F(SpoolTest, StateWithWrongRecipientCountIsRejected) {
  Spool spool = openOwner();
  auto meta = fullMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  DeliveryState state;  // no recipients: does not match the three in the envelope
  ASSERT_TRUE(spool.updateState(meta.id, state));
  auto entry = spool.load(meta.id);
  ASSERT_FALSE(entry);
  EXPECT_NE(entry.error.find("state file has 0 recipients, the message 3"), std::string::npos)
      << entry.error;
}

TEST_F(SpoolTest, OrphanStatesAreRemovedAndStrangeFilesLeftAlone) {
  Spool spool = openOwner();
  auto meta = plainMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  ASSERT_TRUE(spool.updateState(meta.id, initialDeliveryState(meta)));
  ASSERT_EQ(::unlink(spool.messagePath(meta.id).c_str()), 0);  // a crash inside remove()
  fs::path stranger = root_ / "active" / "0" / "notes.txt";
  writeFile(stranger, "hello");
  auto report = spool.recover();
  EXPECT_TRUE(report.entries.empty());
  EXPECT_EQ(report.removed_orphan_states, std::vector<std::string>{meta.id});
  EXPECT_FALSE(fs::exists(spool.statePath(meta.id)));
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0], "unexpected file active/0/notes.txt left alone");
  EXPECT_TRUE(fs::exists(stranger));
}

TEST_F(SpoolTest, StateUpdateReplacesTheFileAtomically) {
  Spool spool = openOwner();
  auto meta = plainMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  DeliveryState first = initialDeliveryState(meta);
  first.attempts = 1;
  first.recipients[0] = {RecipientStatus::Delayed, "451 4.3.0 later", "mx", meta.arrival, false};
  ASSERT_TRUE(spool.updateState(meta.id, first));
  std::string first_bytes = readFile(spool.statePath(meta.id));

  // A reader holding the old file keeps seeing the old, complete state: the new state is a new
  // file renamed over it, never a rewrite in place.
  std::ifstream old_reader(spool.statePath(meta.id), std::ios::binary);
  struct stat before {};
  ASSERT_EQ(::stat(spool.statePath(meta.id).c_str(), &before), 0);
  // A leftover from an update that died half-way does not get in the way.
  writeFile(root_ / "tmp" / (meta.id + ".state"), "PORTCULLIS-STATE 1\n");

  DeliveryState second = first;
  second.attempts = 2;
  second.recipients[0].status = RecipientStatus::Delivered;
  ASSERT_TRUE(spool.updateState(meta.id, second));
  struct stat after {};
  ASSERT_EQ(::stat(spool.statePath(meta.id).c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(old_reader), {}), first_bytes);
  EXPECT_TRUE(filesIn(root_ / "tmp").empty());

  auto entry = spool.load(meta.id);
  ASSERT_TRUE(entry) << entry.error;
  EXPECT_EQ(entry->state.attempts, 2u);
  EXPECT_EQ(entry->state.recipients[0].status, RecipientStatus::Delivered);
  EXPECT_EQ(entry->state.recipients[0].reply, "451 4.3.0 later");
}

TEST_F(SpoolTest, UpdateOfAMissingEntryFails) {
  Spool spool = openOwner();
  auto status = spool.updateState(newQueueId(), DeliveryState{});
  EXPECT_FALSE(status);
  EXPECT_EQ(status.error.rfind("no queue entry ", 0), 0u);
  EXPECT_TRUE(filesIn(root_ / "tmp").empty());
}

TEST_F(SpoolTest, RemoveDeletesMessageAndState) {
  Spool spool = openOwner();
  auto meta = plainMeta();
  ASSERT_TRUE(spool.store(meta, kSimpleMessage));
  ASSERT_TRUE(spool.updateState(meta.id, initialDeliveryState(meta)));
  ASSERT_TRUE(spool.remove(meta.id));
  EXPECT_FALSE(fs::exists(spool.messagePath(meta.id)));
  EXPECT_FALSE(fs::exists(spool.statePath(meta.id)));
  EXPECT_FALSE(spool.remove(meta.id));
  EXPECT_FALSE(spool.load(meta.id));
}

TEST_F(SpoolTest, ListShowsEntriesWithoutChangingAnything) {
  Spool owner = openOwner();
  auto a = plainMeta(), b = fullMeta();
  b.arrival = a.arrival - std::chrono::hours(1);
  ASSERT_TRUE(owner.store(a, kSimpleMessage));
  ASSERT_TRUE(owner.store(b, "x"));
  auto damaged = plainMeta();
  ASSERT_TRUE(owner.store(damaged, kSimpleMessage));
  fs::resize_file(owner.messagePath(damaged.id), 10);

  auto cli = Spool::open(root_, SpoolAccess::Shared);
  ASSERT_TRUE(cli) << cli.error;
  auto listing = cli->list();
  ASSERT_EQ(listing.entries.size(), 2u);
  EXPECT_EQ(listing.entries[0].meta.id, b.id);
  EXPECT_EQ(listing.entries[0].message_size, 1u);
  EXPECT_EQ(listing.entries[1].meta.id, a.id);
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_NE(listing.problems[0].find(damaged.id), std::string::npos);
  EXPECT_TRUE(fs::exists(owner.messagePath(damaged.id))) << "list() must not move anything";
  auto info = cli->info(b.id);
  ASSERT_TRUE(info) << info.error;
  EXPECT_EQ(info->meta.envelope.recipients.size(), 3u);
}

TEST_F(SpoolTest, OnlyOneOwnerAtATime) {
  Spool owner = openOwner();
  auto second = Spool::open(root_);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error.find("in use by another process"), std::string::npos);
  auto shared = Spool::open(root_, SpoolAccess::Shared);
  ASSERT_TRUE(shared);
  auto report = shared->recover();
  EXPECT_EQ(report.errors,
            std::vector<std::string>{"recover() needs the spool opened as its owner"});
}

TEST_F(SpoolTest, SharedAccessNeedsAnExistingSpool) {
  auto shared = Spool::open(root_ / "missing", SpoolAccess::Shared);
  EXPECT_FALSE(shared);
  EXPECT_FALSE(fs::exists(root_ / "missing"));
}

}  // namespace
}  // namespace portcullis::spool
