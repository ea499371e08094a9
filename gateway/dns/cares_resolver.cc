#include "gateway/dns/cares_resolver.h"

#include <ares.h>
#include <poll.h>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "gateway/base/text.h"
#include "gateway/dns/answer_cache.h"
#include "gateway/dns/answer_parser.h"
#include "gateway/dns/failure_log.h"

namespace portcullis::dns {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kClassIn = 1;

Answer failure(Status status) {
  return Answer{status, {}, {}, 0};
}

// What a c-ares status means for the checks. A refused connection (ICMP port unreachable: no
// server listening) is reported as Timeout: no answer could be had, which is a temporary error.
Answer toAnswer(int status, const unsigned char* message, int length, RrType type) {
  switch (status) {
    case ARES_SUCCESS:
    case ARES_ENODATA:
    case ARES_ENOTFOUND:
      if (message && length > 0) return parseResponse(message, static_cast<size_t>(length), type);
      return failure(status == ARES_ENOTFOUND ? Status::NxDomain : Status::NoData);
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
    case ARES_ENOTIMP:
    case ARES_EFORMERR:
      return failure(Status::ServFail);
    case ARES_ETIMEOUT:
    case ARES_ECONNREFUSED:
      return failure(Status::Timeout);
    default:
      return failure(Status::Error);
  }
}

// The servers the channel asks, for log lines: "127.0.0.1:5353, [::1]:53".
std::string describeServers(ares_channel channel) {
  ares_addr_port_node* servers = nullptr;
  if (ares_get_servers_ports(channel, &servers) != ARES_SUCCESS) return {};
  std::string text;
  for (auto* s = servers; s; s = s->next) {
    char address[INET6_ADDRSTRLEN] = {};
    ares_inet_ntop(s->family, &s->addr, address, sizeof address);
    int port = s->udp_port ? s->udp_port : 53;
    if (!text.empty()) text += ", ";
    text += s->family == AF_INET6 ? fmt::format("[{}]:{}", address, port)
                                  : fmt::format("{}:{}", address, port);
  }
  ares_free_data(servers);
  return text;
}

void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (int rc = ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS)
      throw std::runtime_error(std::string("c-ares: ") + ares_strerror(rc));
  });
}

}  // namespace

std::string normalizeName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return {};
  for (auto label : split(name, '.')) {
    if (label.empty() || label.size() > 63) return {};
  }
  return toLower(name);
}

struct CaresResolver::Impl : std::enable_shared_from_this<Impl> {
  struct Request {
    Impl* owner;
    std::string name;
    RrType type;
    Clock::time_point started;
    asio::any_io_executor completion_executor;
    asio::any_completion_handler<void(Answer)> handler;
  };

  // One socket c-ares asked us to watch; `closed` once c-ares let go of it.
  struct Watcher {
    explicit Watcher(const asio::strand<asio::any_io_executor>& strand) : descriptor(strand) {}
    asio::posix::stream_descriptor descriptor;
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;
    bool closed = false;
  };

  Impl(asio::any_io_executor executor, const DnsConfig& config, prometheus::Registry* metrics)
      : strand(asio::make_strand(executor)),
        timer(strand),
        failure_timer(strand),
        failure_log_interval(config.failure_log_interval),
        cache(
            CachePolicy{config.cache_entries, config.min_ttl, config.max_ttl, config.negative_ttl}),
        stats(metrics),
        max_in_flight(config.max_in_flight) {}

  void init(const DnsConfig& config) {
    initLibrary();
    ares_options options{};
    options.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    options.timeout = static_cast<int>(config.timeout.count());
    options.tries = config.attempts;
    options.sock_state_cb = &Impl::onSocketState;
    options.sock_state_cb_data = this;
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
    if (int rc = ares_init_options(&channel, &options, mask); rc != ARES_SUCCESS)
      throw std::runtime_error(std::string("c-ares: ") + ares_strerror(rc));
    if (!config.servers.empty()) {
      std::string csv;
      for (const auto& server : config.servers) csv += (csv.empty() ? "" : ",") + server;
      if (int rc = ares_set_servers_ports_csv(channel, csv.c_str()); rc != ARES_SUCCESS) {
        ares_destroy(channel);
        channel = nullptr;
        throw std::runtime_error("c-ares: bad DNS servers \"" + csv + "\": " + ares_strerror(rc));
      }
    }
    failures = FailureLog(describeServers(channel));
  }

