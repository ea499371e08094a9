#include "gateway/smtp/stream.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace portcullis::smtp {

namespace {
// The first buffer of a stream, the most one read asks for, and the least it is offered.
constexpr size_t kInitialInput = 16 * 1024;
constexpr size_t kMaxReadChunk = 64 * 1024;
constexpr size_t kMinReadSpace = 4 * 1024;

// An SSL context of our own is never shared with the session's: the stream only borrows it.
asio::ssl::context& placeholderContext() {
  static asio::ssl::context ctx(asio::ssl::context::tls);
  return ctx;
}
}  // namespace

// The deadline of the read that waits, if one does. One timer serves every read of the stream:
// reads only note their deadline, and the timer is re-armed only when a read's deadline comes
// before the timer's expiry, or when it fired while a later deadline was pending. When it fires
// for the read that waits, it cancels the socket's pending operation. Its handler runs on the
// executor of the coroutine that armed it; a stream that changes hands (a pooled connection lent
// to another session's strand) gets a fresh ReadDeadline, so a late handler only ever sees the
// state of its own owner, and finds no read waiting.
struct Stream::ReadDeadline : std::enable_shared_from_this<ReadDeadline> {
  ReadDeadline(const asio::any_io_executor& executor, asio::ip::tcp::socket* socket)
      : executor(executor), timer(executor), socket(socket) {}

  void arm(std::chrono::steady_clock::time_point expiry) {
    timer.expires_at(expiry);
    armed = true;
    timer.async_wait(asio::bind_executor(
        executor,
        [self = shared_from_this()](const boost::system::error_code& ec) { self->fired(ec); }));
  }

  void fired(const boost::system::error_code& ec) {
    if (ec) return;  // superseded by a nearer deadline, or the stream went away
    armed = false;
    // No read waits (the handler of an earlier owner never gets further, so it never reads
    // `socket`, which the present owner may clear); the next read arms the timer again.
    if (!waiting_until || !socket) return;
    if (std::chrono::steady_clock::now() < *waiting_until) {
      arm(*waiting_until);
      return;
    }
    expired = true;
    boost::system::error_code ignored;
    socket->cancel(ignored);
  }

  asio::any_io_executor executor;
  asio::steady_timer timer;
  asio::ip::tcp::socket* socket;  // null once the stream is gone
  std::optional<std::chrono::steady_clock::time_point> waiting_until;
  bool armed = false;
  bool expired = false;
};

Stream::Stream(asio::ip::tcp::socket socket) : tls_(std::move(socket), placeholderContext()) {
  // Writes try the socket without waiting first.
  boost::system::error_code ec;
  tls_.next_layer().non_blocking(true, ec);
}

Stream::~Stream() {
  if (read_deadline_) {
    read_deadline_->socket = nullptr;
    read_deadline_->timer.cancel();
  }
}

void Stream::armReadDeadline(const asio::any_io_executor& executor,
                             std::chrono::steady_clock::time_point deadline) {
  if (!read_deadline_ || read_deadline_->executor != executor) {
    if (read_deadline_) read_deadline_->timer.cancel();
    read_deadline_ = std::make_shared<ReadDeadline>(executor, &socket());
  }
  ReadDeadline& d = *read_deadline_;
  d.waiting_until = deadline;
  d.expired = false;
  if (!d.armed || d.timer.expiry() > deadline) d.arm(deadline);
}

bool Stream::disarmReadDeadline() {
  read_deadline_->waiting_until.reset();
  return read_deadline_->expired;
}

