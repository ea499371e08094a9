// Runs CPU-heavy work (Hyperscan scans, ClamAV, DKIM crypto) on the worker pool and resumes the
// calling coroutine on its own executor: I/O threads never do that work themselves.
//
// Pass a NAMED lambda, moved in: `auto work = [&]{...}; co_await offload(pool, std::move(work));`
// g++ 12 destroys a temporary lambda in a co_await expression twice, so captures with
// destructors (strings, shared_ptr) are freed twice when the lambda is written inline.
#pragma once

#include <type_traits>
#include <utility>

#include "gateway/core/asio.h"

namespace portcullis {

namespace detail {
// The work travels as a coroutine parameter (owned by the coroutine frame), never as a lambda
// capture: a capturing lambda coroutine would refer to a closure object that is gone.
template <typename Fn>
awaitable<std::invoke_result_t<Fn>> runWork(Fn fn) {
  co_return fn();
}
}  // namespace detail

template <typename Fn>
awaitable<std::invoke_result_t<Fn>> offload(asio::thread_pool& workers, Fn fn) {
  co_return co_await asio::co_spawn(workers.get_executor(), detail::runWork(std::move(fn)),
                                    use_awaitable);
}

}  // namespace portcullis
