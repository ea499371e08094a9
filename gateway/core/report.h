// What the checks found about one transaction: symbols (rule or check hits with scores), actions a
// check forces regardless of score (a virus, a blocked attachment, a DMARC reject), header fields
// to add, and the authentication facts later checks build on (DMARC reads SPF and DKIM results).
// A Report is shared by the checks of one transaction, which may run concurrently: every member
// function is thread-safe, and readers get copies.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/action.h"
#include "gateway/core/auth_results.h"

namespace portcullis {

struct Symbol {
  std::string name;    // rule or check name, e.g. "GTUBE", "SPF_FAIL"
  double score = 0;    // contribution to the total
  std::string detail;  // human-readable: the description, the matched text, the listing
};

// An action a check demands whatever the score; the strictest one wins.
struct ForcedAction {
  Action action = Action::Accept;
  std::string reason;      // short, for the log and (if configured) the SMTP reply
  std::string smtp_code;   // e.g. "554"; empty means the policy's default reply for the action
  std::string enhanced;    // e.g. "5.7.0"
  std::string reply_text;  // text of the reply; empty means the policy's default
};

struct HeaderField {
  std::string name;
  std::string value;
};

class Report {
 public:
  Report() = default;
  Report(const Report& other);
  Report& operator=(const Report& other);

  void addSymbol(Symbol symbol);
  void force(ForcedAction forced);
  void addHeader(HeaderField header);
  // Runs `update` on the authentication facts under the report's lock.
  template <typename F>
  void updateAuth(F&& update) {
    std::lock_guard lock(mutex_);
    update(auth_);
  }
  // Merges every finding of `other` (e.g. connection-level results into a transaction).
  void merge(const Report& other);

  std::vector<Symbol> symbols() const;
  bool hasSymbol(std::string_view name) const;
  double score() const;
  // The strictest forced action, if any; of equally strict ones, the first that was forced.
  std::optional<ForcedAction> forced() const;
  std::vector<HeaderField> headers() const;
  AuthResults auth() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Symbol> symbols_;
  std::vector<ForcedAction> forced_;
  std::vector<HeaderField> headers_;
  AuthResults auth_;
};

}  // namespace portcullis
