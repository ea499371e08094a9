// The character classes HTML::Parser and Mail::SpamAssassin::HTML read HTML with, shared by the
// HTML tokenizer, measurer, reference decoder and colour reader (html_*.cc): ASCII only, no
// locale. The ASCII letter and digit classes, and trimAsciiSpace for Perl's \s, are the base
// library's (gateway/base/text.h).
#pragma once

#include "gateway/base/text.h"

namespace portcullis::content::html {

inline bool isHtmlSpace(char c) {  // HTML::Parser's space class
  return isAsciiSpace(c);
}
// Perl's \s (Unicode rules) for an ASCII byte.
inline bool isPerlSpace(char c) {
  return isAsciiSpace(c);
}

}  // namespace portcullis::content::html
