// A text read in pieces (lines, each with its newline) sorted into two parts: its plain pieces
// (pattern_rewrite.h) and the others, each part the pieces joined in their order. Scanning the
// plain part with the plain-text databases and only the rest with the full ones finds every match
// that lies within a piece, since each piece keeps what surrounds it at its edges: a newline or
// the text's start before it, its own newline or the text's end after it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::content {

struct TextParts {
  struct Part {
    std::string text;
    std::vector<std::pair<size_t, size_t>> starts;  // per piece: (offset in part, in the text)

    // Where a match ending at `end` of this part ends in the whole text.
    size_t inText(size_t end) const;
  };
  Part plain, other;

  explicit TextParts(std::string_view text);
};

}  // namespace portcullis::content
