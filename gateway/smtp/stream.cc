#include "gateway/smtp/stream.h"

#include <algorithm>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace portcullis::smtp {

namespace {
constexpr size_t kReadChunk = 64 * 1024;

// An SSL context of our own is never shared with the session's: the stream only borrows it.
asio::ssl::context& placeholderContext() {
  static asio::ssl::context ctx(asio::ssl::context::tls);
  return ctx;
}
}  // namespace

Stream::Stream(asio::ip::tcp::socket socket) : tls_(std::move(socket), placeholderContext()) {}

awaitable<ReadStatus> Stream::fill(std::chrono::steady_clock::time_point deadline) {
  // The peer may be waiting for these replies before it sends more (RFC 2920 §3.2).
  if (!queued_output_.empty() && !co_await flush()) co_return ReadStatus::Closed;
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > kReadChunk) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  size_t old_size = buffer_.size();
  buffer_.resize(old_size + kReadChunk);
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  boost::system::error_code ec, timer_ec;
  size_t n = 0;
  auto buf = asio::buffer(buffer_.data() + old_size, kReadChunk);
  std::variant<size_t, std::monostate> result;
  if (tls_active_) {
    result = co_await (tls_.async_read_some(buf, asio::redirect_error(use_awaitable, ec)) ||
                       timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  } else {
    result =
        co_await (tls_.next_layer().async_read_some(buf, asio::redirect_error(use_awaitable, ec)) ||
                  timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  }
  if (result.index() == 1) {
    buffer_.resize(old_size);
    last_error_ = "timeout";
    co_return ReadStatus::Timeout;
  }
  n = std::get<0>(result);
  buffer_.resize(old_size + n);
  if (ec || n == 0) {
    last_error_ = ec ? ec.message() : "connection closed";
    co_return ReadStatus::Closed;
  }
  co_return ReadStatus::Ok;
}

awaitable<LineResult> Stream::readLine(size_t max_length, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  LineResult result;
  bool too_long = false;
  while (true) {
    std::string_view available(buffer_.data() + start_, buffer_.size() - start_);
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
      start_ = buffer_.size();
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
  std::string joined;
  if (!queued_output_.empty()) {
    joined = std::move(queued_output_);
    queued_output_.clear();
    joined.append(data);
    data = joined;
    timeout = std::max(timeout, queued_timeout_);
    queued_timeout_ = std::chrono::milliseconds(0);
  }
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  boost::system::error_code ec, timer_ec;
  std::variant<size_t, std::monostate> result;
  if (tls_active_) {
    result = co_await (
        asio::async_write(tls_, asio::buffer(data), asio::redirect_error(use_awaitable, ec)) ||
        timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  } else {
    result = co_await (asio::async_write(tls_.next_layer(), asio::buffer(data),
                                         asio::redirect_error(use_awaitable, ec)) ||
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
  buffer_.clear();  // plaintext pipelined before the handshake is never interpreted
  start_ = 0;
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
