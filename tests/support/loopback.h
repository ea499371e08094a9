// Loopback networking for integration tests (127.0.0.1 only): a free port, waiting until a port
// accepts, and a blocking raw SMTP connection for what ordinary clients cannot send (BDAT, bare
// line ends, pipelined smuggling attempts).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace portcullis::test {

// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
uint16_t freeLoopbackPort();
// True once 127.0.0.1:port accepts a TCP connection, false after `timeout`.
bool waitForPort(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(20));

struct SmtpReply {
  int code = 0;      // 0 when the connection closed or timed out
  std::string text;  // all lines, CRLF included
};

class RawSmtpConnection {
 public:
  explicit RawSmtpConnection(uint16_t port,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  RawSmtpConnection(const RawSmtpConnection&) = delete;
  RawSmtpConnection& operator=(const RawSmtpConnection&) = delete;
  ~RawSmtpConnection();

  void send(std::string_view bytes);
  // Reads one (possibly multi-line) reply.
  SmtpReply readReply();
  // send(line + CRLF), then readReply().
  SmtpReply command(std::string_view line);

 private:
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

// One message from alice@sender.test to bob@example.org, one command at a time (no pipelining),
// with `subject`; the first reply that is not the expected one, else the reply to its data.
SmtpReply sendOneMessage(RawSmtpConnection& c, const std::string& subject);

}  // namespace portcullis::test
