#include "quarantine_fixture.h"

namespace portcullis::quarantine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ReleaseTest : public QuarantineTest {
 protected:
  void SetUp() override {
    QuarantineTest::SetUp();
    auto opened = spool::Spool::open(root_ / "queue");
    ASSERT_TRUE(opened) << opened.error;
    queue_.emplace(std::move(*opened));
  }

  std::vector<spool::QueueFile> queued() {
    std::vector<spool::QueueFile> out;
    for (const auto& info : queue_->list().entries) {
      auto entry = queue_->load(info.meta.id);
      EXPECT_TRUE(entry) << entry.error;
      if (entry) out.push_back(entry->file);
    }
    return out;
  }

  // The quarantined message of `id`, loaded from a second handle so the test does not depend on
  // the code under test to read it back.
  spool::MessageMeta storedMeta(const std::string& id) {
    auto store = spool::Spool::open(dir() / "store", spool::SpoolAccess::Shared);
    EXPECT_TRUE(store) << store.error;
    auto entry = store->load(id);
    EXPECT_TRUE(entry) << entry.error;
    return entry ? entry->file.meta : spool::MessageMeta{};
  }

  std::optional<spool::Spool> queue_;
};

TEST_F(ReleaseTest, QueuesTheOriginalEnvelopeWithAReleasedHeader) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto m = meta("sender@example.net", {"bob@example.org", "carol@example.org"});
  m.envelope.params.envid = "ENV1";
  ASSERT_TRUE(q->add(m, message("held"), details("held")));

  auto released = q->release(m.id, *queue_);
  ASSERT_TRUE(released) << released.error;
  EXPECT_NE(*released, m.id);
  EXPECT_TRUE(isValidQueueId(*released));

  auto files = queued();
  ASSERT_EQ(files.size(), 1u);
  const auto& copy = files[0];
  EXPECT_EQ(copy.meta.id, *released);
  EXPECT_EQ(copy.meta.envelope.mail_from, "sender@example.net");
  ASSERT_EQ(copy.meta.envelope.recipients.size(), 2u);
  EXPECT_EQ(copy.meta.envelope.recipients[1].address, "carol@example.org");
  EXPECT_EQ(copy.meta.envelope.recipients[0].notify, "FAILURE");
  EXPECT_EQ(copy.meta.envelope.params.envid, "ENV1");
  EXPECT_EQ(copy.meta.client.address, "192.0.2.7");
  EXPECT_THAT(copy.message, StartsWith("X-Portcullis-Released: " + m.id + " "));
  auto first_line_end = copy.message.find("\r\n");
  ASSERT_NE(first_line_end, std::string::npos);
  EXPECT_THAT(copy.message.substr(0, first_line_end), HasSubstr(" +0000"));
  EXPECT_EQ(copy.message.substr(first_line_end + 2), message("held"));

  EXPECT_THAT(ids(q->list({})), ElementsAre());
  EXPECT_FALSE(q->show(m.id));
}

TEST_F(ReleaseTest, ReleasingTwiceDeliversOnce) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  std::string id = addMessage(*q, "s@example.net", {"bob@example.org"}, "once");
  ASSERT_TRUE(q->release(id, *queue_));
  auto again = q->release(id, *queue_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error, "no quarantined message " + id);
  EXPECT_EQ(queued().size(), 1u);
}

TEST_F(ReleaseTest, ACrashAfterQueueingIsFinishedWithoutASecondCopy) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  std::string id = addMessage(*q, "s@example.net", {"bob@example.org"}, "crash");
  // The state a crash leaves between the queue's store and the "queued" marker: the marker says
  // pending with the chosen id, and the copy is already in the queue.
  std::string queue_id = newQueueId();
  ReleaseMarkers markers(dir() / "released");
  ASSERT_TRUE(markers.write(id, {queue_id, ReleaseStage::Pending}));
  auto copy_meta = storedMeta(id);
  copy_meta.id = queue_id;
  ASSERT_TRUE(queue_->store(copy_meta, "X-Portcullis-Released: x\r\n" + message("crash")));

  auto released = q->release(id, *queue_);
  ASSERT_TRUE(released) << released.error;
  EXPECT_EQ(*released, queue_id);
  EXPECT_EQ(queued().size(), 1u);
  EXPECT_FALSE(q->show(id));
  auto marker = markers.read(id);
  ASSERT_TRUE(marker);
  EXPECT_FALSE(*marker);
}

TEST_F(ReleaseTest, ACrashBeforeQueueingQueuesUnderTheRecordedId) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  std::string id = addMessage(*q, "s@example.net", {"bob@example.org"}, "crash");
  std::string queue_id = newQueueId();
  ASSERT_TRUE(ReleaseMarkers(dir() / "released").write(id, {queue_id, ReleaseStage::Pending}));
  auto released = q->release(id, *queue_);
  ASSERT_TRUE(released) << released.error;
  EXPECT_EQ(*released, queue_id);
  auto files = queued();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].meta.id, queue_id);
}

TEST_F(ReleaseTest, ARestartFinishesAReleaseThatWasQueued) {
  std::string id;
  {
    auto q = openQuarantine();
    ASSERT_TRUE(q);
    id = addMessage(*q, "s@example.net", {"bob@example.org"}, "crash");
  }
  // A crash after the "queued" marker, before the quarantine entry was removed.
  ASSERT_TRUE(ReleaseMarkers(dir() / "released").write(id, {newQueueId(), ReleaseStage::Queued}));
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  EXPECT_THAT(ids(q->list({})), ElementsAre());
  EXPECT_FALSE(q->show(id));
  EXPECT_THAT(q->openNotes(), ::testing::Contains(HasSubstr("finished the interrupted release")));
  EXPECT_FALSE(q->release(id, *queue_));
  EXPECT_EQ(queued().size(), 0u) << "the copy was queued before the crash, never again";
}

TEST_F(ReleaseTest, ExpireKeepsAMessageBeingReleased) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto now = Clock::now();
  std::string id = addMessage(*q, "s@example.net", {"bob@example.org"}, "old", now - 40 * 24h);
  ASSERT_TRUE(ReleaseMarkers(dir() / "released").write(id, {newQueueId(), ReleaseStage::Pending}));
  auto report = q->expire(30 * 24h, now);
  EXPECT_THAT(report.removed, ElementsAre());
  ASSERT_TRUE(q->release(id, *queue_));
  EXPECT_EQ(queued().size(), 1u);
}

}  // namespace
}  // namespace portcullis::quarantine::testing
