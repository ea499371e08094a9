#include "gateway/core/report.h"

#include <algorithm>

namespace portcullis {

Report::Report(const Report& other) {
  std::lock_guard lock(other.mutex_);
  symbols_ = other.symbols_;
  forced_ = other.forced_;
  headers_ = other.headers_;
  auth_ = other.auth_;
}

Report& Report::operator=(const Report& other) {
  if (this == &other) return *this;
  Report copy(other);
  std::scoped_lock lock(mutex_);
  symbols_ = std::move(copy.symbols_);
  forced_ = std::move(copy.forced_);
  headers_ = std::move(copy.headers_);
  auth_ = std::move(copy.auth_);
  return *this;
}

void Report::addSymbol(Symbol symbol) {
  std::lock_guard lock(mutex_);
  symbols_.push_back(std::move(symbol));
}

void Report::force(ForcedAction forced) {
  std::lock_guard lock(mutex_);
  forced_.push_back(std::move(forced));
}

void Report::addHeader(HeaderField header) {
  std::lock_guard lock(mutex_);
  headers_.push_back(std::move(header));
}

void Report::merge(const Report& other) {
  Report copy(other);
  std::lock_guard lock(mutex_);
  symbols_.insert(symbols_.end(), copy.symbols_.begin(), copy.symbols_.end());
  forced_.insert(forced_.end(), copy.forced_.begin(), copy.forced_.end());
  headers_.insert(headers_.end(), copy.headers_.begin(), copy.headers_.end());
  auth_.merge(copy.auth_);
}

std::vector<Symbol> Report::symbols() const {
  std::lock_guard lock(mutex_);
  return symbols_;
}

bool Report::hasSymbol(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return std::any_of(symbols_.begin(), symbols_.end(),
                     [&](const Symbol& s) { return s.name == name; });
}

double Report::score() const {
  std::lock_guard lock(mutex_);
  double total = 0;
  for (const auto& s : symbols_) total += s.score;
  return total;
}

std::optional<ForcedAction> Report::forced() const {
  std::lock_guard lock(mutex_);
  if (forced_.empty()) return std::nullopt;
  return *std::max_element(
      forced_.begin(), forced_.end(),
      [](const ForcedAction& a, const ForcedAction& b) { return a.action < b.action; });
}

std::vector<HeaderField> Report::headers() const {
  std::lock_guard lock(mutex_);
  return headers_;
}

AuthResults Report::auth() const {
  std::lock_guard lock(mutex_);
  return auth_;
}

}  // namespace portcullis
