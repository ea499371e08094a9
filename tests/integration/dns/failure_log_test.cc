// The resolver's outage warning against a real dnsmasq: while the server is paused, lookups time
// out and the log gets one line with their count per failure_log_interval, naming the server.
// Failures after the window closed wait for the next one (or for the resolver's shutdown);
// nothing is logged per query.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "gateway/dns/cares_resolver.h"
#include "gateway/dns/parallel_queries.h"
#include "tests/support/dnsmasq_server.h"

namespace portcullis::dns {
namespace {

using ::testing::HasSubstr;

constexpr auto kInterval = std::chrono::seconds(2);

// Makes a logger that keeps its lines in memory the default while the object lives.
class CapturedLog {
 public:
  CapturedLog()
      : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000)),
        previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("captured", sink_);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // The lines that mention DNS failures, without their line ends.
  std::vector<std::string> dnsLines() const {
    std::vector<std::string> lines;
    for (auto line : sink_->last_formatted()) {
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.find("dns: ") != std::string::npos) lines.push_back(line);
    }
    return lines;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

class ResolverFailureLog : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<test::DnsmasqServer>(
        std::vector<std::string>{"host-record=mail.example.test,192.0.2.10"});
    DnsConfig config;
    config.servers = {server_->address()};
    config.timeout = std::chrono::milliseconds(200);
    config.attempts = 1;
    config.failure_log_interval = kInterval;
    resolver_ = std::make_unique<CaresResolver>(io_.get_executor(), config);
  }
  void TearDown() override {
    resolver_.reset();
    server_.reset();
  }

  std::vector<Answer> lookUp(std::vector<Question> questions) {
    std::optional<std::vector<Answer>> answers;
    asio::co_spawn(
        io_,
        [&]() -> awaitable<void> { answers = co_await queryAll(*resolver_, std::move(questions)); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    while (!answers) {
      if (io_.run_one() == 0) io_.restart();
    }
    return *answers;
  }

  // Runs the event loop (its timers included) for `duration`.
  void runFor(std::chrono::milliseconds duration) {
    auto guard = asio::make_work_guard(io_);
    io_.run_for(duration);
    guard.reset();
    io_.restart();
  }

  std::string server() const { return "(server " + server_->address() + ")"; }

  CapturedLog log_;
  asio::io_context io_;
  std::unique_ptr<test::DnsmasqServer> server_;
  std::unique_ptr<CaresResolver> resolver_;
};

TEST_F(ResolverFailureLog, AnOutageIsOneLineWithTheCount) {
  ASSERT_EQ(lookUp({{"mail.example.test", RrType::A}}).front().status, Status::Ok);
  server_->pause();
  auto answers = lookUp({{"a.example.test", RrType::A},
                         {"b.example.test", RrType::TXT},
                         {"c.example.test", RrType::MX}});
  for (const auto& answer : answers) EXPECT_EQ(answer.status, Status::Timeout);
  EXPECT_TRUE(log_.dnsLines().empty()) << "logged before the window closed";

  runFor(kInterval + std::chrono::milliseconds(500));
  auto lines = log_.dnsLines();
  ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
  EXPECT_THAT(lines[0], HasSubstr("warning dns: 3 queries timed out in the last "));
  EXPECT_THAT(lines[0], HasSubstr(server()));
}

TEST_F(ResolverFailureLog, FailuresAfterAWindowWaitForTheNextOrForShutdown) {
  server_->pause();
  ASSERT_EQ(lookUp({{"a.example.test", RrType::A}}).front().status, Status::Timeout);
  runFor(kInterval + std::chrono::milliseconds(500));
  ASSERT_EQ(log_.dnsLines().size(), 1u);

  auto answers = lookUp({{"b.example.test", RrType::A}, {"c.example.test", RrType::A}});
  for (const auto& answer : answers) EXPECT_EQ(answer.status, Status::Timeout);
  EXPECT_EQ(log_.dnsLines().size(), 1u);  // a new window is open, nothing logged yet

  resolver_.reset();  // shutting down logs what the open window counted
  auto lines = log_.dnsLines();
  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  EXPECT_THAT(lines[1], HasSubstr("dns: 2 queries timed out in the last 1s " + server()));
}

}  // namespace
}  // namespace portcullis::dns
