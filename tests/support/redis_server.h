// A private redis-server for integration tests and benchmarks: 127.0.0.1 on a port chosen at run
// time, no persistence (no RDB snapshots, no AOF), its working directory and log in a temp dir.
// stop() and start() keep the port, so a test can take the server away and bring it back;
// the destructor kills it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {

class RedisServer {
 public:
  // Starts the server; throws std::runtime_error when it cannot be started or does not answer.
  RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  uint16_t port() const { return port_; }
  const std::filesystem::path& log() const { return log_; }
  // (Re)starts the server on the same port, empty; throws like the constructor.
  void start();
  // SIGKILL: the server is gone at once, as in a crash.
  void kill();
  bool running() { return process_.running(); }

 private:
  TempDir dir_{"portcullis-redis"};
  std::filesystem::path log_;
  uint16_t port_ = 0;
  ChildProcess process_;
};

// True when a redis-server binary is on PATH (tests skip without one).
bool haveRedisServer();

}  // namespace portcullis::test
