// The pipeline runs each check under its deadline: a check that finishes adds what it found and
// is observed Ok; one that throws or outlives the deadline adds NAME_CHECK_FAILED with the reason
// (never NAME_FAIL: SPF_FAIL is an SPF result), and a
// TempFail check also forces 451.
#include "gateway/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace portcullis {
namespace {

using namespace std::chrono_literals;

enum class Behaviour { Finish, Throw, Hang };

class ScriptedCheck : public Check {
 public:
  ScriptedCheck(std::string name, Behaviour behaviour, FailMode mode = FailMode::Neutral)
      : name_(std::move(name)), behaviour_(behaviour), mode_(mode) {}
  std::string_view name() const override { return name_; }
  Stage stage() const override { return Stage::Message; }
  FailMode failMode() const override { return mode_; }
  awaitable<void> run(const Transaction&, Report& report) const override {
    if (behaviour_ == Behaviour::Throw) throw std::runtime_error("resolver exploded");
    if (behaviour_ == Behaviour::Hang) {
      asio::steady_timer forever(co_await asio::this_coro::executor, 1h);
      co_await forever.async_wait(use_awaitable);
    }
    report.addSymbol({"FOUND_" + name_, 1, ""});
  }

 private:
  std::string name_;
  Behaviour behaviour_;
  FailMode mode_;
};

struct Observed {
  std::string check;
  CheckOutcome outcome;
  std::string error;
};

Report runPipeline(std::vector<std::shared_ptr<const Check>> checks,
                   std::vector<Observed>& observed) {
  CheckObserver observer;
  observer.finished = [&observed](std::string_view check, CheckOutcome outcome,
                                  std::chrono::nanoseconds, std::string_view error) {
    observed.push_back({std::string(check), outcome, std::string(error)});
  };
  Pipeline pipeline(std::move(checks), 50ms, observer);
  Transaction tx;
  Report report;
  asio::io_context io;
  asio::co_spawn(io, pipeline.run(Stage::Message, tx, report), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  return report;
}

TEST(Pipeline, FinishedThrowingAndHangingChecksEachGetTheirOutcome) {
  std::vector<Observed> observed;
  Report report = runPipeline({std::make_shared<ScriptedCheck>("quick", Behaviour::Finish),
                               std::make_shared<ScriptedCheck>("broken", Behaviour::Throw),
                               std::make_shared<ScriptedCheck>("slow", Behaviour::Hang)},
                              observed);
  EXPECT_TRUE(report.hasSymbol("FOUND_quick"));
  EXPECT_FALSE(report.hasSymbol("QUICK_CHECK_FAILED"));
  EXPECT_TRUE(report.hasSymbol("BROKEN_CHECK_FAILED"));
  EXPECT_TRUE(report.hasSymbol("SLOW_CHECK_FAILED"));
  EXPECT_FALSE(report.hasSymbol("SLOW_FAIL"));
  EXPECT_FALSE(report.hasSymbol("FOUND_slow"));
  EXPECT_FALSE(report.forced());
  ASSERT_EQ(observed.size(), 3u);
  for (const auto& o : observed) {
    if (o.check == "quick") {
      EXPECT_EQ(o.outcome, CheckOutcome::Ok);
    } else if (o.check == "broken") {
      EXPECT_EQ(o.outcome, CheckOutcome::Error);
      EXPECT_EQ(o.error, "resolver exploded");
    } else {
      EXPECT_EQ(o.outcome, CheckOutcome::Timeout);
      EXPECT_EQ(o.error, "timed out");
    }
  }
}

TEST(Pipeline, ATempFailCheckThatTimesOutForces451) {
  std::vector<Observed> observed;
  Report report = runPipeline(
      {std::make_shared<ScriptedCheck>("virus", Behaviour::Hang, FailMode::TempFail)}, observed);
  ASSERT_TRUE(report.forced());
  EXPECT_EQ(report.forced()->action, Action::TempFail);
  EXPECT_TRUE(report.hasSymbol("VIRUS_CHECK_FAILED"));
}

}  // namespace
}  // namespace portcullis
