// A private Postfix instance (own config and queue directory, logging to a file) used as a real
// SENDING MTA: its smtpd listens on a free 127.0.0.1 port and it relays everything to
// relayhost = [127.0.0.1]:relay_port. Stopped (postfix stop, then SIGKILL of its master) when the
// object goes away. Makes `dir` and its parent searchable by others (Postfix's daemons run as
// user postfix). See /work/shared/TESTING-WITH-REAL-SERVERS.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace portcullis::test {

class PostfixInstance {
 public:
  PostfixInstance(const std::filesystem::path& dir, uint16_t relay_port);
  PostfixInstance(const PostfixInstance&) = delete;
  PostfixInstance& operator=(const PostfixInstance&) = delete;
  ~PostfixInstance();

  void start();  // throws with Postfix's own message when it does not come up
  void stop();
  uint16_t port() const { return port_; }
  std::string log() const;
  bool waitForLog(std::string_view needle, std::chrono::milliseconds timeout) const;
  // Waits up to `limit` for `condition`, asking Postfix every 10 s to attempt its deferred mail
  // now (postqueue -f), as an operator would: its queue manager can skip a message that was still
  // being delivered when it looked, and then not retry it for minutes.
  bool waitFlushing(const std::function<bool()>& condition, std::chrono::seconds limit) const;

 private:
  std::filesystem::path dir_;
  uint16_t port_;
  uint16_t relay_port_;
  bool started_ = false;
};

}  // namespace portcullis::test
