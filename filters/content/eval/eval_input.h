// What an eval test reads when it runs on one message: the message's view (texts, parsed message,
// envelope, first-hand client, authentication results), the facts computed once per message and
// only when asked (relay model, HTML structure), and the symbols other checks produced. An eval
// test answers hit or miss; when `evidence` is not null (scan --explain) it also says why it hit:
// the relay, the measure, the date difference.
#pragma once

#include <functional>
#include <string>

#include "filters/content/content_view.h"

namespace portcullis::content {

class MessageFacts;

// Looks up a symbol produced outside the rule set (e.g. SPF_FAIL from the SPF check).
using ExternalSymbols = std::function<bool(const std::string&)>;

struct EvalInput {
  const ContentView& view;
  MessageFacts& facts;
  const ExternalSymbols& external;  // may be empty
};

using EvalTest = std::function<bool(const EvalInput& input, std::string* evidence)>;

}  // namespace portcullis::content
