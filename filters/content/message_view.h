// Builds the ContentView of a parsed message (gateway/mime) and of a transaction: the message's
// texts plus what the SMTP session knows first-hand (the envelope, the client that connected to
// us), from which the relay model and SpamAssassin's pseudo-headers are derived.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "filters/content/compiled_rules.h"
#include "filters/content/content_view.h"
#include "gateway/core/transaction.h"
#include "gateway/mime/message.h"

namespace portcullis::content {

// The view points into `message`, which must outlive it.
ContentView viewOfMessage(const mime::Message& message);

// Adds the envelope and the connecting client (`local_host`: our name in our Received field);
// nothing for a transaction without a client (a file scanned offline).
void addTransactionFacts(ContentView& view, const Transaction& tx, std::string_view local_host);

// One rule that hit, as offline tools (`portcullis rules test`, `scan --explain`) show it.
struct ExplainedHit {
  std::string name;
  double score = 0;  // contribution (0 for sub-rules and unreported rules)
  bool reported = false;
  int count = 1;
  std::string description;
  std::optional<std::string> matched;   // the matched text (regex rules, when explaining)
  std::optional<std::string> evidence;  // why it hit (eval rules, when explaining)
  SourceLocation where;
};

// Scans a parsed message (and, when given, its transaction's pseudo-headers) with `rules`.
std::vector<ExplainedHit> scanMessage(const CompiledRules& rules, const mime::Message& message,
                                      bool explain, const Transaction* tx = nullptr);

}  // namespace portcullis::content
