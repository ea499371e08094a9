// The Redis token store against a real redis-server on a loopback port: counting, learning once,
// relearning, forgetting, totals, expiry to a size cap, two gateways sharing one server, a server
// that dies and comes back, and servers that answer errors, wrong types or garbage (each an error
// value naming host:port, within the timeout).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "filters/classifier/redis_client.h"
#include "filters/classifier/redis_store.h"
#include "tests/integration/classifier/garbage_server.h"
#include "tests/support/loopback.h"
#include "tests/support/redis_server.h"

namespace portcullis::classifier {
namespace {

using test::GarbageServer;
using test::Misbehaviour;
using test::RedisServer;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kTimeout{300};
// How much later than the timeout an error may come (scheduling on a busy machine).
constexpr std::chrono::milliseconds kSlack{700};

RedisStoreOptions optionsFor(uint16_t port, std::string prefix = "test:") {
  RedisStoreOptions options;
  options.endpoint.port = port;
  options.endpoint.timeout = kTimeout;
  options.write_timeout = kTimeout;
  options.prefix = std::move(prefix);
  options.reconnect.initial = std::chrono::milliseconds(50);
  options.reconnect.max = std::chrono::milliseconds(200);
  return options;
}

std::vector<TokenHash> range(TokenHash first, TokenHash last) {
  std::vector<TokenHash> tokens(last - first + 1);
  std::iota(tokens.begin(), tokens.end(), first);
  return tokens;
}

MessageDigest digest(const std::string& name) {
  return MessageDigest{name};
}

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::haveRedisServer()) GTEST_SKIP() << "redis-server is not installed";
    server_ = std::make_unique<RedisServer>();
    store_ = std::make_unique<RedisStore>(optionsFor(server_->port()));
  }

  std::vector<TokenCounts> countsOf(TokenStore& store, const std::vector<TokenHash>& tokens) {
    std::vector<TokenCounts> counts(tokens.size(), TokenCounts{99, 99});
    auto totals = store.lookup(tokens, counts);
    EXPECT_TRUE(totals.ok()) << totals.error;
    return counts;
  }

  // Sends one raw command to the server, for planting foreign data.
  void command(const RedisCommand& command) {
    RedisEndpoint endpoint;
    endpoint.port = server_->port();
    auto connection = RedisConnection::open(endpoint);
    ASSERT_TRUE(connection.ok()) << connection.error;
    auto replies = (*connection)->exchange({command});
    ASSERT_TRUE(replies.ok()) << replies.error;
    ASSERT_NE((*replies)[0]->type, REDIS_REPLY_ERROR) << replyText(*(*replies)[0]);
  }

  std::string name() const { return "127.0.0.1:" + std::to_string(server_->port()); }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisStore> store_;
};

TEST_F(RedisStoreTest, AnEmptyStoreKnowsNothing) {
  const std::vector<TokenHash> tokens{1, 2, 3};
  std::vector<TokenCounts> counts(3, TokenCounts{7, 7});
  auto totals = store_->lookup(tokens, counts);
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->spam_messages, 0u);
  EXPECT_EQ(totals->ham_messages, 0u);
  EXPECT_EQ(totals->tokens, 0u);
  for (const auto& c : counts) {
    EXPECT_EQ(c.spam, 0u);
    EXPECT_EQ(c.ham, 0u);
  }
  auto empty = store_->lookup({}, {});
  ASSERT_TRUE(empty.ok()) << empty.error;
  EXPECT_EQ(store_->backend(), "redis");
}

TEST_F(RedisStoreTest, LearningCountsTokensPerClass) {
  ASSERT_EQ(*store_->learn(digest("a"), MessageClass::Spam, std::vector<TokenHash>{1, 2, 3}),
            LearnOutcome::Learned);
  ASSERT_EQ(*store_->learn(digest("b"), MessageClass::Ham, std::vector<TokenHash>{2, 3, 4}),
            LearnOutcome::Learned);
  ASSERT_EQ(*store_->learn(digest("c"), MessageClass::Spam, std::vector<TokenHash>{3}),
            LearnOutcome::Learned);

  const std::vector<TokenHash> tokens{1, 2, 3, 4, 5};
  std::vector<TokenCounts> counts(tokens.size());
  auto totals = store_->lookup(tokens, counts);
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->spam_messages, 2u);
  EXPECT_EQ(totals->ham_messages, 1u);
  EXPECT_EQ(totals->tokens, 4u);
  const std::vector<std::pair<unsigned, unsigned>> expected{{1, 0}, {1, 1}, {2, 1}, {0, 1}, {0, 0}};
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(counts[i].spam, expected[i].first) << "token " << tokens[i];
    EXPECT_EQ(counts[i].ham, expected[i].second) << "token " << tokens[i];
  }
}