  // Called from CaresResolver's destructor; see the lifetime note in the header.
  void shutdown() {
    for (auto& [fd, watcher] : watchers) {
      watcher->closed = true;
      watcher->descriptor.release();
    }
    watchers.clear();
    timer.cancel();
    failure_timer.cancel();
    logFailures();
    for (Request* request : waiting) complete(request, failure(Status::Error));
    waiting.clear();
    if (channel) {
      ares_channel doomed = channel;
      channel = nullptr;
      ares_destroy(doomed);  // completes every outstanding query with ARES_EDESTRUCTION
    }
  }

  // On the strand.
  void submit(Request* request) {
    if (!channel) return complete(request, failure(Status::Error));
    if (in_flight >= max_in_flight) {
      waiting.push_back(request);
      return;
    }
    ++in_flight;
    ares_query(channel, request->name.c_str(), kClassIn, wireType(request->type), &Impl::onAnswer,
               request);
    rearmTimer();
  }

  static void onAnswer(void* arg, int status, int, unsigned char* message, int length) {
    auto* request = static_cast<Request*>(arg);
    Answer answer = toAnswer(status, message, length, request->type);
    Impl* self = request->owner;
    auto now = Clock::now();
    if (status != ARES_EDESTRUCTION) {
      self->stats.recordQuery(request->type, answer.status, now - request->started);
      self->cache.store(request->name, request->type, answer, now);
      if (self->failures.record(answer.status, now)) self->closeFailureWindowLater();
    }
    --self->in_flight;
    complete(request, std::move(answer));
    while (self->channel && !self->waiting.empty() && self->in_flight < self->max_in_flight) {
      Request* next = self->waiting.front();
      self->waiting.pop_front();
      self->submit(next);
    }
  }

  static void complete(Request* request, Answer answer) {
    std::unique_ptr<Request> owned(request);
    asio::post(owned->completion_executor,
               [handler = std::move(owned->handler), answer = std::move(answer)]() mutable {
                 std::move(handler)(std::move(answer));
               });
  }

  static void onSocketState(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Impl*>(data)->watch(fd, readable != 0, writable != 0);
  }

  void watch(int fd, bool readable, bool writable) {
    if (!readable && !writable) {
      if (auto it = watchers.find(fd); it != watchers.end()) {
        it->second->closed = true;
        it->second->descriptor.release();  // c-ares closes the socket itself
        watchers.erase(it);
      }
      return;
    }
    auto& watcher = watchers[fd];
    if (!watcher) {
      watcher = std::make_shared<Watcher>(strand);
      boost::system::error_code ec;
      watcher->descriptor.assign(fd, ec);  // no exception may cross c-ares' C frames
      if (ec) {
        watchers.erase(fd);  // unwatched: c-ares' own timeout ends its queries
        return;
      }
    }
    watcher->want_read = readable;
    watcher->want_write = writable;
    arm(watcher);
  }

