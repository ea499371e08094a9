// Explains a quarantined message for the console's message page: runs the content rules the
// gateway has loaded now over the stored bytes, with --explain's detail (the text each pattern
// matched, each eval test's evidence), the way `portcullis scan --explain` does. Rules reloaded
// since the verdict may explain it differently; the page says so.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "gateway/pipeline/pipeline.h"
#include "gateway/web/message_view.h"

namespace portcullis::web {

// `current` returns the pipeline new messages run through now (null: none yet). The returned
// function never throws: a message that cannot be explained gets no evidence. It runs on the
// console's thread.
std::function<RuleEvidence(std::string_view message)> contentRuleExplainer(
    std::function<std::shared_ptr<const Pipeline>()> current);

}  // namespace portcullis::web
