#include "gateway/web/web_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <stdexcept>

namespace portcullis::web {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Counts a connection for its lifetime.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::atomic<uint32_t>& count) : count_(count) { ++count_; }
  ~ConnectionSlot() { --count_; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::atomic<uint32_t>& count_;
};

}  // namespace

WebServer::WebServer(std::shared_ptr<Console> console, const WebConfig& config,
                     std::shared_ptr<asio::ssl::context> tls)
    : console_(std::move(console)), config_(config), tls_(std::move(tls)), acceptor_(io_) {
  if (config_.https && !tls_) throw std::runtime_error("web: HTTPS needs the [tls] certificate");
  boost::system::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(config_.host, ec), config_.port);
  if (!ec) acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("web: cannot listen on " + config_.host + ":" +
                             std::to_string(config_.port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, acceptLoop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

WebServer::~WebServer() {
  stop();
}

void WebServer::stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
}

std::vector<std::string> WebServer::reload(const WebConfig& fresh) {
  // Read here, on the caller's thread: these never change after the constructor.
  std::vector<std::string> restart;
  if (fresh.host != config_.host || fresh.port != config_.port) restart.push_back("listen");
  if (fresh.https != config_.https) restart.push_back("HTTPS");
  if (fresh.link_key_file != config_.link_key_file) restart.push_back("link_key_file");
  if (fresh.audit_log != config_.audit_log) restart.push_back("audit_log");
  asio::post(io_, [this, fresh] {
    config_.max_connections = fresh.max_connections;
    config_.request_timeout = fresh.request_timeout;
    config_.max_request_body = fresh.max_request_body;
    config_.max_request_header = fresh.max_request_header;
    console_->reconfigure(fresh);
  });
  return restart;
}

awaitable<void> WebServer::acceptLoop() {
  while (true) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      spdlog::warn("web: accept: {}", ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (connections_.load() >= config_.max_connections) continue;  // closed by the destructor
    asio::co_spawn(io_, connection(std::move(socket)), asio::detached);
  }
}

awaitable<void> WebServer::connection(tcp::socket socket) {
  ConnectionSlot slot(connections_);
  boost::system::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) co_return;
  std::string client = peer.address().to_string();
  if (!config_.https) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve(stream, client);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
  beast::get_lowest_layer(stream).expires_after(config_.request_timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server,
                                  asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  co_await serve(stream, client);
  beast::get_lowest_layer(stream).expires_after(config_.request_timeout);
  co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
}

template <typename Stream>
awaitable<void> WebServer::serve(Stream& stream, std::string client) {
  beast::flat_buffer buffer;
  while (true) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(config_.max_request_header);
    parser.body_limit(config_.max_request_body);
    beast::get_lowest_layer(stream).expires_after(config_.request_timeout);
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;  // closed, timed out, or too large: nothing to answer
    const auto& request = parser.get();
    HttpRequest in;
    in.method = std::string(request.method_string());
    in.target = std::string(request.target());
    if (auto cookie = request.find(http::field::cookie); cookie != request.end()) {
      in.cookie = std::string(cookie->value());
    }
    in.body = request.body();
    in.client = client;
    HttpResponse out = console_->handle(in);
    http::response<http::string_body> response{static_cast<http::status>(out.status),
                                               request.version()};
    response.set(http::field::server, "portcullis");
    response.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response.insert(name, value);
    response.body() = request.method() == http::verb::head ? std::string() : std::move(out.body);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::redirect_error(use_awaitable, ec));
    if (ec || !response.keep_alive()) co_return;
  }
}

}  // namespace portcullis::web