TEST_F(RedisStoreTest, LearningAMessageTwiceCountsOnce) {
  const std::vector<TokenHash> tokens{10, 11};
  ASSERT_EQ(*store_->learn(digest("m"), MessageClass::Spam, tokens), LearnOutcome::Learned);
  auto again = store_->learn(digest("m"), MessageClass::Spam, tokens);
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(*again, LearnOutcome::AlreadyLearned);
  EXPECT_EQ(countsOf(*store_, tokens)[0].spam, 1u);
  EXPECT_EQ(store_->totals()->spam_messages, 1u);
}

TEST_F(RedisStoreTest, RelearningMovesTheMessageToTheOtherClass) {
  const std::vector<TokenHash> tokens{20, 21};
  ASSERT_EQ(*store_->learn(digest("m"), MessageClass::Spam, tokens), LearnOutcome::Learned);
  ASSERT_EQ(*store_->learn(digest("other"), MessageClass::Spam, std::vector<TokenHash>{21}),
            LearnOutcome::Learned);
  auto moved = store_->learn(digest("m"), MessageClass::Ham, tokens);
  ASSERT_TRUE(moved.ok()) << moved.error;
  EXPECT_EQ(*moved, LearnOutcome::Relearned);

  const auto counts = countsOf(*store_, tokens);
  EXPECT_EQ(counts[0].spam, 0u);
  EXPECT_EQ(counts[0].ham, 1u);
  EXPECT_EQ(counts[1].spam, 1u);
  EXPECT_EQ(counts[1].ham, 1u);
  auto totals = store_->totals();
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->spam_messages, 1u);
  EXPECT_EQ(totals->ham_messages, 1u);
}

TEST_F(RedisStoreTest, ForgettingRemovesTheMessageAndEmptyTokens) {
  ASSERT_EQ(*store_->learn(digest("keep"), MessageClass::Ham, std::vector<TokenHash>{31}),
            LearnOutcome::Learned);
  const std::vector<TokenHash> tokens{30, 31};
  ASSERT_EQ(*store_->learn(digest("m"), MessageClass::Ham, tokens), LearnOutcome::Learned);
  auto forgotten = store_->forget(digest("m"), tokens);
  ASSERT_TRUE(forgotten.ok()) << forgotten.error;
  EXPECT_EQ(*forgotten, LearnOutcome::Forgotten);
  EXPECT_EQ(*store_->forget(digest("m"), tokens), LearnOutcome::NotLearned);
  EXPECT_EQ(*store_->forget(digest("never"), tokens), LearnOutcome::NotLearned);

  const auto counts = countsOf(*store_, tokens);
  EXPECT_EQ(counts[0].ham, 0u);
  EXPECT_EQ(counts[1].ham, 1u);
  auto totals = store_->totals();
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->ham_messages, 1u);
  EXPECT_EQ(totals->tokens, 1u);  // token 30 went with its last message
  // A forgotten message can be learnt again.
  EXPECT_EQ(*store_->learn(digest("m"), MessageClass::Spam, tokens), LearnOutcome::Learned);
}

TEST_F(RedisStoreTest, TotalsReportTokensAndMemory) {
  ASSERT_TRUE(store_->learn(digest("m"), MessageClass::Spam, range(1, 500)).ok());
  auto totals = store_->totals();
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->tokens, 500u);
  EXPECT_EQ(totals->spam_messages, 1u);
  EXPECT_EQ(totals->last_expiry, 0);
  EXPECT_GT(totals->bytes, 500u * 16);
}

