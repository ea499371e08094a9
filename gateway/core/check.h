// The interface every filter implements. A Check is built once from configuration, is immutable
// and is shared by all sessions at once (run() is const and must be thread-safe). It reads the
// transaction and writes its findings into the report; errors and timeouts are the pipeline's to
// handle (a NAME_CHECK_FAILED symbol and the check's fail mode), so run() may throw.
#pragma once

#include <string_view>

#include "gateway/core/action.h"
#include "gateway/core/asio.h"
#include "gateway/core/report.h"
#include "gateway/core/transaction.h"

namespace portcullis {

class Check {
 public:
  virtual ~Check() = default;
  virtual std::string_view name() const = 0;
  virtual Stage stage() const = 0;
  // Within a stage, checks of equal priority run concurrently and lower priorities finish first
  // (DMARC runs after SPF and DKIM; meta rules over every symbol run last).
  virtual int priority() const { return 0; }
  virtual FailMode failMode() const { return FailMode::Neutral; }
  virtual awaitable<void> run(const Transaction& tx, Report& report) const = 0;
};

}  // namespace portcullis
