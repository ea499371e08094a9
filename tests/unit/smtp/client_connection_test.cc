// The SMTP client tells a reply the internal MTA sent from one it made up because there was none
// (Reply::connection_failed, counted as relay_attempts{result="error"}): nobody listening, a
// connection closed before the greeting or during the envelope, and a malformed reply are
// connection failures; a 4xx the server itself sent is not. Each case runs the client against a
// one-connection scripted server on 127.0.0.1.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "gateway/smtp/client.h"

namespace portcullis::smtp {
namespace {

using tcp = asio::ip::tcp;

// Accepts one connection, sends replies[0] (the greeting), then one reply per line it reads, and
// closes the connection when the replies run out.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> replies)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        port_(acceptor_.local_endpoint().port()) {
    thread_ = std::thread([this, replies = std::move(replies)] { serve(replies); });
  }
  ~ScriptedServer() {
    // A client that never came: a connection of our own ends the wait in accept().
    boost::system::error_code ignored;
    tcp::socket wake(io_);
    wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    thread_.join();
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  uint16_t port() const { return port_; }

 private:
  void serve(const std::vector<std::string>& replies) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec) return;
    asio::streambuf in;
    for (size_t i = 0; i < replies.size(); ++i) {
      if (i > 0) {
        size_t line = asio::read_until(socket, in, "\r\n", ec);
        if (ec) return;
        in.consume(line);
      }
      asio::write(socket, asio::buffer(replies[i]), ec);
      if (ec) return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_;
  std::thread thread_;
};

ClientSettings settingsFor(uint16_t port) {
  ClientSettings settings;
  settings.port = port;
  settings.tls = TlsMode::None;
  settings.connect_timeout = std::chrono::seconds(5);
  settings.command_timeout = std::chrono::seconds(5);
  settings.data_timeout = std::chrono::seconds(5);
  return settings;
}

void runToEnd(asio::io_context& io, awaitable<void> work) {
  asio::co_spawn(io, std::move(work), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
}

Reply connectTo(uint16_t port) {
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  Reply reply;
  auto attempt = [&]() -> awaitable<void> {
    Client client(settingsFor(port), tls);
    reply = co_await client.connect();
  };
  runToEnd(io, attempt());
  return reply;
}

// Connects, then sends one message from a@b.test to c@d.test.
TransactionResult sendTo(uint16_t port) {
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  TransactionResult result;
  auto attempt = [&]() -> awaitable<void> {
    Client client(settingsFor(port), tls);
    Reply hello = co_await client.connect();
    if (hello.code != 250) throw std::runtime_error("no session: " + hello.text);
    Envelope envelope;
    envelope.mail_from = "a@b.test";
    envelope.recipients = {{"c@d.test", "", ""}};
    result = co_await client.send(envelope, "Subject: test\r\n\r\nHello.\r\n");
  };
  runToEnd(io, attempt());
  return result;
}

constexpr const char* kGreeting = "220 mta.test ESMTP\r\n";
constexpr const char* kEhlo = "250 mta.test\r\n";

TEST(ClientConnectionFailure, NobodyListening) {
  uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  Reply reply = connectTo(port);
  EXPECT_EQ(reply.code, 451) << reply.text;
  EXPECT_TRUE(reply.connection_failed) << reply.text;
}

TEST(ClientConnectionFailure, ClosedBeforeTheGreeting) {
  ScriptedServer server({});
  Reply reply = connectTo(server.port());
  EXPECT_EQ(reply.code, 421) << reply.text;
  EXPECT_TRUE(reply.connection_failed) << reply.text;
}

TEST(ClientConnectionFailure, MalformedReply) {
  ScriptedServer server({"hello there\r\n"});
  Reply reply = connectTo(server.port());
  EXPECT_EQ(reply.enhanced, "4.5.0") << reply.text;
  EXPECT_TRUE(reply.connection_failed) << reply.text;
}

TEST(ClientConnectionFailure, ClosedDuringTheEnvelope) {
  ScriptedServer server({kGreeting, kEhlo, "250 2.1.0 Ok\r\n"});  // closes at RCPT
  TransactionResult result = sendTo(server.port());
  EXPECT_TRUE(result.mail.positive());
  EXPECT_FALSE(result.mail.connection_failed);
  ASSERT_EQ(result.recipients.size(), 1u);
  EXPECT_TRUE(result.recipients[0].connection_failed) << result.recipients[0].text;
  EXPECT_TRUE(result.data.connection_failed) << result.data.text;
}

TEST(ClientConnectionFailure, TheServersOwnRefusalIsNone) {
  ScriptedServer busy({"421 4.3.2 Too busy, try later\r\n"});
  Reply greeting = connectTo(busy.port());
  EXPECT_EQ(greeting.code, 421);
  EXPECT_EQ(greeting.text, "Too busy, try later");
  EXPECT_FALSE(greeting.connection_failed);

  ScriptedServer deferring(
      {kGreeting, kEhlo, "451 4.3.0 Try again later\r\n", "250 2.0.0 Ok\r\n", "221 Bye\r\n"});
  TransactionResult result = sendTo(deferring.port());
  EXPECT_EQ(result.data.code, 451) << result.data.text;
  EXPECT_EQ(result.data.enhanced, "4.3.0");
  EXPECT_FALSE(result.data.connection_failed);
}

}  // namespace
}  // namespace portcullis::smtp
