// The stream's reads over a real loopback connection: lines longer than the first buffer arrive
// whole, a line over its limit is consumed and reported, a read that waits past its deadline
// ends with Timeout (also when a nearer deadline follows a farther one, and when the stream moved
// to another strand, as a pooled connection does), and peerQuiet() tells a silent peer from one
// that spoke or closed.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <thread>

#include "gateway/smtp/stream.h"

namespace portcullis::smtp {
namespace {

using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

// A connected pair on 127.0.0.1: `ours` is wrapped in the Stream under test, `peer` is written
// to (blocking) by the test.
struct Connection {
  explicit Connection(asio::io_context& io) : peer(io) {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer.connect(acceptor.local_endpoint());
    tcp::socket accepted(asio::make_strand(io));
    acceptor.accept(accepted);
    stream = std::make_unique<Stream>(std::move(accepted));
  }
  void send(const std::string& bytes) { asio::write(peer, asio::buffer(bytes)); }

  tcp::socket peer;
  std::unique_ptr<Stream> stream;
};

// Runs `work` on `executor` until it ends, at most `limit` (then the test fails).
void run(asio::io_context& io, const asio::any_io_executor& executor, awaitable<void> work,
         milliseconds limit = milliseconds(5'000)) {
  bool done = false;
  asio::co_spawn(executor, std::move(work), [&](std::exception_ptr e) {
    done = true;
    if (e) std::rethrow_exception(e);
  });
  io.run_for(limit);
  io.restart();
  ASSERT_TRUE(done) << "the read did not end by its deadline";
}

TEST(Stream, ReadsLinesLongerThanItsFirstBuffer) {
  asio::io_context io;
  Connection c(io);
  const std::string long_line(100'000, 'x');
  c.send(long_line + "\r\n" + std::string(5'000, 'y') + "\r\nshort\r\n");
  std::vector<LineResult> lines;
  run(io, c.stream->socket().get_executor(), [&]() -> awaitable<void> {
    lines.push_back(co_await c.stream->readLine(200'000, milliseconds(2'000)));
    lines.push_back(co_await c.stream->readLine(1'000, milliseconds(2'000)));
    lines.push_back(co_await c.stream->readLine(1'000, milliseconds(2'000)));
  }());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].status, ReadStatus::Ok);
  EXPECT_EQ(lines[0].line, long_line);
  EXPECT_EQ(lines[1].status, ReadStatus::TooLong);
  EXPECT_EQ(lines[2].status, ReadStatus::Ok);
  EXPECT_EQ(lines[2].line, "short");
}

TEST(Stream, ReadsExactlyAChunkLargerThanOneRead) {
  asio::io_context io;
  Connection c(io);
  std::string chunk;
  for (size_t i = 0; i < 150'000; ++i) chunk.push_back(static_cast<char>('a' + i % 26));
  c.send(chunk + "NEXT\r\n");
  std::string got;
  LineResult next;
  run(io, c.stream->socket().get_executor(), [&]() -> awaitable<void> {
    co_await c.stream->readExactly(chunk.size(), got, chunk.size(), milliseconds(2'000));
    next = co_await c.stream->readLine(100, milliseconds(2'000));
  }());
  EXPECT_EQ(got, chunk);
  EXPECT_EQ(next.line, "NEXT");
}

TEST(Stream, ASilentPeerTimesTheReadOut) {
  asio::io_context io;
  Connection c(io);
  LineResult result;
  run(io, c.stream->socket().get_executor(),
      [&]() -> awaitable<void> { result = co_await c.stream->readLine(100, milliseconds(100)); }());
  EXPECT_EQ(result.status, ReadStatus::Timeout);
}

// Writes `bytes` to the peer after `delay`, from the io_context, so a read has to wait for them.
void sendLater(asio::io_context& io, Connection& c, std::string bytes, milliseconds delay) {
  auto timer = std::make_shared<asio::steady_timer>(io, delay);
  timer->async_wait([timer, &c, bytes = std::move(bytes)](const boost::system::error_code& ec) {
    if (!ec) c.send(bytes);
  });
}

TEST(Stream, ANearerDeadlineAfterAFartherOneStillHolds) {
  asio::io_context io;
  Connection c(io);
  sendLater(io, c, "first\r\n", milliseconds(50));
  LineResult first, second;
  run(io, c.stream->socket().get_executor(), [&]() -> awaitable<void> {
    // The first read waits with a far deadline; the second must not wait for that one.
    first = co_await c.stream->readLine(100, milliseconds(60'000));
    second = co_await c.stream->readLine(100, milliseconds(100));
  }());
  EXPECT_EQ(first.status, ReadStatus::Ok);
  EXPECT_EQ(second.status, ReadStatus::Timeout);
}

TEST(Stream, DeadlinesFollowTheStreamToAnotherStrand) {
  asio::io_context io;
  Connection c(io);
  auto a = asio::make_strand(io);
  auto b = asio::make_strand(io);
  LineResult first, second, third;
  // On strand a, a read waits with a deadline of 300 ms and gets its line at 50 ms.
  sendLater(io, c, "one\r\n", milliseconds(50));
  run(io, a,
      [&]() -> awaitable<void> { first = co_await c.stream->readLine(100, milliseconds(300)); }());
  // On strand b, a read with a far deadline outlives a's 300 ms and gets its line at 500 ms.
  sendLater(io, c, "two\r\n", milliseconds(500));
  run(io, b, [&]() -> awaitable<void> {
    second = co_await c.stream->readLine(100, milliseconds(5'000));
    third = co_await c.stream->readLine(100, milliseconds(100));
  }());
  EXPECT_EQ(first.status, ReadStatus::Ok);
  EXPECT_EQ(second.status, ReadStatus::Ok) << "the deadline of the stream's earlier strand struck";
  EXPECT_EQ(second.line, "two");
  EXPECT_EQ(third.status, ReadStatus::Timeout);
}

TEST(Stream, PeerQuietTellsSilenceFromDataAndFromClosing) {
  asio::io_context io;
  Connection c(io);
  EXPECT_TRUE(c.stream->peerQuiet());
  c.send("421 closing\r\n");
  // Loopback delivers at once, but give the kernel a moment without relying on it.
  for (int i = 0; i < 100 && c.stream->peerQuiet(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_FALSE(c.stream->peerQuiet());

  Connection closing(io);
  closing.peer.close();
  for (int i = 0; i < 100 && closing.stream->peerQuiet(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_FALSE(closing.stream->peerQuiet());
}

}  // namespace
}  // namespace portcullis::smtp
