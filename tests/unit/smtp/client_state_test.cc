// What the SMTP client knows about its connection between transactions, which proxy mode's pool
// relies on: a transaction is open from an accepted MAIL until the reply to the message (or an
// accepted RSET); a quiet server leaves the connection quiet, one that speaks unasked does not;
// and a 421 the server sends marks the client unusable while staying the server's own reply.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <thread>
#include <vector>

#include "gateway/smtp/client.h"

namespace portcullis::smtp {
namespace {

using tcp = asio::ip::tcp;

// One connection: the greeting, then for each line read the next reply of `replies` (a DATA body
// is read up to its end line as one); "" means "send nothing, close". Extra bytes in `unasked` are
// sent right after the reply at index `unasked_after`.
class ScriptedMta {
 public:
  ScriptedMta(std::vector<std::string> replies, size_t unasked_after = SIZE_MAX,
              std::string unasked = {})
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, replies = std::move(replies), unasked_after, unasked] {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      asio::write(socket, asio::buffer(std::string("220 mta.test ESMTP\r\n")), ec);
      asio::streambuf in;
      bool in_data = false;
      for (size_t i = 0; i < replies.size() && !ec; ++i) {
        std::string terminator = in_data ? "\r\n.\r\n" : "\r\n";
        size_t n = asio::read_until(socket, in, terminator, ec);
        if (ec) return;
        std::string line(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + n);
        in.consume(n);
        in_data = line.rfind("DATA", 0) == 0;
        if (replies[i].empty()) return;
        asio::write(socket, asio::buffer(replies[i]), ec);
        if (i == unasked_after) asio::write(socket, asio::buffer(unasked), ec);
      }
      // Wait for the client to close.
      asio::read(socket, in, ec);
    });
  }
  ~ScriptedMta() { thread_.join(); }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

ClientSettings clientSettingsFor(uint16_t port) {
  ClientSettings s;
  s.port = port;
  s.tls = TlsMode::None;
  s.connect_timeout = s.command_timeout = s.data_timeout = std::chrono::seconds(5);
  return s;
}

Envelope envelope() {
  Envelope e;
  e.mail_from = "a@b.test";
  e.recipients = {{"c@d.test", "", ""}};
  return e;
}

void run(awaitable<void> work) {
  asio::io_context io;
  asio::co_spawn(io, std::move(work), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
}

const std::string kOk = "250 2.0.0 Ok\r\n";

TEST(ClientState, ATransactionIsOpenFromMailToTheReplyToTheMessage) {
  ScriptedMta mta({"250 mta.test\r\n", kOk, kOk, "354 go\r\n", kOk, kOk, kOk, "250 2.0.0 reset\r\n",
                   "221 2.0.0 Bye\r\n"});
  asio::ssl::context tls(asio::ssl::context::tls_client);
  std::vector<bool> open;
  run([&]() -> awaitable<void> {
    Client client(clientSettingsFor(mta.port()), tls);
    co_await client.connect();
    open.push_back(client.transactionOpen());
    co_await client.mail(envelope());
    open.push_back(client.transactionOpen());
    co_await client.rcpt(envelope().recipients[0]);
    co_await client.data("Subject: x\r\n\r\nbody\r\n");
    open.push_back(client.transactionOpen());
    co_await client.mail(envelope());
    co_await client.rcpt(envelope().recipients[0]);
    open.push_back(client.transactionOpen());
    co_await client.rset();
    open.push_back(client.transactionOpen());
    co_await client.quit();
  }());
  EXPECT_EQ(open, (std::vector<bool>{false, true, false, true, false}));
}

TEST(ClientState, A421FromTheServerEndsTheConnectionButIsItsOwnReply) {
  ScriptedMta mta({"250 mta.test\r\n", "421 4.4.2 mta.test Error: timeout exceeded\r\n", ""});
  asio::ssl::context tls(asio::ssl::context::tls_client);
  Reply reply;
  bool usable = true;
  run([&]() -> awaitable<void> {
    Client client(clientSettingsFor(mta.port()), tls);
    co_await client.connect();
    reply = co_await client.mail(envelope());
    usable = client.usable();
  }());
  EXPECT_EQ(reply.code, 421);
  EXPECT_FALSE(reply.connection_failed);
  EXPECT_FALSE(usable);
}

TEST(ClientState, AServerThatSpeaksUnaskedLeavesTheConnectionNotQuiet) {
  // After the EHLO reply the server sends a 421 nobody asked for, as at its idle timeout.
  ScriptedMta mta({"250 mta.test\r\n", ""}, 0, "421 4.4.2 mta.test Error: timeout exceeded\r\n");
  ScriptedMta quiet({"250 mta.test\r\n", kOk});
  asio::ssl::context tls(asio::ssl::context::tls_client);
  bool spoke_quiet = true, quiet_quiet = false;
  run([&]() -> awaitable<void> {
    Client speaking(clientSettingsFor(mta.port()), tls);
    co_await speaking.connect();
    Client silent(clientSettingsFor(quiet.port()), tls);
    co_await silent.connect();
    // Let the unasked line arrive.
    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
    co_await pause.async_wait(use_awaitable);
    spoke_quiet = speaking.quietSinceLastReply();
    quiet_quiet = silent.quietSinceLastReply();
    co_await silent.quit();
  }());
  EXPECT_FALSE(spoke_quiet);
  EXPECT_TRUE(quiet_quiet);
}

}  // namespace
}  // namespace portcullis::smtp
