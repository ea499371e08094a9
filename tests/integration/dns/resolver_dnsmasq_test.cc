// The c-ares resolver against a real dnsmasq on loopback: answers of every type, caching (the
// second lookup never reaches the server), concurrency under the in-flight cap, and a server that
// goes away mid-test (lookups time out, are counted, and nothing crashes).
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <thread>

#include "gateway/dns/cares_resolver.h"
#include "gateway/dns/parallel_queries.h"
#include "tests/support/dnsmasq_server.h"

namespace portcullis::dns {
namespace {

const std::vector<std::string> kRecords = {
    R"(txt-record=example.test,"v=spf1 ip4:127.0.0.1 -all")",
    R"(txt-record=long.example.test,"first part, ","second part")",
    "host-record=mail.example.test,192.0.2.10,2001:db8::10",
    "mx-host=example.test,mail.example.test,10",
    "mx-host=example.test,backup.example.test,20",
    "host-record=2.0.0.127.bl.test,127.0.0.2",
    "host-record=sentinel.example.test,192.0.2.99",
};

class ResolverWithDnsmasq : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<test::DnsmasqServer>(kRecords);
    DnsConfig config;
    config.servers = {server_->address()};
    config.timeout = std::chrono::milliseconds(500);
    config.attempts = 2;
    config.max_in_flight = 4;
    resolver_ = std::make_unique<CaresResolver>(io_.get_executor(), config);
  }
  void TearDown() override {
    resolver_.reset();
    server_.reset();
  }

