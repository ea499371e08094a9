// An internal MTA for the proxy-mode connection tests, in the test process on 127.0.0.1: it
// accepts every message (PIPELINING, no CHUNKING; a nested MAIL gets 503 as from a real MTA) and
// counts what the gateway does with its connections (how many, how many messages each carried,
// QUITs, RSETs, closes without QUIT), and can misbehave on request: hold its QUIT replies, close
// idle connections (silently or after a 421), answer 421 to MAIL on a connection that already
// carried a message, or drop the connection after a message without answering. One thread per
// connection; everything is stopped and joined on destruction.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace portcullis::test {

struct SinkBehaviour {
  bool hold_quit = false;                // QUIT replies wait for releaseQuit()
  bool refuse_mail_when_reused = false;  // 421 and close at MAIL after a message on the connection
  bool drop_after_message = false;       // close without a reply once a message was received
};

class ScriptedSink {
 public:
  explicit ScriptedSink(SinkBehaviour behaviour = {});
  ~ScriptedSink();
  ScriptedSink(const ScriptedSink&) = delete;
  ScriptedSink& operator=(const ScriptedSink&) = delete;

  uint16_t port() const { return port_; }
  void releaseQuit();
  // Closes every connection that waits for a command between transactions, after a
  // "421 4.4.2 timeout" line when `say_421`. Returns how many were closed.
  size_t closeIdleConnections(bool say_421);

  size_t connections() const;
  size_t messages() const;  // message bodies received (answered or not)
  size_t quits() const;
  size_t resets() const;
  size_t peerClosures() const;  // connections the gateway closed without QUIT
  std::vector<size_t> messagesPerConnection() const;
  // Waits until `condition` (which may call the counters above) holds; false after `timeout`.
  bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) const;

 private:
  struct Connection {
    int fd = -1;
    size_t messages = 0;
    bool idle = false;  // waiting for a command outside a transaction
    bool closed = false;
    bool shut_by_sink = false;  // closeIdleConnections() or the destructor
  };

  void acceptLoop();
  void serve(std::shared_ptr<Connection> connection);
  // Reads one line (without CRLF) into `line`; false on close.
  bool readLine(int fd, std::string& buffer, std::string& line);
  // Wakes waitFor() and the held QUITs; called without the lock held.
  void notifyChange();

  SinkBehaviour behaviour_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool quit_released_ = false;
  std::vector<std::shared_ptr<Connection>> connections_;
  size_t messages_ = 0;
  size_t quits_ = 0;
  size_t resets_ = 0;
  size_t peer_closures_ = 0;
  size_t version_ = 0;  // counts changes, for waitFor()
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace portcullis::test
