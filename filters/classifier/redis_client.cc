#include "filters/classifier/redis_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace portcullis::classifier {

namespace {

using Clock = std::chrono::steady_clock;

timeval toTimeval(std::chrono::milliseconds duration) {
  const auto ms = std::max<std::int64_t>(duration.count(), 1);
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

// hiredis's own reply builders, with arrays bounded: a reply announcing more elements than the
// connection allows (its limit rides in the reader's privdata) fails before anything is
// allocated for it, so a garbage "*2000000000" cannot make us reserve gigabytes.
const redisReplyObjectFunctions* default_functions = nullptr;

void* createBoundedArray(const redisReadTask* task, int elements) {
  const auto* limit = static_cast<const std::size_t*>(task->privdata);
  if (limit != nullptr && elements > 0 && static_cast<std::size_t>(elements) > *limit)
    return nullptr;  // the reader reports it as an error and stops
  return default_functions->createArray(task, elements);
}

redisReplyObjectFunctions* boundedFunctions(const redisReplyObjectFunctions* defaults) {
  static redisReplyObjectFunctions functions = [defaults] {
    default_functions = defaults;
    redisReplyObjectFunctions bounded = *defaults;
    bounded.createArray = createBoundedArray;
    return bounded;
  }();
  return &functions;
}

int remainingMs(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<std::int64_t>(left, 0));
}

// Waits until the socket is ready for `events`; false on the deadline or a poll error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const int timeout = remainingMs(deadline);
    if (timeout == 0) return false;
    pollfd descriptor{fd, events, 0};
    const int ready = poll(&descriptor, 1, timeout);
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string formatCommand(const RedisCommand& command) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(command.size());
  lengths.reserve(command.size());
  for (const auto& argument : command) {
    argv.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(),
                                            lengths.data());
  std::string bytes;
  if (length > 0) bytes.assign(formatted, static_cast<std::size_t>(length));
  redisFreeCommand(formatted);
  return bytes;
}

}  // namespace

std::string_view replyText(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return {reply.str, reply.len};
    default:
      return {};
  }
}

RedisConnection::RedisConnection(const RedisEndpoint& endpoint, redisContext* context)
    : endpoint_(endpoint), context_(context) {
  context_->reader->fn = boundedFunctions(context_->reader->fn);
  context_->reader->privdata = &endpoint_.max_array_elements;
}

RedisConnection::~RedisConnection() {
  redisFree(context_);
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisEndpoint& endpoint) {
  using R = Result<std::unique_ptr<RedisConnection>>;
  redisContext* context =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, toTimeval(endpoint.timeout));
  if (context == nullptr) return R::failure("redis " + endpoint.name() + ": out of memory");
  if (context->err != 0) {
    std::string cause = context->errstr;
    redisFree(context);
    return R::failure("redis " + endpoint.name() + ": cannot connect: " + cause);
  }
  return R::success(std::unique_ptr<RedisConnection>(new RedisConnection(endpoint, context)));
}

Status RedisConnection::fail(std::string cause) {
  broken_ = true;
  return Status::failure("redis " + endpoint_.name() + ": " + std::move(cause));
}

