// Runs CPU-heavy work (Hyperscan scans, ClamAV, DKIM crypto) on the worker pool and resumes the
// calling coroutine on its own executor: I/O threads never do that work themselves.
#pragma once

#include <type_traits>
#include <utility>

#include "gateway/core/asio.h"

namespace portcullis {

template <typename Fn>
awaitable<std::invoke_result_t<Fn>> offload(asio::thread_pool& workers, Fn fn) {
  co_return co_await asio::co_spawn(
      workers.get_executor(),
      [fn = std::move(fn)]() mutable -> awaitable<std::invoke_result_t<Fn>> { co_return fn(); },
      use_awaitable);
}

}  // namespace portcullis
