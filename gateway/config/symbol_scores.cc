#include "gateway/config/symbol_scores.h"

#include "gateway/config/section.h"

namespace portcullis::config {

SymbolScores::SymbolScores(std::map<std::string, double, std::less<>> defaults)
    : scores_(std::move(defaults)) {}

double SymbolScores::of(std::string_view symbol) const {
  auto it = scores_.find(symbol);
  return it == scores_.end() ? 0.0 : it->second;
}

void SymbolScores::readTable(Section& section, const std::string& table, ScoreRange range) {
  auto scores = section.sub(table);
  if (!scores) return;
  for (const auto& symbol : scores->keys()) {
    if (!scores_.count(symbol)) scores->fail(symbol, "unknown symbol");
    scores_[symbol] = scores->getDouble(symbol, 0, range.min, range.max);
  }
  scores->finish();
}

void SymbolScores::readKey(Section& section, const std::string& key, const std::string& symbol,
                           ScoreRange range) {
  scores_[symbol] = section.getDouble(key, of(symbol), range.min, range.max);
}

}  // namespace portcullis::config
