#include "gateway/milter/milter_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <stdexcept>

namespace portcullis::milter {

namespace {

using namespace std::chrono_literals;

// How long the listener pauses after a failed accept (descriptors exhausted) before trying again.
constexpr auto kAcceptPause = 100ms;

// The largest TCP segment the MTA may send us, advertised when it connects. Postfix sizes each of
// a milter connection's two stream buffers at four times the segment size (vstream_tweak_tcp) and
// fills every buffer it frees: with loopback's 32 KiB segments, its cleanup server mapped, filled
// and unmapped 2 x 128 KiB for every message (smtpd: for every SMTP connection), about 0.17 ms of
// CPU per message here, a tenth of Postfix's own work. 4 KiB gives 16 KiB buffers, still large
// enough for its 64 KiB body chunks; a real network's segments (about 1460 bytes) are smaller
// anyway, so only loopback and jumbo-frame links see a difference.
constexpr int kMaxSegmentFromMta = 4096;

// The endpoint of "inet:PORT@HOST", "inet6:PORT@HOST", "unix:PATH" or "local:PATH" (a missing
// HOST means every address). Throws std::runtime_error when HOST does not resolve.
asio::generic::stream_protocol::endpoint endpointOf(const std::string& spec, asio::io_context& io) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon), rest = spec.substr(colon + 1);
  if (kind == "unix" || kind == "local") return asio::local::stream_protocol::endpoint(rest);
  const size_t at = rest.find('@');
  const std::string port = rest.substr(0, at);
  const std::string host = at == std::string::npos ? "" : rest.substr(at + 1);
  const auto family = kind == "inet6" ? asio::ip::tcp::v6() : asio::ip::tcp::v4();
  if (host.empty()) {
    return asio::ip::tcp::endpoint(family, static_cast<uint16_t>(std::stoi(port)));
  }
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto found = resolver.resolve(family, host, port, ec);
  if (ec || found.empty()) {
    throw std::runtime_error("milter: cannot resolve " + host + " for " + spec);
  }
  return found.begin()->endpoint();
}

}  // namespace

MilterServer::MilterServer(std::string listen_spec, ContextSource current_context,
                           MilterSettings settings)
    : listen_spec_(std::move(listen_spec)),
      current_context_(std::move(current_context)),
      settings_(settings) {
  if (!validListenSpec(listen_spec_)) {
    throw std::runtime_error("milter: invalid listen address \"" + listen_spec_ + "\"");
  }
  for (size_t i = 0; i < std::max<size_t>(1, settings_.io_threads); ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
}

MilterServer::~MilterServer() {
  stop();
}

boost::system::error_code MilterServer::listenOn(Worker& worker, const Endpoint& endpoint,
                                                 bool shared) {
  Acceptor& acceptor = worker.acceptor.emplace(worker.io);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec && shared) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    int on = 1;
    if (!ec && ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on)) {
      ec.assign(errno, boost::system::system_category());
    }
    // Accepted connections inherit both (best effort: a kernel that refuses only costs speed).
    // Each reply leaves in one write; Nagle's algorithm would only delay it.
    ::setsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_MAXSEG, &kMaxSegmentFromMta,
                 sizeof kMaxSegmentFromMta);
    ::setsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(settings_.backlog, ec);
  return ec;
}

void MilterServer::start() {
  if (started_) return;
  Endpoint endpoint = endpointOf(listen_spec_, workers_.front()->io);
  boost::system::error_code ec;
  if (endpoint.protocol().family() == AF_UNIX) {
    // A socket file left by an earlier run would make bind fail.
    unix_path_ = listen_spec_.substr(listen_spec_.find(':') + 1);
    ::unlink(unix_path_.c_str());
    ec = listenOn(*workers_.front(), endpoint, false);
  } else {
    // The claim fails where anything listens already; SO_REUSEPORT alone would join a group
    // another gateway made. It also fixes the port when the address asks for any.
    Acceptor claim(workers_.front()->io);
    claim.open(endpoint.protocol(), ec);
    if (!ec) claim.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) claim.bind(endpoint, ec);
    if (!ec) endpoint = claim.local_endpoint(ec);
    for (auto& worker : workers_) {
      if (!ec) ec = listenOn(*worker, endpoint, true);
    }
  }
  if (ec) {
    for (auto& worker : workers_) worker->acceptor.reset();
    throw std::runtime_error("milter: cannot listen on " + listen_spec_ + ": " + ec.message());
  }
  started_ = true;
  for (auto& worker : workers_) {
    if (worker->acceptor) asio::co_spawn(worker->io, accept(*worker), asio::detached);
  }
  for (auto& worker : workers_) {
    worker->thread = std::thread([&io = worker->io] { io.run(); });
  }
  spdlog::info("listening for milter connections on {}", listen_spec_);
}

awaitable<void> MilterServer::accept(Worker& home) {
  asio::steady_timer pause(home.io);
  while (!stopping_.load()) {
    boost::system::error_code ec;
    Worker& worker = unix_path_.empty() ? home : *workers_[next_worker_++ % workers_.size()];
    MilterSocket socket =
        co_await home.acceptor->async_accept(worker.io, asio::redirect_error(use_awaitable, ec));
    if (stopping_.load() || ec == asio::error::operation_aborted) break;
    if (ec) {
      spdlog::warn("milter: accept failed ({}), pausing {} ms", ec.message(),
                   std::chrono::duration_cast<std::chrono::milliseconds>(kAcceptPause).count());
      pause.expires_after(kAcceptPause);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    auto connection = std::make_shared<MilterConnection>(std::move(socket), current_context_,
                                                         settings_, unix_path_.empty());
    {
      std::lock_guard lock(connections_mutex_);
      connections_.insert(connection);
    }
    ++active_connections_;
    asio::co_spawn(connection->executor(), connection->run(),
                   [this, connection](std::exception_ptr error) {
                     if (error) {
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         spdlog::error("milter: connection ended by an error: {}", e.what());
                       }
                     }
                     std::lock_guard lock(connections_mutex_);
                     connections_.erase(connection);
                     --active_connections_;
                   });
  }
}

void MilterServer::stop() {
  if (!started_ || stopping_.exchange(true)) return;
  for (auto& worker : workers_) {
    asio::post(worker->io, [&worker = *worker] {
      boost::system::error_code ignored;
      if (worker.acceptor) worker.acceptor->close(ignored);
    });
  }
  // Connections finish their current message (each wait is bounded) before they are closed.
  auto deadline = std::chrono::steady_clock::now() + settings_.stop_grace;
  while (active_connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  {
    std::lock_guard lock(connections_mutex_);
    for (const auto& connection : connections_) connection->close();
  }
  for (auto& worker : workers_) {
    worker->work.reset();
    worker->io.stop();
  }
  for (auto& worker : workers_) worker->thread.join();
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

}  // namespace portcullis::milter
