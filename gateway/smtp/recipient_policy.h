// Who the gateway accepts mail for: recipients in the configured local domains only (never an
// open relay: anything else is 554 5.7.1), postmaster always, and, when verification is on, only
// recipients that exist — from a configured list or by asking the internal MTA — so that the
// gateway never accepts mail it would later have to bounce (550 5.1.1 at RCPT instead).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/core/envelope.h"
#include "gateway/smtp/reply.h"

namespace portcullis::smtp {

// Asks whether a mailbox exists downstream: true, false, or nullopt when nobody could tell.
class RecipientVerifier {
 public:
  virtual ~RecipientVerifier() = default;
  virtual awaitable<std::optional<bool>> exists(const std::string& address) = 0;
};

enum class VerifyMode { None, List, Probe };

class RecipientPolicy {
 public:
  RecipientPolicy(std::vector<std::string> local_domains, std::vector<std::string> recipients,
                  VerifyMode mode, std::shared_ptr<RecipientVerifier> verifier);
  // nullopt: accept; otherwise the reply refusing the recipient.
  awaitable<std::optional<Reply>> check(const Recipient& recipient) const;
  bool isLocalDomain(std::string_view domain) const;

 private:
  std::set<std::string> domains_;
  std::set<std::string> recipients_;
  VerifyMode mode_;
  std::shared_ptr<RecipientVerifier> verifier_;
};

}  // namespace portcullis::smtp