TEST_F(RedisStoreTest, ExpiryDropsTheLeastRecentlyLearntTokens) {
  auto options = optionsFor(server_->port());
  options.expiry_scan_batch = 7;  // many HSCAN pages and delete batches
  RedisStore store(options);
  ASSERT_TRUE(store.learn(digest("old"), MessageClass::Spam, range(1, 100)).ok());
  ASSERT_TRUE(store.learn(digest("middle"), MessageClass::Ham, range(101, 200)).ok());
  ASSERT_TRUE(store.learn(digest("new"), MessageClass::Spam, range(201, 300)).ok());
  // Learning a message again as the other class stamps its tokens anew.
  ASSERT_TRUE(store.learn(digest("old-renewed"), MessageClass::Ham, range(1, 10)).ok());

  const auto before = std::chrono::system_clock::now();
  auto expired = store.expire(150);
  ASSERT_TRUE(expired.ok()) << expired.error;
  auto totals = store.totals();
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->tokens, 150u);
  EXPECT_GE(totals->last_expiry,
            std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count());

  auto present = [&](TokenHash first, TokenHash last) {
    std::size_t n = 0;
    for (const auto& c : countsOf(store, range(first, last))) n += (c.spam + c.ham) > 0;
    return n;
  };
  EXPECT_EQ(present(11, 100), 0u);    // oldest: gone
  EXPECT_EQ(present(101, 200), 40u);  // partly gone
  EXPECT_EQ(present(201, 300), 100u);
  EXPECT_EQ(present(1, 10), 10u);  // renewed: kept

  // Under the cap, expiry removes nothing but still records its run.
  ASSERT_TRUE(store.expire(1000).ok());
  EXPECT_EQ(store.totals()->tokens, 150u);
}

TEST_F(RedisStoreTest, ExpiryAfterMillionsOfLearnsStillCutsExactly) {
  // A learn counter past 2^16 makes expiry count stamps in ranges; the cut stays exact.
  command({"HSET", "test:totals", "seq", "5000000"});
  for (TokenHash m = 0; m < 5; ++m)
    ASSERT_TRUE(
        store_->learn(digest(std::to_string(m)), MessageClass::Spam, range(m * 20, m * 20 + 19))
            .ok());
  ASSERT_TRUE(store_->expire(50).ok());
  EXPECT_EQ(store_->totals()->tokens, 50u);
  ASSERT_TRUE(store_->expire(7).ok());
  EXPECT_EQ(store_->totals()->tokens, 7u);
}

TEST_F(RedisStoreTest, LearningBeyondTheCapExpiresToNinetyPercent) {
  auto options = optionsFor(server_->port());
  options.max_tokens = 100;
  RedisStore store(options);
  ASSERT_TRUE(store.learn(digest("1"), MessageClass::Spam, range(1, 60)).ok());
  EXPECT_EQ(store.totals()->tokens, 60u);
  EXPECT_EQ(store.totals()->last_expiry, 0);
  ASSERT_TRUE(store.learn(digest("2"), MessageClass::Ham, range(101, 160)).ok());
  EXPECT_EQ(store.totals()->tokens, 90u);
  EXPECT_GT(store.totals()->last_expiry, 0);
  ASSERT_TRUE(store.learn(digest("3"), MessageClass::Spam, range(201, 260)).ok());
  EXPECT_EQ(store.totals()->tokens, 90u);
  for (const auto& c : countsOf(store, range(201, 260))) EXPECT_EQ(c.spam, 1u);
}

TEST_F(RedisStoreTest, ExpiryIsExclusiveBetweenGateways) {
  command({"SET", "test:expiry", "held by another gateway", "EX", "60"});
  auto expired = store_->expire(0);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error.find("another gateway"), std::string::npos) << expired.error;
}

TEST_F(RedisStoreTest, TwoGatewaysShareWhatTheyLearn) {
  RedisStore second(optionsFor(server_->port()));
  ASSERT_EQ(*store_->learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{40, 41}),
            LearnOutcome::Learned);
  EXPECT_EQ(countsOf(second, {40})[0].spam, 1u);
  EXPECT_EQ(*second.learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{40, 41}),
            LearnOutcome::AlreadyLearned);
  EXPECT_EQ(*second.forget(digest("m"), std::vector<TokenHash>{40, 41}), LearnOutcome::Forgotten);
  EXPECT_EQ(countsOf(*store_, {40})[0].spam, 0u);

  // Both gateways, two threads each, learning at once: every message counts exactly once.
  constexpr int kPerThread = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RedisStore& store = t % 2 == 0 ? *store_ : second;
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<TokenHash> tokens{1000, static_cast<TokenHash>(2000 + t * kPerThread + i)};
        const auto cls = i % 3 == 0 ? MessageClass::Ham : MessageClass::Spam;
        if (!store.learn(digest(std::to_string(t) + "/" + std::to_string(i)), cls, tokens).ok())
          ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  const auto shared = countsOf(*store_, {1000})[0];
  EXPECT_EQ(shared.ham, 4u * 50);
  EXPECT_EQ(shared.spam, 4u * 100);
  auto totals = second.totals();
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->ham_messages, 200u);
  EXPECT_EQ(totals->spam_messages, 400u);
  EXPECT_EQ(totals->tokens, 1u + 4 * kPerThread);
}

