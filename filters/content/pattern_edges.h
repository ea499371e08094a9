// A pattern without its optional edges, for Hyperscan to look for when PCRE2 settles every hit.
// SpamAssassin writes many body patterns between word-boundary and filler edges
// (`\b_{0,3}t[_\W]?r...l_{0,3}\b`, `(?:\b|\s)[_\W]{0,3}...`): they cost Hyperscan much of its
// scan time (on the stock rules' plain-text body database about a quarter of it) and decide almost
// nothing.
//
// Promise: the result matches wherever `pattern` matches, and maybe elsewhere: only whole
// top-level items that consume at most what they are allowed to skip (`\b`, `(?:\b|\s)`, and
// `\s`, `\W`, `_`, `[_\W]` repeated from zero times) are removed from its start and its end.
// nullopt when nothing is removed, when the pattern has a top-level alternation, or when it
// cannot be read with certainty (\Q, comments, extended mode, an unbalanced group or class).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace portcullis::content {

std::optional<std::string> withoutOptionalEdges(std::string_view pattern);

}  // namespace portcullis::content
