// The web console's HTTP server: Boost.Beast on an io_context and a thread of its own, so nothing
// on the SMTP path ever waits for it. HTTPS with the [tls] certificate when one is configured,
// else plain HTTP (web_config.h allows that only on loopback). Each connection is bounded: the
// request header and body sizes, the time to read a request and write its answer
// ([web] request_timeout, max_request_header, max_request_body), and the number of connections at
// once ([web] max_connections; more are closed at once).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "gateway/core/asio.h"
#include "gateway/web/console.h"
#include "gateway/web/web_config.h"

namespace portcullis::web {

class WebServer {
 public:
  // Binds config.host:config.port at once (throws std::runtime_error naming the address when it
  // cannot) and starts serving on its own thread. `tls` is required when config.https.
  WebServer(std::shared_ptr<Console> console, const WebConfig& config,
            std::shared_ptr<asio::ssl::context> tls);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  uint16_t port() const { return port_; }
  // Applies a reloaded [web] on the server's thread: the console's settings (Console::reconfigure)
  // and the connection limits. Returns what only a restart changes (the address, HTTPS, the key and
  // audit log files) when `fresh` changes it, to be logged; empty otherwise.
  std::vector<std::string> reload(const WebConfig& fresh);
  // Stops accepting, closes the connections and joins the thread (also done by the destructor).
  void stop();

 private:
  awaitable<void> acceptLoop();
  template <typename Stream>
  awaitable<void> serve(Stream& stream, std::string client);
  awaitable<void> connection(asio::ip::tcp::socket socket);

  std::shared_ptr<Console> console_;
  WebConfig config_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<uint32_t> connections_{0};
  std::thread thread_;
};

}  // namespace portcullis::web
