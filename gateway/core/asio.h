// The one place that pulls in Boost.Asio for the project: the `asio` namespace alias and the
// coroutine vocabulary (awaitable, use_awaitable, co_spawn, awaitable operators) every I/O file
// uses. Asio is compiled once (BOOST_ASIO_SEPARATE_COMPILATION, see asio_impl.cc) to keep builds
// fast.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

namespace portcullis {
using asio::awaitable;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;
}  // namespace portcullis
