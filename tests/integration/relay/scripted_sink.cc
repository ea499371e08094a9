#include "tests/integration/relay/scripted_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace portcullis::test {

namespace {

void sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::string verbOf(const std::string& line) {
  std::string verb = line.substr(0, line.find(' '));
  for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return verb;
}

}  // namespace

ScriptedSink::ScriptedSink(SinkBehaviour behaviour) : behaviour_(behaviour) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (listener_ >= 0) ::close(listener_);
    throw std::runtime_error("scripted sink: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

ScriptedSink::~ScriptedSink() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
  acceptor_.join();
  ::close(listener_);
  {
    std::lock_guard lock(mutex_);
    for (auto& c : connections_) {
      if (c->closed) continue;
      c->shut_by_sink = true;
      ::shutdown(c->fd, SHUT_RDWR);
    }
  }
  notifyChange();
  for (auto& t : threads_) t.join();
}

void ScriptedSink::acceptLoop() {
  while (!stopping_) {
    int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_ || errno == EINVAL) return;
      continue;
    }
    auto connection = std::make_shared<Connection>();
    connection->fd = fd;
    {
      std::lock_guard lock(mutex_);
      connections_.push_back(connection);
    }
    notifyChange();
    threads_.emplace_back([this, connection] { serve(connection); });
  }
}

bool ScriptedSink::readLine(int fd, std::string& buffer, std::string& line) {
  while (true) {
    size_t lf = buffer.find('\n');
    if (lf != std::string::npos) {
      line = buffer.substr(0, lf);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      buffer.erase(0, lf + 1);
      return true;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

void ScriptedSink::serve(std::shared_ptr<Connection> connection) {
  int fd = connection->fd;
  sendAll(fd, "220 sink.test ESMTP\r\n");
  {
    std::lock_guard lock(mutex_);
    connection->idle = true;
  }
  std::string buffer, line;
  bool in_transaction = false;
  bool we_closed = false;  // by a QUIT, or as a behaviour asked for
  while (readLine(fd, buffer, line)) {
    std::string verb = verbOf(line);
    if (verb == "EHLO") {
      sendAll(fd, "250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n");
    } else if (verb == "HELO" || verb == "NOOP") {
      sendAll(fd, "250 2.0.0 Ok\r\n");
    } else if (verb == "MAIL") {
      bool refuse = false;
      {
        std::lock_guard lock(mutex_);
        refuse = behaviour_.refuse_mail_when_reused && connection->messages > 0;
        connection->idle = false;
      }
      if (refuse) {
        sendAll(fd, "421 4.4.2 sink.test Error: timeout exceeded\r\n");
        we_closed = true;
        break;
      }
      if (in_transaction) {
        sendAll(fd, "503 5.5.1 Error: nested MAIL command\r\n");
        continue;
      }
      in_transaction = true;
      sendAll(fd, "250 2.1.0 Ok\r\n");
    } else if (verb == "RCPT") {
      sendAll(fd, "250 2.1.5 Ok\r\n");
    } else if (verb == "DATA") {
      sendAll(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
      bool complete = false;
      while (readLine(fd, buffer, line)) {
        if (line == ".") {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      {
        std::lock_guard lock(mutex_);
        ++connection->messages;
        ++messages_;
        // Idle from here: once the gateway's client hears the 250 it may ask to close it.
        connection->idle = !behaviour_.drop_after_message;
      }
      notifyChange();
      in_transaction = false;
      if (behaviour_.drop_after_message) {
        we_closed = true;
        break;
      }
      sendAll(fd, "250 2.0.0 Ok: queued\r\n");
    } else if (verb == "RSET") {
      {
        std::lock_guard lock(mutex_);
        ++resets_;
        connection->idle = true;
        in_transaction = false;
      }
      notifyChange();
      sendAll(fd, "250 2.0.0 Ok\r\n");
    } else if (verb == "QUIT") {
      std::unique_lock lock(mutex_);
      ++quits_;
      ++version_;
      changed_.notify_all();
      if (behaviour_.hold_quit) {
        changed_.wait(lock, [this] { return quit_released_ || stopping_.load(); });
      }
      lock.unlock();
      sendAll(fd, "221 2.0.0 Bye\r\n");
      we_closed = true;
      break;
    } else {
      sendAll(fd, "502 5.5.2 Error: command not recognized\r\n");
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (!we_closed && !connection->shut_by_sink) ++peer_closures_;
    connection->closed = true;
    connection->idle = false;
    ::close(fd);
  }
  notifyChange();
}

void ScriptedSink::notifyChange() {
  {
    std::lock_guard lock(mutex_);
    ++version_;
  }
  changed_.notify_all();
}

void ScriptedSink::releaseQuit() {
  {
    std::lock_guard lock(mutex_);
    quit_released_ = true;
  }
  notifyChange();
}

size_t ScriptedSink::closeIdleConnections(bool say_421) {
  std::lock_guard lock(mutex_);
  size_t closed = 0;
  for (auto& c : connections_) {
    if (c->closed || !c->idle) continue;
    if (say_421) sendAll(c->fd, "421 4.4.2 sink.test Error: timeout exceeded\r\n");
    ::shutdown(c->fd, SHUT_RDWR);
    c->shut_by_sink = true;
    c->idle = false;
    ++closed;
  }
  return closed;
}

size_t ScriptedSink::connections() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

size_t ScriptedSink::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

size_t ScriptedSink::quits() const {
  std::lock_guard lock(mutex_);
  return quits_;
}

size_t ScriptedSink::peerClosures() const {
  std::lock_guard lock(mutex_);
  return peer_closures_;
}

size_t ScriptedSink::resets() const {
  std::lock_guard lock(mutex_);
  return resets_;
}

std::vector<size_t> ScriptedSink::messagesPerConnection() const {
  std::lock_guard lock(mutex_);
  std::vector<size_t> counts;
  for (const auto& c : connections_) counts.push_back(c->messages);
  return counts;
}

bool ScriptedSink::waitFor(const std::function<bool()>& condition,
                           std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t seen;
    {
      std::lock_guard lock(mutex_);
      seen = version_;
    }
    if (condition()) return true;
    std::unique_lock lock(mutex_);
    if (!changed_.wait_until(lock, deadline, [&] { return version_ != seen; })) return false;
  }
}

}  // namespace portcullis::test
