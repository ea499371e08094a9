#include "gateway/dns/answer_cache.h"

#include <gtest/gtest.h>

namespace portcullis::dns {
namespace {

using std::chrono::seconds;
const AnswerCache::Clock::time_point kStart{};

Answer answer(Status status, uint32_t ttl) {
  return Answer{status, {"192.0.2.1"}, {}, ttl};
}

TEST(AnswerCache, KeepsAnswersForTheirTtlWithinBounds) {
  AnswerCache cache(CachePolicy{100, seconds(30), seconds(3600), seconds(300)});
  cache.store("a.test", RrType::A, answer(Status::Ok, 120), kStart);
  auto hit = cache.find("a.test", RrType::A, kStart + seconds(100));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->ttl, 20u);
  EXPECT_FALSE(cache.find("a.test", RrType::A, kStart + seconds(120)));
  EXPECT_FALSE(cache.find("a.test", RrType::AAAA, kStart));

  cache.store("short.test", RrType::A, answer(Status::Ok, 1), kStart);  // raised to min_ttl
  EXPECT_TRUE(cache.find("short.test", RrType::A, kStart + seconds(29)));
  cache.store("long.test", RrType::A, answer(Status::Ok, 999999), kStart);  // cut to max_ttl
  EXPECT_FALSE(cache.find("long.test", RrType::A, kStart + seconds(3600)));
}

TEST(AnswerCache, NegativeAnswersUseTheirOwnCap) {
  AnswerCache cache(CachePolicy{100, seconds(30), seconds(3600), seconds(300)});
  cache.store("nx.test", RrType::A, answer(Status::NxDomain, 86400), kStart);
  EXPECT_TRUE(cache.find("nx.test", RrType::A, kStart + seconds(299)));
  EXPECT_FALSE(cache.find("nx.test", RrType::A, kStart + seconds(300)));
  cache.store("nodata.test", RrType::TXT, answer(Status::NoData, 0), kStart);  // no SOA
  EXPECT_TRUE(cache.find("nodata.test", RrType::TXT, kStart + seconds(299)));
}

TEST(AnswerCache, NeverCachesFailures) {
  AnswerCache cache(CachePolicy{});
  for (Status s : {Status::ServFail, Status::Timeout, Status::Error})
    cache.store("f.test", RrType::A, answer(s, 300), kStart);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AnswerCache, StaysWithinItsSize) {
  AnswerCache cache(CachePolicy{10, seconds(30), seconds(3600), seconds(300)});
  for (int i = 0; i < 100; ++i)
    cache.store("h" + std::to_string(i) + ".test", RrType::A, answer(Status::Ok, 300), kStart);
  EXPECT_LE(cache.size(), 10u);
  EXPECT_TRUE(cache.find("h99.test", RrType::A, kStart));
  AnswerCache off(CachePolicy{0, seconds(30), seconds(3600), seconds(300)});
  off.store("a.test", RrType::A, answer(Status::Ok, 300), kStart);
  EXPECT_EQ(off.size(), 0u);
}

}  // namespace
}  // namespace portcullis::dns
