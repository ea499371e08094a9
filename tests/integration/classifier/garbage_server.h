// A fake "Redis" on 127.0.0.1 (ephemeral port) for the store's failure tests: it accepts
// connections one at a time and answers every one the same wrong way (nonsense, a hang, an
// endless reply, ...), so a test can check that the store turns each into an error value in
// bounded time.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace portcullis::test {

enum class Misbehaviour {
  Nonsense,     // a line that is not the Redis protocol
  CloseAtOnce,  // accept, then close without a word
  Silence,      // accept, read, never answer
  HugeArray,    // announce an array of two billion elements
  EndlessBulk,  // announce a gigabyte string and keep sending bytes
  Trickle,      // a valid-looking reply, one byte every 20 ms, never finished
  WrongType,    // a valid integer reply to every command
};

class GarbageServer {
 public:
  explicit GarbageServer(Misbehaviour misbehaviour);
  ~GarbageServer();
  GarbageServer(const GarbageServer&) = delete;
  GarbageServer& operator=(const GarbageServer&) = delete;

  uint16_t port() const { return port_; }

 private:
  void serve();
  void answer(int connection);

  Misbehaviour misbehaviour_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace portcullis::test
