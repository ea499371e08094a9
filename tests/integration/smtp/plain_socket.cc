#include "tests/integration/smtp/plain_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>

namespace portcullis::test {

PlainSocket::PlainSocket(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) close();
}

PlainSocket::PlainSocket(PlainSocket&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

PlainSocket::~PlainSocket() {
  close();
}

void PlainSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool PlainSocket::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string PlainSocket::readOnce(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return {};
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
  char buf[65536];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string PlainSocket::readReplies(size_t replies, std::chrono::milliseconds timeout,
                                     int& reads) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string text;
  reads = 0;
  while (countFinalReplies(text) < replies) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::string chunk = readOnce(left);
    if (chunk.empty()) break;
    ++reads;
    text += chunk;
  }
  return text;
}

size_t countFinalReplies(std::string_view text) {
  size_t count = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    if (end == std::string_view::npos) break;
    std::string_view line = text.substr(start, end - start);
    if (line.size() >= 4 && std::isdigit(static_cast<unsigned char>(line[0])) && line[3] == ' ') {
      ++count;
    }
    start = end + 2;
  }
  return count;
}

}  // namespace portcullis::test
