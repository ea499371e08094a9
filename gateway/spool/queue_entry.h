// The data model of one queue entry: the immutable message (bytes, envelope, client, arrival) and
// its mutable delivery state (per-recipient outcome, attempts, next attempt, delay notice sent).
// Plain values; the spool stores them and the queue runner decides with them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/core/envelope.h"

namespace portcullis::spool {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Everything about a queued message except its bytes. Never changes once stored.
struct MessageMeta {
  std::string id;  // a portcullis queue id (gateway/core/queue_id.h)
  TimePoint arrival;
  ClientInfo client;
  Envelope envelope;
};

// A queued message: its meta data and the message bytes (RFC 5322, CRLF line ends).
struct QueueFile {
  MessageMeta meta;
  std::string message;
};

enum class RecipientStatus {
  Pending,    // not tried yet
  Delivered,  // accepted by the next hop
  Failed,     // permanently rejected (reply holds the remote's reply)
  Delayed,    // temporarily failed, will be retried (reply holds the last reply)
};

struct RecipientState {
  RecipientStatus status = RecipientStatus::Pending;
  std::string reply;       // the remote reply as text ("550 5.1.1 No such user"); empty if none
  std::string remote_mta;  // the host that gave the reply; empty if none
  TimePoint last_attempt{};
  bool notified = false;  // a failure notice for this recipient was already queued
};

// The mutable part, one RecipientState per envelope recipient in envelope order.
struct DeliveryState {
  uint32_t attempts = 0;
  TimePoint next_attempt{};
  TimePoint last_attempt{};
  bool delay_notice_sent = false;
  std::vector<RecipientState> recipients;

  // Recipients still to be delivered (pending or delayed).
  size_t unfinished() const;
};

// The state of a message that was never tried: every recipient pending, due at arrival.
DeliveryState initialDeliveryState(const MessageMeta& meta);

std::string_view recipientStatusName(RecipientStatus status);

}  // namespace portcullis::spool
