// Runs the checks of a stage against a transaction with a deadline per check and applies each
// check's fail mode: a check that throws or misses its deadline adds NAME_CHECK_FAILED (never
// NAME_FAIL, which a check may use for a result: SPF_FAIL), is reported to the observer (metrics,
// one log line) and, in fail mode tempfail, forces a temporary failure. It never ends the session.
// Within a stage, checks of one priority run concurrently, priorities in order.
// Immutable after construction and shared by every session; a reload builds a new Pipeline.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/core/check.h"

namespace portcullis {

enum class CheckOutcome { Ok, Error, Timeout };

struct CheckObserver {
  // Called once per check run, from the session's executor.
  std::function<void(std::string_view check, CheckOutcome, std::chrono::nanoseconds elapsed,
                     std::string_view error)>
      finished;
};

class Pipeline {
 public:
  Pipeline(std::vector<std::shared_ptr<const Check>> checks, std::chrono::milliseconds timeout,
           CheckObserver observer = {});

  awaitable<void> run(Stage stage, const Transaction& tx, Report& report) const;
  bool hasChecks(Stage stage) const;
  const std::vector<std::shared_ptr<const Check>>& checks() const { return checks_; }

 private:
  awaitable<void> runOne(const Check& check, const Transaction& tx, Report& report) const;

  std::vector<std::shared_ptr<const Check>> checks_;  // sorted by stage, then priority
  std::chrono::milliseconds timeout_;
  CheckObserver observer_;
};

// Checks started at one stage and awaited later (DNS-bound checks start at connect or MAIL and
// finish while the client is still talking). The snapshot of the transaction and the report live
// until the checks finish, even if the session ends first.
class PendingChecks {
 public:
  explicit PendingChecks(asio::any_io_executor executor);
  void start(std::shared_ptr<const Pipeline> pipeline, Stage stage,
             std::shared_ptr<const Transaction> snapshot, std::shared_ptr<Report> report);
  // Completes when every started check has finished (each has its own deadline).
  awaitable<void> wait();
  bool idle() const { return state_->running == 0; }

 private:
  struct State {
    explicit State(asio::any_io_executor ex) : signal(ex, asio::steady_timer::time_point::max()) {}
    size_t running = 0;
    asio::steady_timer signal;  // cancelled whenever a check finishes
  };
  asio::any_io_executor executor_;
  std::shared_ptr<State> state_;
};

}  // namespace portcullis
