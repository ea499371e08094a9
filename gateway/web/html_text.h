// Untrusted text made safe to place in HTML: the five HTML metacharacters escaped, invalid UTF-8,
// control characters and bidirectional overrides shown as U+FFFD, and the text cut after a number
// of characters with an ellipsis. Every value the console shows from a message, an envelope or a
// request goes through escapeHtml; nothing from them is ever placed in HTML unescaped.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace portcullis::web {

struct ShowOptions {
  size_t max_chars = std::numeric_limits<size_t>::max();  // code points shown, then "…"
  bool multiline = false;  // keep '\n' and '\t' (for <pre> blocks); else they show as spaces
};

std::string escapeHtml(std::string_view text, ShowOptions options = {});

}  // namespace portcullis::web