TEST_F(RedisStoreTest, PrefixesKeepStoresApart) {
  RedisStore other(optionsFor(server_->port(), "other:"));
  ASSERT_TRUE(store_->learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{50}).ok());
  EXPECT_EQ(countsOf(other, {50})[0].spam, 0u);
  EXPECT_EQ(*other.learn(digest("m"), MessageClass::Ham, std::vector<TokenHash>{50}),
            LearnOutcome::Learned);
  EXPECT_EQ(countsOf(*store_, {50})[0].ham, 0u);
}

TEST_F(RedisStoreTest, AServerThatDiesIsAnErrorThenRecovers) {
  ASSERT_TRUE(store_->learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{60}).ok());
  server_->kill();

  std::vector<TokenCounts> counts(1);
  const auto started = Clock::now();
  auto down = store_->lookup(std::vector<TokenHash>{60}, counts);
  EXPECT_LT(Clock::now() - started, kTimeout + kSlack);
  ASSERT_FALSE(down.ok());
  EXPECT_NE(down.error.find(name()), std::string::npos) << down.error;
  auto learn = store_->learn(digest("n"), MessageClass::Ham, std::vector<TokenHash>{61});
  ASSERT_FALSE(learn.ok());
  EXPECT_NE(learn.error.find(name()), std::string::npos) << learn.error;
  EXPECT_FALSE(store_->totals().ok());
  EXPECT_FALSE(store_->expire(10).ok());

  server_->start();  // the same port, empty (no persistence)
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  Result<StoreTotals> back = store_->lookup(std::vector<TokenHash>{60}, counts);
  while (!back.ok() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    back = store_->lookup(std::vector<TokenHash>{60}, counts);
  }
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back->spam_messages, 0u);
  EXPECT_EQ(*store_->learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{60}),
            LearnOutcome::Learned);  // the scripts are loaded again after the restart
}

TEST_F(RedisStoreTest, ARestartIsSeenOnlyOnceByAnIdleConnection) {
  ASSERT_TRUE(store_->totals().ok());  // one pooled connection
  server_->kill();
  server_->start();
  auto totals = store_->totals();  // the stale connection is replaced, not reported
  EXPECT_TRUE(totals.ok()) << totals.error;
}

TEST_F(RedisStoreTest, NoServerIsAnErrorNamingIt) {
  const uint16_t port = test::freeLoopbackPort();
  RedisStore store(optionsFor(port));
  std::vector<TokenCounts> counts(1);
  const auto started = Clock::now();
  auto totals = store.lookup(std::vector<TokenHash>{1}, counts);
  EXPECT_LT(Clock::now() - started, kTimeout + kSlack);
  ASSERT_FALSE(totals.ok());
  EXPECT_NE(totals.error.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << totals.error;
  EXPECT_NE(totals.error.find("connect"), std::string::npos) << totals.error;
}

TEST_F(RedisStoreTest, KeysOfTheWrongTypeAreErrors) {
  command({"SET", "test:tokens", "not a hash"});
  std::vector<TokenCounts> counts(1);
  auto lookup = store_->lookup(std::vector<TokenHash>{1}, counts);
  ASSERT_FALSE(lookup.ok());
  EXPECT_NE(lookup.error.find("WRONGTYPE"), std::string::npos) << lookup.error;
  EXPECT_NE(lookup.error.find(name()), std::string::npos) << lookup.error;
  auto learn = store_->learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{1});
  ASSERT_FALSE(learn.ok());
  EXPECT_NE(learn.error.find("WRONGTYPE"), std::string::npos) << learn.error;
  EXPECT_FALSE(store_->expire(0).ok());
  // The store still works for everything else: the totals key is fine.
  command({"DEL", "test:tokens"});
  EXPECT_TRUE(store_->learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{1}).ok());
}

