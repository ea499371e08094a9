// The production Resolver: c-ares 1.18 driven by the Asio event loop. Every c-ares call runs on
// one strand (a c-ares channel is not thread-safe), sockets are watched with
// asio::posix::stream_descriptor::async_wait and c-ares' retransmission timeouts with a
// steady_timer. Answers are cached (TTL clamped by config, negative answers included), at most
// `max_in_flight` queries are outstanding (more wait in a queue), and every outcome is counted in
// stats(); timeouts and server failures are also logged, one warning with a count per kind per
// failure_log_interval (failure_log.h). query() may be called from any thread and never throws for
// DNS outcomes.
//
// Lifetime: destroy the resolver when no query() is running concurrently (e.g. after the
// io_context stopped); queries still pending then complete with Status::Error.
#pragma once

#include <memory>

#include "gateway/dns/dns_config.h"
#include "gateway/dns/dns_stats.h"
#include "gateway/dns/resolver.h"

namespace prometheus {
class Registry;
}

namespace portcullis::dns {

class CaresResolver : public Resolver {
 public:
  // Throws std::runtime_error when c-ares cannot be initialised or a server is malformed.
  CaresResolver(asio::any_io_executor executor, const DnsConfig& config,
                prometheus::Registry* metrics = nullptr);
  ~CaresResolver() override;
  CaresResolver(const CaresResolver&) = delete;
  CaresResolver& operator=(const CaresResolver&) = delete;

  awaitable<Answer> query(std::string name, RrType type) override;

  const DnsStats& stats() const;
  size_t cachedAnswers() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Lowercases a name and removes one trailing dot; empty when it cannot be a DNS name
// (empty or over-long labels, over 253 characters).
std::string normalizeName(std::string_view name);

}  // namespace portcullis::dns
