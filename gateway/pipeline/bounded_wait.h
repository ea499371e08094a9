// Waiting for work at most so long, for a front end whose peer cannot wait for ever (the milter:
// the MTA gives up on a silent milter). Work that outlives the wait finishes on its own, so it
// must own (or share) whatever it uses.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "gateway/core/asio.h"

namespace portcullis {

// Runs `work` on `executor` and waits for it at most `limit`; nullopt when it did not finish. The
// caller must be running on `executor` (a strand or a single-threaded io_context): the completion
// is dispatched there, so it and the wait never run at the same time.
template <typename T>
awaitable<std::optional<T>> waitAtMost(asio::any_io_executor executor, awaitable<T> work,
                                       std::chrono::milliseconds limit) {
  struct Waiting {
    explicit Waiting(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    std::optional<T> result;
  };
  auto waiting = std::make_shared<Waiting>(executor);
  waiting->timer.expires_after(limit);
  asio::co_spawn(executor, std::move(work), [waiting](std::exception_ptr error, T value) {
    if (!error) waiting->result = std::move(value);
    waiting->timer.cancel();
  });
  if (!waiting->result) {
    boost::system::error_code ignored;
    co_await waiting->timer.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
  co_return std::move(waiting->result);
}

}  // namespace portcullis