TEST_F(RedisStoreTest, ForeignValuesAreErrors) {
  const std::string field("\x01\0\0\0\0\0\0\0", 8);  // token 1
  command({"HSET", "test:tokens", field, "three"});
  std::vector<TokenCounts> counts(1);
  auto lookup = store_->lookup(std::vector<TokenHash>{1}, counts);
  ASSERT_FALSE(lookup.ok());
  EXPECT_NE(lookup.error.find("foreign value"), std::string::npos) << lookup.error;
  // The foreign token comes last, in the second batch of 1000: the failed script wrote nothing.
  auto tokens = range(2, 1200);
  tokens.push_back(1);
  EXPECT_FALSE(store_->learn(digest("m"), MessageClass::Spam, tokens).ok());
  auto totals = store_->totals();
  ASSERT_TRUE(totals.ok()) << totals.error;
  EXPECT_EQ(totals->spam_messages, 0u);
  EXPECT_EQ(totals->tokens, 1u);

  command({"HSET", "test:totals", "spam", "many"});
  EXPECT_FALSE(store_->totals().ok());
  command({"HSET", "test:digests", "x", "neither"});
  EXPECT_FALSE(store_->learn(digest("x"), MessageClass::Ham, std::vector<TokenHash>{2}).ok());
}

// Each misbehaving server must give an error naming it, within the timeout.
class GarbageServerTest : public ::testing::TestWithParam<std::pair<Misbehaviour, const char*>> {};

TEST_P(GarbageServerTest, IsAnErrorWithinTheTimeout) {
  const auto [misbehaviour, cause] = GetParam();
  GarbageServer server(misbehaviour);
  RedisStore store(optionsFor(server.port()));
  const std::string name = "127.0.0.1:" + std::to_string(server.port());
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<TokenCounts> counts(2);
    const auto started = Clock::now();
    auto lookup = store.lookup(std::vector<TokenHash>{1, 2}, counts);
    EXPECT_LT(Clock::now() - started, kTimeout + kSlack);
    ASSERT_FALSE(lookup.ok());
    EXPECT_NE(lookup.error.find(name), std::string::npos) << lookup.error;
    EXPECT_NE(lookup.error.find(cause), std::string::npos) << lookup.error;
    const auto learn_started = Clock::now();
    EXPECT_FALSE(store.learn(digest("m"), MessageClass::Spam, std::vector<TokenHash>{1}).ok());
    EXPECT_LT(Clock::now() - learn_started, kTimeout + kSlack);
    EXPECT_FALSE(store.expire(1).ok());
  }
}

TEST(RedisStoreBackoff, AServerThatKeepsFailingCostsOneTimeoutThenFastErrors) {
  GarbageServer server(Misbehaviour::Silence);
  RedisStore store(optionsFor(server.port()));
  std::vector<TokenCounts> counts(1);
  auto first = store.lookup(std::vector<TokenHash>{1}, counts);
  ASSERT_FALSE(first.ok());
  const auto started = Clock::now();
  auto second = store.lookup(std::vector<TokenHash>{1}, counts);
  EXPECT_LT(Clock::now() - started, kTimeout / 3);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error.find("no reply within"), std::string::npos) << second.error;
  EXPECT_NE(second.error.find("next attempt in"), std::string::npos) << second.error;
}

const std::pair<Misbehaviour, const char*> kMisbehaviours[] = {
    {Misbehaviour::Nonsense, "Protocol error"},
    {Misbehaviour::CloseAtOnce, "closed the connection"},
    {Misbehaviour::Silence, "no reply within"},
    {Misbehaviour::HugeArray, "array over"},
    {Misbehaviour::EndlessBulk, "reply larger than"},
    {Misbehaviour::Trickle, "no reply within"},
    {Misbehaviour::WrongType, "unexpected reply"}};

std::string misbehaviourName(
    const ::testing::TestParamInfo<std::pair<Misbehaviour, const char*>>& info) {
  static const char* const kNames[] = {"Nonsense",    "CloseAtOnce", "Silence",  "HugeArray",
                                       "EndlessBulk", "Trickle",     "WrongType"};
  return kNames[static_cast<int>(info.param.first)];
}

INSTANTIATE_TEST_SUITE_P(Misbehaviours, GarbageServerTest, ::testing::ValuesIn(kMisbehaviours),
                         misbehaviourName);

}  // namespace
}  // namespace portcullis::classifier
