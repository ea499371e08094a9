// The decision about one message: what to do with it, why, and how to say so — the SMTP reply
// (for reject and tempfail) and the header fields to add (for tag and accept).
#pragma once

#include <string>
#include <vector>

#include "gateway/core/action.h"
#include "gateway/core/report.h"

namespace portcullis {

struct Verdict {
  Action action = Action::Accept;
  double score = 0;
  std::vector<Symbol> symbols;
  std::string reason;    // for the log line: the forced action's reason or "score"
  int smtp_code = 250;   // the reply for reject / tempfail
  std::string enhanced;  // "5.7.1"
  std::string reply_text;
  std::vector<HeaderField> headers;  // to prepend (X-Spam-*, Authentication-Results, ...)
  std::string subject_prefix;        // prepended to Subject when tagging; empty otherwise
};

}  // namespace portcullis
