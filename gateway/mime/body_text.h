// SpamAssassin's whitespace handling for the text `body` rules see
// (Message::get_rendered_body_text_array): every run of whitespace holding two or more line
// breaks becomes one line break (a paragraph becomes one line), other whitespace runs become one
// space, form feeds become line breaks, and lines longer than 2048 bytes are split at the last
// space before that length. Also the per-line form `rawbody` rules see.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::mime {

inline constexpr size_t kMaxBodyLineLength = 2048;

// Appends the paragraph-joined form of `text` to `out` (lines separated by '\n').
void appendParagraphLines(std::string_view text, std::string& out);

// Appends `text` with CRLF/CR line ends as '\n' and lines longer than kMaxBodyLineLength split.
void appendShortLines(std::string_view text, std::string& out);

}  // namespace portcullis::mime
