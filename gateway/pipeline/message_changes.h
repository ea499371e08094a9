// What the gateway changes in a message it lets through (delivered, tagged or quarantined): the
// Authentication-Results field, the checks' and the verdict's fields, the removal of the gateway's
// own fields when a sender forged them, and the Subject prefix. The SMTP session applies them to
// the message it relays (composeMessage, under its Received field); the milter turns them into
// the MTA's header edits.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/report.h"
#include "gateway/core/transaction.h"
#include "gateway/core/verdict.h"
#include "gateway/pipeline/filter_context.h"

namespace portcullis {

struct HeaderChanges {
  std::optional<HeaderField> authentication_results;  // at the top, under the Received field
  std::vector<HeaderField> added;                     // the checks' fields, then the verdict's
  // True for an existing field to remove: the gateway's own names, forged copies of its A-R.
  std::function<bool(std::string_view name, std::string_view value)> remove;
  std::string subject_prefix;  // empty: the Subject stays as it is
};

HeaderChanges headerChanges(const FilterContext& ctx, const Report& report, const Verdict& verdict);

// The Received: field (RFC 5321 §4.4) for the client's hop as `hostname` took it.
HeaderField receivedField(const Transaction& tx, std::string_view hostname,
                          std::chrono::system_clock::time_point when);

// The message as it leaves the gateway: under a Received field for the client's hop as `hostname`
// took it, the changes applied.
std::string composeMessage(const HeaderChanges& changes, const Transaction& tx,
                           std::string_view hostname);

}  // namespace portcullis
