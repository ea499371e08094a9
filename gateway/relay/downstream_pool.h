// The connections of proxy mode to the internal MTA, kept open for reuse across transactions and
// sessions. A transaction borrows one (the most recently used idle one, else a new one) and gives
// it back when it ends; what happens then never delays the client: a connection with a transaction
// still open is RSET first, one that carried max_messages_per_connection messages, or finds the
// idle set full, is closed with QUIT, all in the background. An idle connection is closed after
// idle_timeout. One the internal MTA closed, or spoke on unasked (a 421 before its own timeout),
// while it waited is noticed when it would be borrowed and closed instead. The pool is safe to use
// from several I/O threads at once; a borrowed connection belongs to its borrower alone.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/smtp/client.h"
#include "gateway/smtp/reply.h"

namespace portcullis::relay {

struct DownstreamPoolLimits {
  size_t max_messages_per_connection = 100;  // then the connection is closed with QUIT
  std::chrono::milliseconds idle_timeout{10'000};
  size_t max_idle_connections = 20;  // idle connections kept; 0: every connection serves once
};

// A borrowed connection, or (client null) why none could be had: the reply that ended the attempt
// to connect.
struct DownstreamConnection {
  std::unique_ptr<smtp::Client> client;
  bool reused = false;  // it served earlier transactions (and was idle since)
  smtp::Reply reply;
};

class DownstreamPool : public std::enable_shared_from_this<DownstreamPool> {
 public:
  // `tls` may be null when TLS is off (settings.tls = none).
  static std::shared_ptr<DownstreamPool> create(smtp::ClientSettings settings,
                                                std::shared_ptr<asio::ssl::context> tls,
                                                DownstreamPoolLimits limits);

  // An idle connection that still looks alive, else a new one.
  awaitable<DownstreamConnection> borrow();
  // Always a new connection (after a borrowed one turned out to be stale).
  awaitable<DownstreamConnection> connect();
  // The borrower is done with `client`; background work (RSET, QUIT) runs on `executor`.
  void giveBack(std::unique_ptr<smtp::Client> client, const asio::any_io_executor& executor);

 private:
  struct Idle {
    std::unique_ptr<smtp::Client> client;
    std::chrono::steady_clock::time_point since;
  };

  DownstreamPool(smtp::ClientSettings settings, std::shared_ptr<asio::ssl::context> tls,
                 DownstreamPoolLimits limits);
  // Keeps a connection that has no transaction open, or closes it.
  void keep(std::unique_ptr<smtp::Client> client, const asio::any_io_executor& executor);
  // RSET, then keep: for a connection given back in the middle of a transaction.
  static awaitable<void> resetThenKeep(std::shared_ptr<DownstreamPool> self,
                                       std::unique_ptr<smtp::Client> client);
  // Closes idle connections as they pass idle_timeout; runs while any are idle.
  static awaitable<void> expireIdle(std::shared_ptr<DownstreamPool> self);
  // QUIT and close, in the background.
  static void close(std::unique_ptr<smtp::Client> client, const asio::any_io_executor& executor);

  const smtp::ClientSettings settings_;
  const std::shared_ptr<asio::ssl::context> tls_;
  const DownstreamPoolLimits limits_;
  mutable std::mutex mutex_;
  std::vector<Idle> idle_;  // oldest first
  bool expiring_ = false;   // expireIdle() is running
};

}  // namespace portcullis::relay
