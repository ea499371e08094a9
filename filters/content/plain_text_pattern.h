// A rule's regular expression restricted to plain text: text with no byte above 0x7f and no "&#"
// character reference, which is what most mail is. On plain text the restricted pattern matches
// exactly where the original does, and it can be far smaller: SpamAssassin's obfuscation rules
// spell each letter with dozens of UTF-8 and character-reference look-alikes that plain text
// cannot contain, and Hyperscan scans a database of the restricted patterns several times faster.
// The restriction only removes: branches and class members that need a byte above 0x7f, and
// branches that begin with "&#". A pattern it cannot read with certainty is left alone.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::content {

struct PlainTextPattern {
  enum class Kind {
    Unchanged,     // nothing to remove, or a construct the restriction does not read
    Restricted,    // `pattern` is the restricted form
    NeverMatches,  // every way to match needs what plain text lacks
  };
  Kind kind = Kind::Unchanged;
  std::string pattern;
  bool anchored = false;  // uses $, \A, \z, \Z or \G outside a class
};

PlainTextPattern restrictToPlainText(std::string_view pattern);

// Whether `text` is plain: no byte above 0x7f and no "&#".
bool isPlainText(std::string_view text);

}  // namespace portcullis::content
