#include "tests/support/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace portcullis::test {

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int connectTo(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

uint16_t freeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool waitForPort(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = connectTo(port);
    if (fd >= 0) {
      close(fd);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

RawSmtpConnection::RawSmtpConnection(uint16_t port, std::chrono::milliseconds timeout)
    : fd_(connectTo(port)), timeout_(timeout) {
  if (fd_ < 0) throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
}

RawSmtpConnection::~RawSmtpConnection() {
  if (fd_ >= 0) close(fd_);
}

void RawSmtpConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

SmtpReply RawSmtpConnection::readReply() {
  SmtpReply reply;
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    size_t eol;
    while ((eol = buffer_.find("\r\n")) != std::string::npos) {
      std::string line = buffer_.substr(0, eol + 2);
      buffer_.erase(0, eol + 2);
      reply.text += line;
      if (line.size() < 6 || line[3] != '-') {
        reply.code = line.size() >= 3 ? std::atoi(line.substr(0, 3).c_str()) : 0;
        return reply;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return reply;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return reply;
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

SmtpReply RawSmtpConnection::command(std::string_view line) {
  send(std::string(line) + "\r\n");
  return readReply();
}

SmtpReply sendOneMessage(RawSmtpConnection& c, const std::string& subject) {
  SmtpReply mail = c.command("MAIL FROM:<alice@sender.test>");
  if (mail.code != 250) return mail;
  SmtpReply rcpt = c.command("RCPT TO:<bob@example.org>");
  if (rcpt.code != 250) return rcpt;
  SmtpReply data = c.command("DATA");
  if (data.code != 354) return data;
  c.send("Subject: " + subject + "\r\n\r\nbody\r\n.\r\n");
  return c.readReply();
}

}  // namespace portcullis::test
