// The classifier over a real store: silent below the training minimums, then telling spam from
// ham; learning twice counts once, relearning moves, forgetting removes; explaining names the
// most telling tokens; a failing store is a value, not an exception.
#include "filters/classifier/classifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "filters/classifier/sqlite_store.h"
#include "tests/support/temp_dir.h"

namespace portcullis::classifier {
namespace {

// A message of its class's vocabulary plus a word of its own, with a raw text for its digest.
struct Message {
  std::string raw;
  std::string body;
  ClassifierInput input() const {
    ClassifierInput in;
    in.body = body;
    in.raw = raw;
    in.headers = {{"From", "someone <a@example.org>"}};
    return in;
  }
};

Message message(MessageClass cls, int n) {
  Message m;
  m.body = cls == MessageClass::Spam ? "cheap pills casino winner viagra unclaimed prize"
                                     : "meeting agenda kernel patch review tomorrow lunch";
  m.body += " unique" + std::to_string(n) + (cls == MessageClass::Spam ? "s" : "h");
  m.raw = "Subject: " + std::to_string(n) + "\n\n" + m.body + "\n";
  return m;
}

class ClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::open(dir_ / "c.db");
    ASSERT_TRUE(store.ok()) << store.error;
    store_ = *store;
    classifier_ = std::make_unique<Classifier>(store_, ClassifierSettings{});
  }

  void train(MessageClass cls, int from, int to) {
    for (int i = from; i < to; ++i)
      ASSERT_EQ(*classifier_->learn(message(cls, i).input(), cls), LearnOutcome::Learned);
  }

  test::TempDir dir_;
  std::shared_ptr<SqliteStore> store_;
  std::unique_ptr<Classifier> classifier_;
};

TEST_F(ClassifierTest, SaysNothingBelowTwoHundredOfEach) {
  train(MessageClass::Spam, 0, 200);
  train(MessageClass::Ham, 0, 199);
  Classification c = classifier_->classify(message(MessageClass::Spam, 1000).input());
  EXPECT_TRUE(c.available);
  EXPECT_FALSE(c.probability);
  EXPECT_EQ(c.spam_learned, 200u);
  EXPECT_EQ(c.ham_learned, 199u);

  train(MessageClass::Ham, 199, 200);
  c = classifier_->classify(message(MessageClass::Spam, 1000).input());
  ASSERT_TRUE(c.probability);
  EXPECT_GT(*c.probability, 0.99);
  c = classifier_->classify(message(MessageClass::Ham, 1000).input());
  ASSERT_TRUE(c.probability);
  EXPECT_LT(*c.probability, 0.01);
}

TEST_F(ClassifierTest, LearningTwiceCountsOnceAndRelearningMoves) {
  const Message m = message(MessageClass::Spam, 1);
  EXPECT_EQ(*classifier_->learn(m.input(), MessageClass::Spam), LearnOutcome::Learned);
  EXPECT_EQ(*classifier_->learn(m.input(), MessageClass::Spam), LearnOutcome::AlreadyLearned);
  EXPECT_EQ(store_->totals()->spam_messages, 1u);
  EXPECT_EQ(*classifier_->learn(m.input(), MessageClass::Ham), LearnOutcome::Relearned);
  EXPECT_EQ(store_->totals()->spam_messages, 0u);
  EXPECT_EQ(store_->totals()->ham_messages, 1u);
  EXPECT_EQ(*classifier_->forget(m.input()), LearnOutcome::Forgotten);
  EXPECT_EQ(store_->totals()->ham_messages, 0u);
  EXPECT_EQ(store_->totals()->tokens, 0u);
  EXPECT_EQ(*classifier_->forget(m.input()), LearnOutcome::NotLearned);
}

TEST_F(ClassifierTest, ExplainingNamesTheMostTellingTokensFirst) {
  train(MessageClass::Spam, 0, 200);
  train(MessageClass::Ham, 0, 200);
  const Classification c = classifier_->classify(message(MessageClass::Spam, 1000).input(), true);
  ASSERT_TRUE(c.probability);
  ASSERT_FALSE(c.telling.empty());
  bool saw_casino = false;
  for (std::size_t i = 0; i < c.telling.size(); ++i) {
    EXPECT_FALSE(c.telling[i].text.empty());
    if (c.telling[i].text == "casino") {
      saw_casino = true;
      EXPECT_EQ(c.telling[i].counts.spam, 200u);
      EXPECT_EQ(c.telling[i].counts.ham, 0u);
    }
    if (i > 0) {
      EXPECT_GE(std::fabs(c.telling[i - 1].probability - 0.5),
                std::fabs(c.telling[i].probability - 0.5));
    }
  }
  EXPECT_TRUE(saw_casino);
  const Classification plain = classifier_->classify(message(MessageClass::Spam, 1000).input());
  EXPECT_TRUE(plain.telling.empty());
  EXPECT_EQ(plain.probability, c.probability);  // explaining changes nothing
}

TEST_F(ClassifierTest, AMessageWithoutRawTextIsNamedByItsTokens) {
  ClassifierInput in;
  in.body = "just some words here";
  EXPECT_EQ(*classifier_->learn(in, MessageClass::Ham), LearnOutcome::Learned);
  EXPECT_EQ(*classifier_->learn(in, MessageClass::Ham), LearnOutcome::AlreadyLearned);
  in.body = "other words entirely";
  EXPECT_EQ(*classifier_->learn(in, MessageClass::Ham), LearnOutcome::Learned);
}

class FailingStore : public TokenStore {
 public:
  std::string_view backend() const override { return "failing"; }
  Result<StoreTotals> lookup(std::span<const TokenHash>, std::span<TokenCounts>) override {
    return Result<StoreTotals>::failure("store down");
  }
  Result<LearnOutcome> learn(const MessageDigest&, MessageClass,
                             std::span<const TokenHash>) override {
    return Result<LearnOutcome>::failure("store down");
  }
  Result<LearnOutcome> forget(const MessageDigest&, std::span<const TokenHash>) override {
    return Result<LearnOutcome>::failure("store down");
  }
  Result<StoreTotals> totals() override { return Result<StoreTotals>::failure("store down"); }
  Status expire(std::uint64_t) override { return Status::failure("store down"); }
};

TEST(ClassifierFailure, AFailingStoreIsAnUnavailableClassification) {
  const Classifier classifier(std::make_shared<FailingStore>(), ClassifierSettings{});
  const Classification c = classifier.classify(message(MessageClass::Spam, 1).input());
  EXPECT_FALSE(c.available);
  EXPECT_EQ(c.error, "store down");
  EXPECT_FALSE(c.probability);
  const auto learnt = classifier.learn(message(MessageClass::Spam, 1).input(), MessageClass::Spam);
  EXPECT_FALSE(learnt.ok());
  EXPECT_EQ(learnt.error, "store down");
}

}  // namespace
}  // namespace portcullis::classifier
