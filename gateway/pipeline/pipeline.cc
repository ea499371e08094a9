#include "gateway/pipeline/pipeline.h"

#include <boost/asio/as_tuple.hpp>

#include <algorithm>

#include "gateway/core/text.h"

namespace portcullis {

Pipeline::Pipeline(std::vector<std::shared_ptr<const Check>> checks,
                   std::chrono::milliseconds timeout, CheckObserver observer)
    : checks_(std::move(checks)), timeout_(timeout), observer_(std::move(observer)) {
  std::stable_sort(checks_.begin(), checks_.end(), [](const auto& a, const auto& b) {
    if (a->stage() != b->stage()) return a->stage() < b->stage();
    return a->priority() < b->priority();
  });
}

bool Pipeline::hasChecks(Stage stage) const {
  return std::any_of(checks_.begin(), checks_.end(),
                     [&](const auto& c) { return c->stage() == stage; });
}

namespace {
// The check's outcome as a value: `||` below waits for the first operation that *succeeds*, so a
// check that throws must not throw through it (it would look like a timeout).
awaitable<std::exception_ptr> runCaught(const Check& check, const Transaction& tx, Report& report) {
  try {
    co_await check.run(tx, report);
  } catch (...) {
    co_return std::current_exception();
  }
  co_return nullptr;
}
}  // namespace

awaitable<void> Pipeline::runOne(const Check& check, const Transaction& tx, Report& report) const {
  auto start = std::chrono::steady_clock::now();
  CheckOutcome outcome = CheckOutcome::Ok;
  std::string error;
  try {
    asio::steady_timer deadline(co_await asio::this_coro::executor, timeout_);
    // The deadline's wait completes as a value, not an exception, when the check wins and `||`
    // cancels it: an exception per check was a measurable share of the milter's CPU.
    auto result = co_await (runCaught(check, tx, report) ||
                            deadline.async_wait(asio::as_tuple(use_awaitable)));
    if (result.index() == 1) {
      outcome = CheckOutcome::Timeout;
      error = "timed out";
    } else if (std::exception_ptr thrown = std::get<0>(result)) {
      std::rethrow_exception(thrown);
    }
  } catch (const std::exception& e) {
    outcome = CheckOutcome::Error;
    error = e.what();
  }
  if (outcome != CheckOutcome::Ok) {
    std::string symbol = toUpper(check.name()) + "_CHECK_FAILED";
    for (char& c : symbol) {
      if (c == '-' || c == '.') c = '_';
    }
    report.addSymbol({symbol, 0, error});
    if (check.failMode() == FailMode::TempFail) {
      report.force({Action::TempFail, std::string(check.name()) + " unavailable: " + error, "451",
                    "4.7.1", "Error: temporary failure in message checks, try again later"});
    }
  }
  if (observer_.finished) {
    observer_.finished(check.name(), outcome, std::chrono::steady_clock::now() - start, error);
  }
}

awaitable<void> Pipeline::run(Stage stage, const Transaction& tx, Report& report) const {
  auto it = std::find_if(checks_.begin(), checks_.end(),
                         [&](const auto& c) { return c->stage() == stage; });
  auto executor = co_await asio::this_coro::executor;
  while (it != checks_.end() && (*it)->stage() == stage) {
    int priority = (*it)->priority();
    auto group_end = std::find_if(it, checks_.end(), [&](const auto& c) {
      return c->stage() != stage || c->priority() != priority;
    });
    if (group_end - it == 1) {
      co_await runOne(**it, tx, report);
    } else {
      // Run the group concurrently; runOne never throws, so a plain counter suffices.
      auto remaining = std::make_shared<size_t>(group_end - it);
      asio::steady_timer done(executor, asio::steady_timer::time_point::max());
      for (auto c = it; c != group_end; ++c) {
        asio::co_spawn(executor, runOne(**c, tx, report), [remaining, &done](std::exception_ptr) {
          if (--*remaining == 0) done.cancel();
        });
      }
      while (*remaining > 0) {
        boost::system::error_code ec;
        co_await done.async_wait(asio::redirect_error(use_awaitable, ec));
      }
    }
    it = group_end;
  }
}

PendingChecks::PendingChecks(asio::any_io_executor executor)
    : executor_(executor), state_(std::make_shared<State>(executor)) {}

void PendingChecks::start(std::shared_ptr<const Pipeline> pipeline, Stage stage,
                          std::shared_ptr<const Transaction> snapshot,
                          std::shared_ptr<Report> report) {
  if (!pipeline->hasChecks(stage)) return;
  ++state_->running;
  auto body = [](std::shared_ptr<const Pipeline> p, Stage s, std::shared_ptr<const Transaction> tx,
                 std::shared_ptr<Report> r) -> awaitable<void> { co_await p->run(s, *tx, *r); };
  asio::co_spawn(executor_,
                 body(std::move(pipeline), stage, std::move(snapshot), std::move(report)),
                 [state = state_](std::exception_ptr) {
                   --state->running;
                   state->signal.cancel();
                 });
}

awaitable<void> PendingChecks::wait() {
  auto state = state_;
  while (state->running > 0) {
    boost::system::error_code ec;
    co_await state->signal.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

}  // namespace portcullis