Status RedisConnection::writeAll(std::string_view bytes, const Deadline& deadline) {
  while (!bytes.empty()) {
    const ssize_t written =
        send(context_->fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (written > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      closed_by_server_ = true;
      return fail("the server closed the connection");
    }
    if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      return fail(std::string("cannot send: ") + std::strerror(errno));
    if (!waitFor(context_->fd, POLLOUT, deadline.at))
      return fail("timed out sending after " + std::to_string(deadline.timeout.count()) + " ms");
  }
  return Status::success();
}

Result<RedisReply> RedisConnection::readReply(const Deadline& deadline, std::size_t& bytes_read) {
  using R = Result<RedisReply>;
  for (;;) {
    void* parsed = nullptr;
    if (redisReaderGetReply(context_->reader, &parsed) != REDIS_OK) {
      const std::string cause = context_->reader->errstr;
      return R::failure(
          fail("bad reply (" +
               (cause == "Out of memory"
                    ? "an array over " + std::to_string(endpoint_.max_array_elements) + " elements"
                    : cause) +
               ")")
              .error);
    }
    if (parsed != nullptr) return R::success(RedisReply(static_cast<redisReply*>(parsed)));
    if (!waitFor(context_->fd, POLLIN, deadline.at))
      return R::failure(
          fail("no reply within " + std::to_string(deadline.timeout.count()) + " ms").error);
    char buffer[16384];
    const ssize_t received = recv(context_->fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (received == 0 || (received < 0 && errno == ECONNRESET)) {
      closed_by_server_ = true;
      return R::failure(fail("the server closed the connection").error);
    }
    if (received < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return R::failure(fail(std::string("cannot receive: ") + std::strerror(errno)).error);
    }
    bytes_read += static_cast<std::size_t>(received);
    if (bytes_read > endpoint_.max_reply_bytes)
      return R::failure(
          fail("reply larger than " + std::to_string(endpoint_.max_reply_bytes) + " bytes").error);
    if (redisReaderFeed(context_->reader, buffer, static_cast<std::size_t>(received)) != REDIS_OK)
      return R::failure(fail("out of memory reading a reply").error);
  }
}

Result<std::vector<RedisReply>> RedisConnection::exchange(
    const std::vector<RedisCommand>& commands, std::optional<std::chrono::milliseconds> timeout) {
  using R = Result<std::vector<RedisReply>>;
  if (broken_) return R::failure("redis " + endpoint_.name() + ": connection already failed");
  const auto limit = timeout.value_or(endpoint_.timeout);
  const Deadline deadline{Clock::now() + limit, limit};
  std::string request;
  for (const auto& command : commands) request += formatCommand(command);
  if (auto sent = writeAll(request, deadline); !sent) return R::failure(sent.error);
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  std::size_t bytes_read = 0;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto reply = readReply(deadline, bytes_read);
    if (!reply) return R::failure(reply.error);
    replies.push_back(std::move(*reply));
  }
  ++completed_exchanges_;
  return R::success(std::move(replies));
}

RedisConnectionPool::RedisConnectionPool(RedisEndpoint endpoint, Backoff backoff,
                                         std::size_t max_idle)
    : endpoint_(std::move(endpoint)), backoff_(backoff), max_idle_(max_idle) {}

Result<std::unique_ptr<RedisConnection>> RedisConnectionPool::take() {
  using R = Result<std::unique_ptr<RedisConnection>>;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return R::success(std::move(connection));
    }
    const auto now = Clock::now();
    if (now < next_connect_) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_connect_ - now);
      return R::failure(last_error_ + " (next attempt in " + std::to_string(wait.count()) + " ms)");
    }
  }
  auto opened = RedisConnection::open(endpoint_);
  if (!opened) noteFailure(opened.error);
  return opened;
}

void RedisConnectionPool::noteFailure(const std::string& error) {
  std::lock_guard lock(mutex_);
  current_backoff_ = current_backoff_.count() == 0 ? backoff_.initial
                                                   : std::min(current_backoff_ * 2, backoff_.max);
  next_connect_ = Clock::now() + current_backoff_;
  last_error_ = error;
}

void RedisConnectionPool::giveBack(std::unique_ptr<RedisConnection> connection) {
  std::lock_guard lock(mutex_);
  if (!connection->broken() && idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

Result<std::vector<RedisReply>> RedisConnectionPool::exchange(
    const std::vector<RedisCommand>& commands, std::optional<std::chrono::milliseconds> timeout) {
  auto connection = take();
  if (!connection) return Result<std::vector<RedisReply>>::failure(connection.error);
  auto replies = (*connection)->exchange(commands, timeout);
  if (!replies && (*connection)->closedByServer() && (*connection)->reused()) {
    {
      std::lock_guard lock(mutex_);
      idle_.clear();
    }
    connection = take();
    if (!connection) return Result<std::vector<RedisReply>>::failure(connection.error);
    replies = (*connection)->exchange(commands, timeout);
  }
  if (replies) {
    std::lock_guard lock(mutex_);
    current_backoff_ = std::chrono::milliseconds(0);
  } else if (!(*connection)->reused()) {
    // A server that accepts but then fails (silence, garbage) backs off like one that refuses.
    noteFailure(replies.error);
  }
  giveBack(std::move(*connection));
  return replies;
}

}  // namespace portcullis::classifier
