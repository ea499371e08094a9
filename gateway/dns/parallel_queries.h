// Runs several DNS queries at once and waits for all of them: DNSBL zones, URI domains and other
// independent lookups finish in the time of the slowest one instead of the sum. Answers come back
// in question order; a query that failed unexpectedly answers Status::Error.
#pragma once

#include <string>
#include <vector>

#include "gateway/dns/resolver.h"

namespace portcullis::dns {

struct Question {
  std::string name;
  RrType type = RrType::A;
};

// `resolver` must outlive the queries (they keep running if the caller is cancelled).
awaitable<std::vector<Answer>> queryAll(Resolver& resolver, std::vector<Question> questions);

}  // namespace portcullis::dns
