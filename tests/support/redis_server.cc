#include "tests/support/redis_server.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "tests/support/loopback.h"

namespace portcullis::test {

RedisServer::RedisServer() : log_(dir_ / "redis.log"), port_(freeLoopbackPort()) {
  start();
}

void RedisServer::start() {
  process_ = ChildProcess::start(
      {"redis-server", "--bind", "127.0.0.1", "--port", std::to_string(port_), "--save", "",
       "--appendonly", "no", "--dir", dir_.path().string(), "--daemonize", "no"},
      log_);
  if (!waitForPort(port_, std::chrono::seconds(20)) || !process_.running())
    throw std::runtime_error("redis-server did not start on 127.0.0.1:" + std::to_string(port_) +
                             ", see " + log_.string());
}

void RedisServer::kill() {
  process_.kill();
}

bool haveRedisServer() {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "/usr/bin:/bin");
  std::string directory;
  while (std::getline(directories, directory, ':'))
    if (!directory.empty() && access((directory + "/redis-server").c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace portcullis::test
