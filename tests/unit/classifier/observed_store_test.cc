// What the classifier's store reports to the metrics: messages learnt (new or moved, not "already
// learnt") by class and by the source the wrapper was made for, each lookup's time, each failed
// operation, and a size probe that reads the store while it lives.
#include "filters/classifier/observed_store.h"

#include <gtest/gtest.h>

#include <vector>

#include "filters/classifier/sqlite_store.h"
#include "filters/classifier/unavailable_store.h"
#include "tests/support/temp_dir.h"

namespace portcullis::classifier {
namespace {

struct Seen {
  std::vector<std::pair<LearnedClass, LearnSource>> learned;
  int lookups = 0, failed_lookups = 0, failures = 0;
  std::weak_ptr<const ClassifierSizeProbe> probe;
};

FilterEvents recorder(Seen& seen) {
  FilterEvents events;
  events.learned = [&seen](LearnedClass c, LearnSource s) { seen.learned.emplace_back(c, s); };
  events.classified = [&seen](std::chrono::duration<double> took, bool ok) {
    EXPECT_GE(took.count(), 0);
    ++(ok ? seen.lookups : seen.failed_lookups);
  };
  events.classifier_failed = [&seen] { ++seen.failures; };
  events.classifier_store = [&seen](std::weak_ptr<const ClassifierSizeProbe> p) { seen.probe = p; };
  return events;
}

TEST(ObservedStore, CountsLearningBySourceAndReadsTheSizeWhileItLives) {
  test::TempDir dir("portcullis-observed-store");
  auto opened = SqliteStore::open(dir / "c.db");
  ASSERT_TRUE(opened.ok()) << opened.error;
  Seen seen;
  {
    ObservedStore store(*opened, recorder(seen), LearnSource::Report);
    const std::vector<TokenHash> tokens = {1, 2, 3};
    ASSERT_TRUE(store.learn({"aa"}, MessageClass::Spam, tokens).ok());
    ASSERT_TRUE(store.learn({"aa"}, MessageClass::Spam, tokens).ok());  // already learnt
    ASSERT_TRUE(store.learn({"aa"}, MessageClass::Ham, tokens).ok());   // moved
    std::vector<TokenCounts> counts(tokens.size());
    ASSERT_TRUE(store.lookup(tokens, counts).ok());
    const std::vector<std::pair<LearnedClass, LearnSource>> expected = {
        {LearnedClass::Spam, LearnSource::Report}, {LearnedClass::Ham, LearnSource::Report}};
    EXPECT_EQ(seen.learned, expected);
    EXPECT_EQ(seen.lookups, 1);
    EXPECT_EQ(seen.failures, 0);
    auto probe = seen.probe.lock();
    ASSERT_TRUE(probe);
    const auto size = (*probe)();
    ASSERT_TRUE(size.has_value());
    EXPECT_EQ(size->ham_messages, 1u);
    EXPECT_EQ(size->spam_messages, 0u);
    EXPECT_EQ(size->tokens, 3u);
  }
  EXPECT_TRUE(seen.probe.expired()) << "the probe goes with its store";
}

TEST(ObservedStore, EveryFailedOperationIsCounted) {
  Seen seen;
  ObservedStore store(std::make_shared<UnavailableStore>("sqlite", "damaged"), recorder(seen),
                      LearnSource::Autolearn);
  const std::vector<TokenHash> tokens = {1};
  std::vector<TokenCounts> counts(1);
  EXPECT_EQ(store.lookup(tokens, counts).error, "damaged");
  EXPECT_FALSE(store.learn({"aa"}, MessageClass::Spam, tokens).ok());
  EXPECT_FALSE(store.forget({"aa"}, tokens).ok());
  EXPECT_FALSE(store.totals().ok());
  EXPECT_FALSE(store.expire(10).ok());
  EXPECT_FALSE((*seen.probe.lock())().has_value());
  EXPECT_EQ(seen.failed_lookups, 1);
  EXPECT_EQ(seen.failures, 6);
  EXPECT_TRUE(seen.learned.empty());
}

}  // namespace
}  // namespace portcullis::classifier
