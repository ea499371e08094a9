// Spool mode's commit() with group commit: 250 with the queue id only once the journal sync
// succeeded, 451 4.3.0 (never 250) for every message of a batch whose sync failed.
#include "gateway/relay/spool_delivery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <vector>

#include "gateway/core/queue_id.h"
#include "test_entries.h"

namespace portcullis::relay {
namespace {

namespace fs = std::filesystem;

class SpoolDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "portcullis-delivery-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    auto opened = spool::Spool::open(root_);
    ASSERT_TRUE(opened) << opened.error;
    spool_.emplace(std::move(*opened));
  }
  void TearDown() override {
    spool_.reset();
    fs::remove_all(root_);
  }

  void enableGroupCommit(bool sync_fails) {
    spool::GroupCommitSettings settings;
    settings.window = std::chrono::milliseconds(20);  // the sessions below share one batch
    settings.sync_journal = [this, sync_fails](int fd) {
      ++syncs_;
      if (!sync_fails) return ::fdatasync(fd);
      errno = EIO;
      return -1;
    };
    ASSERT_TRUE(spool_->enableGroupCommit(settings));
  }

  // Runs `sessions` transactions' commit() at once on one I/O thread; returns their replies.
  std::vector<smtp::Reply> commitConcurrently(size_t sessions) {
    asio::io_context io;
    SpoolDelivery delivery(*spool_, workers_,
                           [this](const std::string& id) { stored_.push_back(id); });
    std::vector<smtp::Reply> replies(sessions);
    std::vector<Transaction> transactions(sessions);
    for (size_t i = 0; i < sessions; ++i) {
      auto meta = spool::testing::plainMeta();
      transactions[i].id = meta.id;
      transactions[i].client = meta.client;
      transactions[i].envelope = meta.envelope;
      asio::co_spawn(
          io,
          [&, i]() -> awaitable<void> {
            auto transaction = delivery.begin();
            replies[i] =
                co_await transaction->commit(transactions[i], spool::testing::kSimpleMessage);
          },
          asio::detached);
    }
    io.run();  // returns only when every commit has its reply
    return replies;
  }

  fs::path root_;
  std::optional<spool::Spool> spool_;
  asio::thread_pool workers_{1};
  std::atomic<int> syncs_{0};
  std::vector<std::string> stored_;
};

TEST_F(SpoolDeliveryTest, AcknowledgesWithTheQueueIdOnceTheBatchIsDurable) {
  enableGroupCommit(false);
  auto replies = commitConcurrently(4);
  for (const auto& reply : replies) {
    EXPECT_EQ(reply.code, 250);
    EXPECT_NE(reply.text.find("queued as"), std::string::npos);
  }
  ASSERT_EQ(stored_.size(), 4u);
  for (const auto& id : stored_) EXPECT_TRUE(spool_->load(id)) << id;
  EXPECT_EQ(syncs_, 1);
  EXPECT_EQ(spool_->groupCommitStats().batches, 1u);
}

TEST_F(SpoolDeliveryTest, AFailedJournalSyncAnswersEveryMessageOfTheBatchWith451) {
  enableGroupCommit(true);
  auto replies = commitConcurrently(4);
  for (const auto& reply : replies) {
    EXPECT_EQ(reply.code, 451);
    EXPECT_EQ(reply.enhanced, "4.3.0");
  }
  EXPECT_TRUE(stored_.empty());
  EXPECT_GE(syncs_, 1);
  EXPECT_TRUE(spool_->list().entries.empty());
}

TEST_F(SpoolDeliveryTest, WithoutGroupCommitEachMessageIsStoredOnItsOwn) {
  auto replies = commitConcurrently(2);
  for (const auto& reply : replies) EXPECT_EQ(reply.code, 250);
  EXPECT_EQ(stored_.size(), 2u);
  EXPECT_FALSE(spool_->groupCommitEnabled());
}

}  // namespace
}  // namespace portcullis::relay
