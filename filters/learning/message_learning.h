// Learning one whole message as a file, an mbox entry, a quarantined copy or an attachment of a
// user's report holds it: parsed by the MIME parser and viewed exactly as the content engine views
// mail it classifies (ContentView, then classifierInputOf), so the tokens learnt are the tokens
// later read. Shared by `portcullis learn`, `portcullis quarantine release` and the report
// addresses. Store failures come back as values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "filters/classifier/classifier.h"
#include "gateway/mime/message.h"

namespace portcullis::learning {

using classifier::LearnOutcome;
using classifier::MessageClass;

// Learns `raw` as `cls`, or forgets it when `cls` is empty.
Result<LearnOutcome> learnMessage(const classifier::Classifier& classifier, std::string_view raw,
                                  std::optional<MessageClass> cls, const mime::Limits& limits = {});

}  // namespace portcullis::learning