  // Runs the event loop until the query completes (c-ares keeps its sockets open, so the loop
  // never runs out of work on its own).
  Answer lookup(const std::string& name, RrType type) {
    std::optional<Answer> answer;
    asio::co_spawn(
        io_, [&]() -> awaitable<void> { answer = co_await resolver_->query(name, type); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    runUntil([&] { return answer.has_value(); });
    return *answer;
  }

  // The loop stops itself whenever it runs out of work (between two lookups c-ares may close
  // its sockets), so it is restarted until `done` holds.
  template <typename Done>
  void runUntil(Done done) {
    while (!done()) {
      if (io_.run_one() == 0) io_.restart();
    }
  }

  asio::io_context io_;
  std::unique_ptr<test::DnsmasqServer> server_;
  std::unique_ptr<CaresResolver> resolver_;
};

TEST_F(ResolverWithDnsmasq, AnswersEveryRecordType) {
  Answer a = lookup("mail.example.test", RrType::A);
  ASSERT_EQ(a.status, Status::Ok) << toString(a.status);
  EXPECT_EQ(a.records, std::vector<std::string>{"192.0.2.10"});
  EXPECT_GT(a.ttl, 0u);

  Answer aaaa = lookup("mail.example.test", RrType::AAAA);
  ASSERT_EQ(aaaa.status, Status::Ok);
  EXPECT_EQ(aaaa.records, std::vector<std::string>{"2001:db8::10"});

  Answer txt = lookup("example.test", RrType::TXT);
  ASSERT_EQ(txt.status, Status::Ok);
  EXPECT_EQ(txt.records, std::vector<std::string>{"v=spf1 ip4:127.0.0.1 -all"});

  Answer joined = lookup("long.example.test", RrType::TXT);
  ASSERT_EQ(joined.status, Status::Ok);
  EXPECT_EQ(joined.records, std::vector<std::string>{"first part, second part"});

  Answer mx = lookup("example.test", RrType::MX);
  ASSERT_EQ(mx.status, Status::Ok);
  ASSERT_EQ(mx.mx.size(), 2u);
  auto preferred = std::min_element(mx.mx.begin(), mx.mx.end(),
                                    [](auto& l, auto& r) { return l.preference < r.preference; });
  EXPECT_EQ(preferred->host, "mail.example.test");
  EXPECT_EQ(preferred->preference, 10);

  Answer ptr = lookup("10.2.0.192.in-addr.arpa", RrType::PTR);
  ASSERT_EQ(ptr.status, Status::Ok);
  EXPECT_EQ(ptr.records, std::vector<std::string>{"mail.example.test"});

  Answer listed = lookup("2.0.0.127.bl.test", RrType::A);
  ASSERT_EQ(listed.status, Status::Ok);
  EXPECT_EQ(listed.records, std::vector<std::string>{"127.0.0.2"});

  EXPECT_EQ(lookup("nothing.example.test", RrType::A).status, Status::NxDomain);
  EXPECT_EQ(lookup("example.test", RrType::AAAA).status, Status::NoData);
  EXPECT_EQ(lookup("bad..name", RrType::A).status, Status::Error);
}

TEST_F(ResolverWithDnsmasq, SecondLookupIsServedFromTheCache) {
  ASSERT_EQ(lookup("mail.example.test", RrType::A).status, Status::Ok);
  ASSERT_TRUE(server_->waitForQuery("mail.example.test"));
  uint64_t sent = resolver_->stats().queries();

  Answer again = lookup("MAIL.example.test.", RrType::A);  // same name, other spelling
  ASSERT_EQ(again.status, Status::Ok);
  EXPECT_EQ(again.records, std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(resolver_->stats().queries(), sent);
  EXPECT_EQ(resolver_->stats().cacheHits(), 1u);

  // Negative answers are cached too.
  ASSERT_EQ(lookup("missing.example.test", RrType::A).status, Status::NxDomain);
  ASSERT_EQ(lookup("missing.example.test", RrType::A).status, Status::NxDomain);
  EXPECT_EQ(resolver_->stats().cacheHits(), 2u);

  // dnsmasq logs in order: once the sentinel is logged, every earlier query is too.
  ASSERT_EQ(lookup("sentinel.example.test", RrType::A).status, Status::Ok);
  ASSERT_TRUE(server_->waitForQuery("sentinel.example.test"));
  EXPECT_EQ(server_->queriesFor("mail.example.test"), 1u);
  EXPECT_EQ(server_->queriesFor("missing.example.test"), 1u);
}

TEST_F(ResolverWithDnsmasq, ManyConcurrentQueriesBeyondTheInFlightCap) {
  std::vector<Question> questions;
  for (int i = 0; i < 40; ++i)
    questions.push_back({"host" + std::to_string(i) + ".example.test", RrType::A});
  questions.push_back({"mail.example.test", RrType::A});
  std::optional<std::vector<Answer>> answers;
  asio::co_spawn(
      io_, [&]() -> awaitable<void> { answers = co_await queryAll(*resolver_, questions); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  runUntil([&] { return answers.has_value(); });
  ASSERT_EQ(answers->size(), questions.size());
  for (size_t i = 0; i + 1 < questions.size(); ++i)
    EXPECT_EQ((*answers)[i].status, Status::NxDomain) << questions[i].name;
  EXPECT_EQ(answers->back().status, Status::Ok);
  EXPECT_EQ(resolver_->stats().queries(Status::NxDomain), 40u);
}

TEST_F(ResolverWithDnsmasq, SharedByThreads) {
  constexpr int kSessions = 16;
  std::atomic<int> ok{0}, finished{0};
  std::promise<void> all_done;
  auto guard = asio::make_work_guard(io_);
  for (int i = 0; i < kSessions; ++i) {
    asio::co_spawn(
        io_,
        [&, i]() -> awaitable<void> {
          std::string name = (i % 2) ? "mail.example.test" : "example.test";
          Answer a = co_await resolver_->query(name, (i % 2) ? RrType::A : RrType::TXT);
          if (a.ok()) ++ok;
          if (++finished == kSessions) all_done.set_value();
        },
        asio::detached);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) threads.emplace_back([&] { io_.run(); });
  all_done.get_future().wait();
  guard.reset();
  io_.stop();
  for (auto& thread : threads) thread.join();
  io_.restart();
  EXPECT_EQ(ok, kSessions);
}

TEST_F(ResolverWithDnsmasq, ServerGoneMeansTimeoutNotCrash) {
  ASSERT_EQ(lookup("mail.example.test", RrType::A).status, Status::Ok);
  server_->stop();

  Answer gone = lookup("example.test", RrType::TXT);
  EXPECT_EQ(gone.status, Status::Timeout) << toString(gone.status);
  EXPECT_TRUE(gone.temporaryFailure());
  Answer again = lookup("example.test", RrType::MX);
  EXPECT_EQ(again.status, Status::Timeout);
  EXPECT_EQ(resolver_->stats().queries(Status::Timeout), 2u);

  // Failures are not cached; what was cached before the outage still answers.
  EXPECT_EQ(lookup("mail.example.test", RrType::A).status, Status::Ok);
  EXPECT_EQ(resolver_->stats().cacheHits(), 1u);
}

}  // namespace
}  // namespace portcullis::dns
