// Builds the ContentView of a parsed message (gateway/mime) and of a transaction: the message's
// texts plus the pseudo-headers SpamAssassin derives from the SMTP session (EnvelopeFrom and the
// X-Spam-Relays-* lines describing the client that connected to us, the first external relay).
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

// Adds EnvelopeFrom and X-Spam-Relays-{External,Untrusted} (SpamAssassin's relay format:
// `[ ip=... rdns=... helo=... by=... ident= envfrom=... intl=0 id=... auth=... msa=0 ]`).
void addTransactionFacts(ContentView& view, const Transaction& tx, std::string_view local_host);

// One rule that hit, as offline tools (`portcullis rules test`, `scan --explain`) show it.
struct ExplainedHit {
  std::string name;
  double score = 0;  // contribution (0 for sub-rules and unreported rules)
  bool reported = false;
  int count = 1;
  std::string description;
  std::optional<std::string> matched;  // the matched text (regex rules, when explaining)
  SourceLocation where;
};

// Scans a parsed message (and, when given, its transaction's pseudo-headers) with `rules`.
std::vector<ExplainedHit> scanMessage(const CompiledRules& rules, const mime::Message& message,
                                      bool explain, const Transaction* tx = nullptr);

}  // namespace portcullis::content