void Stream::makeReadSpace() {
  if (start_ == end_) start_ = end_ = 0;
  bool grow = last_read_filled_ && capacity_ < kMaxReadChunk;
  if (!grow && capacity_ - end_ >= kMinReadSpace) return;
  if (start_ > 0) {
    std::memmove(input_.get(), input_.get() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (!grow && capacity_ - end_ >= kMinReadSpace) return;
  size_t capacity = std::max(kInitialInput, capacity_ * 2);
  while (capacity - end_ < kMinReadSpace) capacity *= 2;
  auto larger = std::make_unique_for_overwrite<char[]>(capacity);
  if (end_ > 0) std::memcpy(larger.get(), input_.get(), end_);
  input_ = std::move(larger);
  capacity_ = capacity;
}

awaitable<ReadStatus> Stream::fill(std::chrono::steady_clock::time_point deadline) {
  // The peer may be waiting for these replies before it sends more (RFC 2920 §3.2).
  if (!queued_output_.empty() && !co_await flush()) co_return ReadStatus::Closed;
  makeReadSpace();
  size_t space = std::min(capacity_ - end_, kMaxReadChunk);
  auto buf = asio::buffer(input_.get() + end_, space);
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  // Asio reads at once when the socket may have data, else queues the read with the reactor; a
  // wait for readiness first (async_wait) would cost an epoll_ctl per wait.
  armReadDeadline(executor, deadline);
  size_t n = 0;
  if (tls_active_) {
    n = co_await tls_.async_read_some(buf, asio::redirect_error(use_awaitable, ec));
  } else {
    n = co_await socket().async_read_some(buf, asio::redirect_error(use_awaitable, ec));
  }
  bool timed_out = disarmReadDeadline();
  if (timed_out) {
    last_error_ = "timeout";
    co_return ReadStatus::Timeout;
  }
  if (ec || n == 0) {
    last_error_ = ec ? ec.message() : "connection closed";
    co_return ReadStatus::Closed;
  }
  end_ += n;
  last_read_filled_ = n == space;
  co_return ReadStatus::Ok;
}

awaitable<LineResult> Stream::readLine(size_t max_length, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  LineResult result;
  bool too_long = false;
  while (true) {
    std::string_view available = buffered();
    size_t lf = available.find('\n');
    if (lf != std::string_view::npos) {
      if (!too_long) {
        std::string_view line = available.substr(0, lf);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > max_length) {
          too_long = true;
        } else {
          result.line.assign(line);
        }
      }
      start_ += lf + 1;
      result.status = too_long ? ReadStatus::TooLong : ReadStatus::Ok;
      if (too_long) result.line.clear();
      co_return result;
    }
    if (available.size() > max_length + 1) {
      // Drop what we have; keep reading until the line ends.
      too_long = true;
      start_ = end_;
    }
    ReadStatus status = co_await fill(deadline);
    if (status != ReadStatus::Ok) {
      result.status = status;
      co_return result;
    }
  }
}

awaitable<ReadStatus> Stream::readExactly(uint64_t n, std::string& out, uint64_t keep,
                                          std::chrono::milliseconds timeout) {
  if (n == 0) co_return ReadStatus::Ok;  // "BDAT 0 LAST": nothing to wait for
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint64_t remaining = n;
  co_return co_await readInto(
      [&](std::string_view bytes) -> std::pair<size_t, bool> {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, bytes.size()));
        uint64_t room = out.size() < keep ? keep - out.size() : 0;
        out.append(bytes.data(), static_cast<size_t>(std::min<uint64_t>(take, room)));
        remaining -= take;
        return {take, remaining == 0};
      },
      deadline);
}

void Stream::queue(std::string_view data, std::chrono::milliseconds timeout) {
  queued_output_.append(data);
  queued_timeout_ = std::max(queued_timeout_, timeout);
}

awaitable<bool> Stream::flush() {
  if (queued_output_.empty()) co_return true;
  std::string pending = std::move(queued_output_);
  queued_output_.clear();
  auto timeout = queued_timeout_;
  queued_timeout_ = std::chrono::milliseconds(0);
  co_return co_await write(pending, timeout);
}

awaitable<bool> Stream::write(std::string_view data, std::chrono::milliseconds timeout) {
  return write(data, std::string_view(), timeout);  // not a coroutine: no frame of its own
}