  // Asio's epoll reactor is edge-triggered and a wait is never satisfied speculatively: readiness
  // that arrives while no wait is pending (between c-ares draining the socket and the next wait)
  // would be lost. So after arming, the socket is polled once and, if already ready, processed.
  void arm(const std::shared_ptr<Watcher>& watcher) {
    short missed = 0;
    if (watcher->want_read && !watcher->reading) {
      watcher->reading = true;
      missed |= POLLIN;
      watcher->descriptor.async_wait(
          asio::posix::descriptor_base::wait_read,
          [self = shared_from_this(), watcher](boost::system::error_code ec) {
            watcher->reading = false;
            if (!ec) self->process(watcher, true);
          });
    }
    if (watcher->want_write && !watcher->writing) {
      watcher->writing = true;
      missed |= POLLOUT;
      watcher->descriptor.async_wait(
          asio::posix::descriptor_base::wait_write,
          [self = shared_from_this(), watcher](boost::system::error_code ec) {
            watcher->writing = false;
            if (!ec) self->process(watcher, false);
          });
    }
    if (!missed) return;
    pollfd ready{watcher->descriptor.native_handle(), missed, 0};
    if (poll(&ready, 1, 0) <= 0) return;
    bool readable = ready.revents & POLLIN, writable = ready.revents & POLLOUT;
    if (readable || writable) {
      asio::post(strand, [self = shared_from_this(), watcher, readable] {
        self->process(watcher, readable);
      });
    }
  }

  // On the strand: lets c-ares read (or write) the socket, then waits for it again.
  void process(const std::shared_ptr<Watcher>& watcher, bool read) {
    if (watcher->closed || !channel) return;
    int fd = watcher->descriptor.native_handle();
    ares_process_fd(channel, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
    if (!watcher->closed) arm(watcher);
    rearmTimer();
  }

  // On the strand: the failures counted since the window opened are logged when it closes.
  void closeFailureWindowLater() {
    failure_timer.expires_after(failure_log_interval);
    failure_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->logFailures();
    });
  }

  void logFailures() {
    for (const auto& line : failures.close(Clock::now())) spdlog::warn("{}", line);
  }

  // Wakes c-ares when its next retransmission or timeout is due.
  void rearmTimer() {
    if (!channel) return;
    timeval max_wait{60, 0}, next{};
    timeval* due = ares_timeout(channel, &max_wait, &next);
    if (in_flight == 0 || !due) {
      timer.cancel();
      return;
    }
    timer.expires_after(std::chrono::seconds(due->tv_sec) +
                        std::chrono::microseconds(due->tv_usec));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || !self->channel) return;
      ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      self->rearmTimer();
    });
  }

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;
  asio::steady_timer failure_timer;
  Clock::duration failure_log_interval;
  FailureLog failures;
  ares_channel channel = nullptr;
  AnswerCache cache;
  DnsStats stats;
  size_t max_in_flight;
  size_t in_flight = 0;
  std::deque<Request*> waiting;
  std::unordered_map<int, std::shared_ptr<Watcher>> watchers;
};

CaresResolver::CaresResolver(asio::any_io_executor executor, const DnsConfig& config,
                             prometheus::Registry* metrics)
    : impl_(std::make_shared<Impl>(std::move(executor), config, metrics)) {
  impl_->init(config);
}

CaresResolver::~CaresResolver() {
  impl_->shutdown();
}

const DnsStats& CaresResolver::stats() const {
  return impl_->stats;
}

size_t CaresResolver::cachedAnswers() const {
  return impl_->cache.size();
}

awaitable<Answer> CaresResolver::query(std::string name, RrType type) {
  std::string normalized = normalizeName(name);
  if (normalized.empty()) co_return failure(Status::Error);
  if (auto hit = impl_->cache.find(normalized, type, Clock::now())) {
    impl_->stats.recordCacheHit(type);
    co_return *hit;
  }
  // The initiation is a named local and the result is stored before co_return: g++ 12 destroys
  // temporaries of a co_await expression twice.
  auto initiation = [impl = impl_, normalized, type](auto handler) {
    auto executor = asio::get_associated_executor(handler, impl->strand);
    auto* request =
        new Impl::Request{impl.get(), normalized, type, Clock::now(), executor, std::move(handler)};
    asio::post(impl->strand, [impl, request] { impl->submit(request); });
  };
  Answer answer = co_await asio::async_initiate<decltype(use_awaitable), void(Answer)>(
      initiation, use_awaitable);
  co_return answer;
}

}  // namespace portcullis::dns
