// Rewrites of a rule's regular expression: for Hyperscan, each only ever removing from it, and
// into the dialect RE2 reads. A
// pattern the rewriter cannot read with certainty (backreferences, octal escapes, \Q, extended
// mode, conditionals, verbs) is left alone.
//
// Restricted to plain text, text with no byte above 0x7f and no "&#" character reference, which is
// what most mail is: on plain text the restricted pattern matches exactly where the original does,
// and it can be far smaller. SpamAssassin's obfuscation rules spell each letter with dozens of
// UTF-8 and character-reference look-alikes that plain text cannot contain, and Hyperscan scans a
// database of the restricted patterns several times faster. Removed: branches and class members
// that need a byte above 0x7f, and branches that begin with "&#".
//
// Without piece anchors: body, rawbody and uri rules match a piece (a paragraph, a URI) at a
// time, but Hyperscan scans the pieces joined by newlines, where $, \z, \Z, \A and \B may not
// hold as they do at a piece's edges (`\s*\z` after a paragraph's newline, say). Dropping them
// gives a pattern that matches wherever the original matches a piece, and more; PCRE2 then
// settles the hit on the pieces with the original.
#pragma once

#include <optional>
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
};

PlainTextPattern restrictToPlainText(std::string_view pattern);

// `pattern` without $, \z, \Z, \A and \B (outside classes); nullopt when it has none, or when
// it cannot be read.
std::optional<std::string> withoutPieceAnchors(std::string_view pattern);

// `pattern` as RE2 (Latin-1, multiline) must be given it to match exactly where PCRE2 matches the
// original, on any text without a vertical tab (RE2's \s lacks \v): bytes above 0x7f made
// case-exact, since RE2 folds the case of Latin-1 letters and PCRE2 only that of ASCII ones.
// nullopt for what RE2 reads otherwise (^ after a final newline, \v \h \R \K \X, \p,
// (?<name>)), and for what the rewriter cannot read.
std::optional<std::string> inRe2Dialect(std::string_view pattern);

// As inRe2Dialect, with every bounded repeat {m,n} whose n is above 5 written {m,}: a pattern
// that matches wherever the original does, and more, for RE2 to filter with where the original
// exceeds its repeat limits (SpamAssassin's __FILL_THIS_FORM_LONG*: {1,100} inside {5}).
std::optional<std::string> inRe2DialectLoosened(std::string_view pattern);

// The largest non-capturing group repeated an exact number of times (two or more), `(?:BODY){n}`,
// outside classes; nullopt when there is none, or when the pattern reads in ways this walk does
// not follow (back-references, subroutine calls, \Q, conditionals, branch reset, comments).
struct RepeatedGroup {
  size_t open = 0;   // the "(?:"
  size_t close = 0;  // its ")"
  size_t end = 0;    // just after "{n}"
  long count = 0;
  std::string_view body(std::string_view pattern) const {
    return pattern.substr(open + 3, close - open - 3);
  }
};
std::optional<RepeatedGroup> largestRepeatedGroup(std::string_view pattern);

// Whether `text` is plain: no byte above 0x7f and no "&#".
bool isPlainText(std::string_view text);

}  // namespace portcullis::content
