// A small synchronous Redis client for the classifier's store, on hiredis: a connection opened
// with a connect timeout, commands sent pipelined (one round trip for many commands), and every
// exchange bounded: one deadline for writing all commands and reading all replies, a cap on the
// bytes a reply may take and on the elements of one array. A server that is down, slow, closes
// the connection or answers garbage is an error value naming host:port and the cause; the
// connection is then unusable and the caller opens a new one. A connection is used by one thread
// at a time (RedisConnectionPool hands them out).
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace portcullis::classifier {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::chrono::milliseconds timeout{100};  // connecting, and each exchange unless it says otherwise
  std::size_t max_reply_bytes = 8 << 20;   // all replies of one exchange together
  std::size_t max_array_elements = 1 << 20;

  std::string name() const { return host + ":" + std::to_string(port); }
};

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, ReplyDeleter>;

// One command: its arguments (binary safe).
using RedisCommand = std::vector<std::string>;

class RedisConnection {
 public:
  static Result<std::unique_ptr<RedisConnection>> open(const RedisEndpoint& endpoint);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends the commands in one write and reads one reply for each, in order. A reply that is a
  // Redis error (-ERR ...) is returned as a reply; only transport and protocol failures (and the
  // deadline: `timeout`, else the endpoint's) are errors, after which the connection is broken().
  Result<std::vector<RedisReply>> exchange(
      const std::vector<RedisCommand>& commands,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  bool broken() const { return broken_; }
  // The server had closed the connection (it restarted, or dropped an idle client).
  bool closedByServer() const { return closed_by_server_; }
  // Whether an earlier exchange on this connection succeeded (it came from the pool).
  bool reused() const { return completed_exchanges_ > 0; }

 private:
  RedisConnection(const RedisEndpoint& endpoint, redisContext* context);
  Status fail(std::string cause);
  struct Deadline {
    std::chrono::steady_clock::time_point at;
    std::chrono::milliseconds timeout;  // for the error message
  };
  Status writeAll(std::string_view bytes, const Deadline& deadline);
  Result<RedisReply> readReply(const Deadline& deadline, std::size_t& bytes_read);

  RedisEndpoint endpoint_;
  redisContext* context_;
  bool broken_ = false;
  bool closed_by_server_ = false;
  std::uint64_t completed_exchanges_ = 0;
};

// Idle connections to one endpoint, shared by the threads of a store. A thread takes one (or
// opens a new one), and gives it back when the exchange went well; a broken one is dropped. After
// a failed connect, or a new connection that failed its first exchange (a server that accepts but
// answers nothing or garbage), further connects wait out a back-off that doubles up to
// `Backoff::max`, so a broken server costs a fast error, not a timeout per message; the first
// exchange that succeeds resets it.
class RedisConnectionPool {
 public:
  struct Backoff {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{5000};
  };

  RedisConnectionPool(RedisEndpoint endpoint, Backoff backoff, std::size_t max_idle = 8);

  // Runs one pipelined exchange on a pooled connection. When an idle connection turns out to have
  // been closed by the server (a restart), the idle ones are dropped and the exchange is retried
  // once on a new connection; the store's commands are safe to repeat (learning is keyed by the
  // message digest).
  Result<std::vector<RedisReply>> exchange(
      const std::vector<RedisCommand>& commands,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  Result<std::unique_ptr<RedisConnection>> take();
  void giveBack(std::unique_ptr<RedisConnection> connection);
  void noteFailure(const std::string& error);

  RedisEndpoint endpoint_;
  Backoff backoff_;
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
  std::chrono::steady_clock::time_point next_connect_{};
  std::chrono::milliseconds current_backoff_{0};
  std::string last_error_;
};

// A reply's text when it is a status, error or bulk string; empty otherwise.
std::string_view replyText(const redisReply& reply);

}  // namespace portcullis::classifier
