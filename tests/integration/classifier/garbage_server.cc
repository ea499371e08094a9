#include "tests/integration/classifier/garbage_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace portcullis::test {

namespace {

bool sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Reads what the client sent within `wait_ms`; false once the client has gone.
bool drain(int fd, int wait_ms) {
  pollfd descriptor{fd, POLLIN, 0};
  if (poll(&descriptor, 1, wait_ms) <= 0) return true;
  char buffer[4096];
  return recv(fd, buffer, sizeof buffer, 0) > 0;
}

// Answers each command received with ":42". Commands are counted by their "*N" headers at line
// starts, which is exact for the tests' commands (their binary arguments hold no "\r\n*").
void answerIntegers(int fd, const std::atomic<bool>& stopping) {
  std::string pending;
  char buffer[4096];
  while (!stopping) {
    pollfd descriptor{fd, POLLIN, 0};
    if (poll(&descriptor, 1, 50) <= 0) continue;
    const ssize_t received = recv(fd, buffer, sizeof buffer, 0);
    if (received <= 0) return;
    pending.append(buffer, static_cast<std::size_t>(received));
    std::string replies;
    for (std::size_t at = 0; at < pending.size(); ++at)
      if (pending[at] == '*' && (at == 0 || (at >= 2 && pending.compare(at - 2, 2, "\r\n") == 0)))
        replies += ":42\r\n";
    pending.clear();
    if (!sendAll(fd, replies)) return;
  }
}

}  // namespace

GarbageServer::GarbageServer(Misbehaviour misbehaviour) : misbehaviour_(misbehaviour) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 ||
      bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener_, 16) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("GarbageServer: cannot listen on 127.0.0.1");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

GarbageServer::~GarbageServer() {
  stopping_ = true;
  thread_.join();
  close(listener_);
}

void GarbageServer::serve() {
  while (!stopping_) {
    pollfd descriptor{listener_, POLLIN, 0};
    if (poll(&descriptor, 1, 50) <= 0) continue;
    const int connection = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    answer(connection);
    close(connection);
  }
}

void GarbageServer::answer(int connection) {
  switch (misbehaviour_) {
    case Misbehaviour::Nonsense:
      drain(connection, 1000);
      sendAll(connection, "HELLO, I AM NOT A DATABASE\r\n");
      break;
    case Misbehaviour::CloseAtOnce:
      return;
    case Misbehaviour::Silence:
      while (!stopping_ && drain(connection, 50)) {
      }
      return;
    case Misbehaviour::HugeArray:
      drain(connection, 1000);
      sendAll(connection, "*2000000000\r\n");
      break;
    case Misbehaviour::EndlessBulk: {
      drain(connection, 1000);
      const std::string chunk(65536, 'x');
      if (!sendAll(connection, "$1000000000\r\n")) return;
      while (!stopping_ && sendAll(connection, chunk)) {
      }
      return;
    }
    case Misbehaviour::Trickle:
      drain(connection, 1000);
      for (int i = 0; !stopping_ && i < 1000; ++i) {
        if (!sendAll(connection, i == 0 ? "$" : "9")) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      return;
    case Misbehaviour::WrongType:
      answerIntegers(connection, stopping_);
      return;
  }
  // Keep the connection open until the client gives up, so only its own limits end the wait.
  while (!stopping_ && drain(connection, 50)) {
  }
}

}  // namespace portcullis::test
