// A buffered SMTP byte stream over TCP that can switch to TLS in place (STARTTLS), used by the
// server session and the SMTP client alike. Every read and write has a deadline; a line longer
// than its limit is consumed and reported, never buffered without bound. Starting TLS discards
// whatever plaintext was already buffered (RFC 3207 §4.2: no pipelining across the handshake).
// Output may be queued (replies to pipelined commands, RFC 2920 §3.2): queued bytes leave with the
// next write, at flush(), or before any read that has to wait for the peer, so a reply is never
// held while the stream waits for input.
// Input is read into one buffer per stream that is allocated without initialisation and reused for
// every read (16 KiB at first, doubled while reads fill it, up to 64 KiB per read, more only to
// hold a long line). Plaintext writes first try the socket without waiting; reads go to Asio,
// which tries the socket at once when it may have data. A read's deadline is kept by one timer per
// stream that is rarely re-armed.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include "gateway/core/asio.h"
#include "gateway/core/envelope.h"

namespace portcullis::smtp {

enum class ReadStatus { Ok, TooLong, Timeout, Closed };

struct LineResult {
  ReadStatus status = ReadStatus::Ok;
  std::string line;  // without the line end
};

// How long close() waits for the TLS shutdown exchange before it closes the socket anyway.
inline constexpr std::chrono::milliseconds kTlsShutdownTimeout{1'000};

class Stream {
 public:
  explicit Stream(asio::ip::tcp::socket socket);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // One line ending in LF (a preceding CR is removed). A longer line is consumed up to its LF
  // and TooLong is returned.
  awaitable<LineResult> readLine(size_t max_length, std::chrono::milliseconds timeout);
  // Hands buffered bytes and then reads from the socket to `sink` until it returns that it is
  // done; `sink(bytes)` returns how many bytes it used (the rest stays buffered).
  template <typename Sink>
  awaitable<ReadStatus> readInto(Sink&& sink, std::chrono::steady_clock::time_point deadline);
  // Exactly n bytes (BDAT), appended to `out` while out stays under `keep` bytes (the rest is
  // read and dropped, so a too-large chunk does not lose the stream).
  awaitable<ReadStatus> readExactly(uint64_t n, std::string& out, uint64_t keep,
                                    std::chrono::milliseconds timeout);
  // Writes the queued output and then `data`, in one write.
  awaitable<bool> write(std::string_view data, std::chrono::milliseconds timeout);
  // Writes the queued output, `head` and `tail`, in one write (a gather write: nothing is copied).
  awaitable<bool> write(std::string_view head, std::string_view tail,
                        std::chrono::milliseconds timeout);
  // Appends `data` to the queued output; `timeout` bounds the write that later sends it.
  void queue(std::string_view data, std::chrono::milliseconds timeout);
  // Writes the queued output, if any.
  awaitable<bool> flush();

  awaitable<bool> startTlsServer(asio::ssl::context& ctx, std::chrono::milliseconds timeout);
  awaitable<bool> startTlsClient(asio::ssl::context& ctx, const std::string& server_name,
                                 bool verify, std::chrono::milliseconds timeout);
  std::optional<TlsInfo> tlsInfo() const;
  bool hasBufferedInput() const { return start_ < end_; }
  // Without waiting: true when nothing is buffered and the peer has neither sent more nor closed
  // the connection (a look at the socket that reads nothing).
  bool peerQuiet();

  // Ends the connection. With TLS active it first sends close_notify and waits up to
  // kTlsShutdownTimeout for the peer's (RFC 8446 §6.1), so the peer sees a clean end instead of a
  // truncated stream; then it closes the socket.
  awaitable<void> close();
  // Closes the socket at once, without close_notify: after an error, or where nothing can wait.
  void abort();
  asio::ip::tcp::socket& socket() { return tls_.next_layer(); }
  std::string lastError() const { return last_error_; }

 private:
  awaitable<ReadStatus> fill(std::chrono::steady_clock::time_point deadline);
  // The deadline of a read that has to wait (see stream.cc): armed before the wait, disarmed
  // after it; disarmReadDeadline() tells whether the deadline passed.
  struct ReadDeadline;
  void armReadDeadline(const asio::any_io_executor& executor,
                       std::chrono::steady_clock::time_point deadline);
  bool disarmReadDeadline();
  // Makes at least kMinReadSpace bytes free after end_: moves the unread bytes to the front and
  // grows the buffer when that is not enough (or when the last read filled all it was offered).
  void makeReadSpace();
  std::string_view buffered() const { return {input_.get() + start_, end_ - start_}; }
  void wrapInTls(asio::ssl::context& ctx);
  awaitable<bool> handshake(asio::ssl::stream_base::handshake_type side,
                            std::chrono::milliseconds timeout);

  asio::ssl::stream<asio::ip::tcp::socket> tls_;
  bool tls_active_ = false;
  std::unique_ptr<char[]> input_;  // allocated for overwrite: never zero-filled
  size_t capacity_ = 0;
  size_t start_ = 0;               // first unread byte of input_
  size_t end_ = 0;                 // one past the last byte read
  bool last_read_filled_ = false;  // the last read took all the space it was given
  std::shared_ptr<ReadDeadline> read_deadline_;
  std::string last_error_;
  std::string queued_output_;
  std::chrono::milliseconds queued_timeout_{0};
};

template <typename Sink>
awaitable<ReadStatus> Stream::readInto(Sink&& sink,
                                       std::chrono::steady_clock::time_point deadline) {
  while (true) {
    if (start_ < end_) {
      auto [used, done] = sink(buffered());
      start_ += used;
      if (done) co_return ReadStatus::Ok;
    }
    ReadStatus status = co_await fill(deadline);
    if (status != ReadStatus::Ok) co_return status;
  }
}

}  // namespace portcullis::smtp