awaitable<bool> Stream::write(std::string_view head, std::string_view tail,
                              std::chrono::milliseconds timeout) {
  std::string queued = std::move(queued_output_);
  queued_output_.clear();
  if (!queued.empty()) timeout = std::max(timeout, queued_timeout_);
  queued_timeout_ = std::chrono::milliseconds(0);
  std::array<asio::const_buffer, 3> parts{asio::buffer(queued), asio::buffer(head),
                                          asio::buffer(tail)};
  boost::system::error_code ec, timer_ec;
  if (!tls_active_) {
    // Usually the socket takes it all at once (one sendmsg), and nothing needs to wait.
    size_t sent = socket().write_some(parts, ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      last_error_ = ec.message();
      co_return false;
    }
    ec.clear();
    for (auto& part : parts) {
      size_t used = std::min(sent, part.size());
      part += used;
      sent -= used;
    }
    if (asio::buffer_size(parts) == 0) co_return true;
  }
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  std::variant<size_t, std::monostate> result;
  if (tls_active_) {
    result = co_await (asio::async_write(tls_, parts, asio::redirect_error(use_awaitable, ec)) ||
                       timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  } else {
    result = co_await (
        asio::async_write(tls_.next_layer(), parts, asio::redirect_error(use_awaitable, ec)) ||
        timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  }
  if (result.index() == 1) {
    last_error_ = "write timeout";
    co_return false;
  }
  if (ec) {
    last_error_ = ec.message();
    co_return false;
  }
  co_return true;
}

void Stream::wrapInTls(asio::ssl::context& ctx) {
  start_ = end_ = 0;  // plaintext pipelined before the handshake is never interpreted
  tls_ = asio::ssl::stream<asio::ip::tcp::socket>(std::move(tls_.next_layer()), ctx);
}

awaitable<bool> Stream::handshake(asio::ssl::stream_base::handshake_type side,
                                  std::chrono::milliseconds timeout) {
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  boost::system::error_code ec, timer_ec;
  auto result = co_await (tls_.async_handshake(side, asio::redirect_error(use_awaitable, ec)) ||
                          timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  if (result.index() == 1 || ec) {
    last_error_ = result.index() == 1 ? "TLS handshake timeout" : ec.message();
    co_return false;
  }
  tls_active_ = true;
  co_return true;
}

awaitable<bool> Stream::startTlsServer(asio::ssl::context& ctx, std::chrono::milliseconds timeout) {
  wrapInTls(ctx);
  co_return co_await handshake(asio::ssl::stream_base::server, timeout);
}

awaitable<bool> Stream::startTlsClient(asio::ssl::context& ctx, const std::string& server_name,
                                       bool verify, std::chrono::milliseconds timeout) {
  wrapInTls(ctx);
  SSL_set_tlsext_host_name(tls_.native_handle(), server_name.c_str());
  if (verify) {
    tls_.set_verify_mode(asio::ssl::verify_peer);
    tls_.set_verify_callback(asio::ssl::host_name_verification(server_name));
  } else {
    tls_.set_verify_mode(asio::ssl::verify_none);
  }
  co_return co_await handshake(asio::ssl::stream_base::client, timeout);
}

bool Stream::peerQuiet() {
  if (hasBufferedInput()) return false;
  if (tls_active_ && SSL_pending(tls_.native_handle()) > 0) return false;
  char byte;
  ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::optional<TlsInfo> Stream::tlsInfo() const {
  if (!tls_active_) return std::nullopt;
  SSL* ssl = const_cast<asio::ssl::stream<asio::ip::tcp::socket>&>(tls_).native_handle();
  TlsInfo info;
  info.version = SSL_get_version(ssl);
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher) {
    info.cipher = SSL_CIPHER_get_name(cipher);
    info.bits = SSL_CIPHER_get_bits(cipher, nullptr);
  }
  return info;
}

awaitable<void> Stream::close() {
  if (tls_active_) {
    tls_active_ = false;
    asio::steady_timer timer(co_await asio::this_coro::executor, kTlsShutdownTimeout);
    boost::system::error_code ec, timer_ec;
    co_await (tls_.async_shutdown(asio::redirect_error(use_awaitable, ec)) ||
              timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  }
  abort();
}

void Stream::abort() {
  boost::system::error_code ec;
  tls_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  tls_.next_layer().close(ec);
}

}  // namespace portcullis::smtp
