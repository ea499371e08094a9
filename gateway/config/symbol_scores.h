// A check's score for each symbol it adds, read the same way by every check: the check lists its
// symbols with their default scores and the configuration overrides them. Two spellings exist in
// the configuration and both come through here: a `scores` sub-table keyed by symbol
// (`[checks.dkim.scores]` DKIM_VALID = -0.1), where a key that names no listed symbol is a
// ConfigError at its file:line, and one key per symbol in the check's own table (`[checks.spf]`
// score_fail = 3.0).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace portcullis::config {

class Section;

// The bounds a configured score must lie within.
struct ScoreRange {
  double min = -1000;
  double max = 1000;
};

class SymbolScores {
 public:
  SymbolScores() = default;
  // Every symbol the check adds, with its default score.
  explicit SymbolScores(std::map<std::string, double, std::less<>> defaults);

  // The score of `symbol`; 0 for a symbol that is not listed.
  double of(std::string_view symbol) const;

  // Overrides from the optional sub-table `table` of `section`; each of its keys must name a
  // listed symbol.
  void readTable(Section& section, const std::string& table, ScoreRange range = {});
  // Overrides the score of `symbol` from `key` of `section` when the key is present.
  void readKey(Section& section, const std::string& key, const std::string& symbol,
               ScoreRange range = {});

 private:
  std::map<std::string, double, std::less<>> scores_;
};

}  // namespace portcullis::config
