// The plain values of the quarantine: what the gateway records with a quarantined message
// (Details), one entry as the index lists it (Entry), the list filter and the store's usage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/spool/queue_entry.h"

namespace portcullis::quarantine {

using spool::Clock;
using spool::TimePoint;

struct SymbolScore {
  std::string name;
  double score = 0;
  // What the check said about it (gateway/core/report.h Symbol::detail): a rule's description and
  // hit count, a check's evidence; empty in messages quarantined before details were kept.
  std::string detail;
};

// Why a message was quarantined, as the pipeline decided it.
struct Details {
  std::string subject;  // the decoded Subject (for the administrator's list)
  double score = 0;
  std::vector<SymbolScore> symbols;
  std::string reason;  // e.g. "score 12.3 >= 10" or a forced action's reason
};

// One quarantined message without its bytes.
struct Entry {
  std::string id;  // the queue id it had when it arrived
  TimePoint arrival;
  std::string client;  // the client's IP address
  std::string sender;  // envelope sender; empty for <>
  std::vector<std::string> recipients;
  Details details;
  uint64_t size = 0;  // bytes of the message
};

// Every set criterion must match; empty strings and nullopt match everything. Text matches are
// case-insensitive (ASCII).
struct Filter {
  std::optional<TimePoint> since;  // arrival at or after
  std::optional<TimePoint> until;  // arrival before
  std::string sender;              // envelope sender
  std::string rcpt;                // one of the recipients
  // sender and rcpt match as parts of the address ("example.org") instead of the whole address.
  bool partial_addresses = false;
  std::string subject;  // a part of the subject
  std::string symbol;   // the name of one of the symbols
  size_t offset = 0;    // skip this many (paging)
  size_t limit = 0;     // at most this many (newest first); 0: all
};

// `show`: the entry with the message's header block (up to the empty line, CRLF as stored).
struct ShownEntry {
  Entry entry;
  std::string headers;
};

// How many of the listed messages arrived in one hour (history of the web console).
struct HourCount {
  TimePoint hour;  // the start of the hour (UTC)
  uint64_t count = 0;
};

struct Usage {
  uint64_t count = 0;
  uint64_t bytes = 0;
};

}  // namespace portcullis::quarantine
