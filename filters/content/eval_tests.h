// The built-in `eval:` tests this engine implements: a handful of cheap, common SpamAssassin
// checks (HeaderEval, MIMEEval, BodyEval). Any other eval name is unknown: the rule is reported
// and disabled, never silently matched.
//   check_for_missing_to_header()               no To: and no Apparently-To:
//   check_illegal_chars(header, ratio, count)   8-bit bytes in a header (ALL for all)
//   subject_is_all_caps()                        a Subject of several words, all upper case
//   check_header_count_range(header, min, max)   the header occurs min..max times
//   check_body_length(max)                       rendered body shorter than max bytes
//   check_for_mime(mime_html_only | mime_missing_boundary)
#pragma once

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "filters/content/content_view.h"

namespace portcullis::content {

using EvalTest = std::function<bool(const ContentView&)>;

// The test for `name(args)`, or why it cannot be built (unknown name, bad arguments).
std::variant<EvalTest, std::string> makeEvalTest(const std::string& name,
                                                 const std::vector<std::string>& args);

}  // namespace portcullis::content
