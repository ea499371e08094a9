// The asynchronous DNS interface checks use (DNSBL, SPF, DKIM keys, DMARC policies). Resolution
// never throws for DNS outcomes: NXDOMAIN, no data, SERVFAIL and timeouts are statuses, so each
// check can map them onto its RFC's temporary or permanent error. Implementations are
// thread-safe and may be shared by all sessions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/asio.h"

namespace portcullis::dns {

enum class RrType { A, AAAA, TXT, MX, PTR };

enum class Status {
  Ok,        // records present (possibly none of the asked type: see NoData)
  NoData,    // the name exists, no records of this type
  NxDomain,  // the name does not exist
  ServFail,  // the server failed or refused: a temporary error
  Timeout,   // no answer in time: a temporary error
  Error      // malformed name, malformed answer or another local failure
};

struct MxRecord {
  uint16_t preference = 0;
  std::string host;
};

struct Answer {
  Status status = Status::Error;
  // A/AAAA: textual addresses; TXT: each record's strings concatenated; PTR: names; MX: hosts.
  std::vector<std::string> records;
  std::vector<MxRecord> mx;  // MX only, in answer order
  uint32_t ttl = 0;          // seconds; for negative answers the negative-caching TTL

  bool ok() const { return status == Status::Ok; }
  bool temporaryFailure() const { return status == Status::ServFail || status == Status::Timeout; }
};

std::string_view toString(RrType type);
std::string_view toString(Status status);

class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual awaitable<Answer> query(std::string name, RrType type) = 0;
};

}  // namespace portcullis::dns
