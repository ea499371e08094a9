// What a pattern anchored at the start of the text (`^...`) demands of the text's first bytes,
// read off the pattern's own source: a fixed run of bytes at the start, or after a first word
// (`^(\S+) ` / `^(\S*) `). The Received parser (received.cc) rejects a text that lacks it before
// the regex engine runs: exact, since every match must begin so, and far cheaper than a failed
// search.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::mime {

class AnchoredStart {
 public:
  // What `pattern` (RE2 syntax, case-sensitive) demands; nothing when it is not anchored, has an
  // alternative at its top level, or begins otherwise.
  explicit AnchoredStart(std::string_view pattern);

  // Whether `text` begins as every match must.
  bool admits(std::string_view text) const;

 private:
  enum class FirstWord { None, NonEmpty, MaybeEmpty };  // `\S+ `, `\S* `
  bool active_ = false;
  FirstWord first_word_ = FirstWord::None;
  std::string bytes_;  // fixed bytes at the start (after the first word and its space)
};

}  // namespace portcullis::mime
