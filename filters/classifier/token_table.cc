#include "filters/classifier/token_table.h"

#include <algorithm>
#include <atomic>

namespace portcullis::classifier {
namespace {

constexpr int kInitialBits = 10;

std::uint32_t addSaturating(std::uint32_t count, int delta) {
  if (delta >= 0) return count + static_cast<std::uint32_t>(delta);
  const auto down = static_cast<std::uint32_t>(-delta);
  return count > down ? count - down : 0;
}

}  // namespace

TokenTable::TokenTable() : slots_(std::size_t{1} << kInitialBits), bits_(kInitialBits) {}

// Fibonacci hashing: the top bits of the key times 2^64 / phi, so that keys which are not
// uniform (small integers, shared low bits) still spread over the table.
std::size_t TokenTable::slotOf(TokenHash hash) const {
  return static_cast<std::size_t>((hash * 0x9e3779b97f4a7c15ULL) >> (64 - bits_));
}

const TokenEntry* TokenTable::find(TokenHash hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slotOf(hash);; i = (i + 1) & mask) {
    const TokenEntry& e = slots_[i];
    if (e.empty()) return nullptr;
    if (e.hash == hash) return &e;
  }
}

TokenEntry* TokenTable::findSlot(TokenHash hash) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slotOf(hash);; i = (i + 1) & mask) {
    TokenEntry& e = slots_[i];
    if (e.empty() || e.hash == hash) return &e;
  }
}

bool TokenTable::touch(const TokenEntry& entry, std::uint32_t hour) const {
  std::atomic_ref<std::uint32_t> h(const_cast<std::uint32_t&>(entry.hour));
  if (h.load(std::memory_order_relaxed) >= hour) return false;
  h.store(hour, std::memory_order_relaxed);
  return true;
}

void TokenTable::apply(TokenHash hash, int spam_delta, int ham_delta, std::uint32_t hour) {
  TokenEntry* e = findSlot(hash);
  if (e->empty()) {
    if (spam_delta <= 0 && ham_delta <= 0) return;
    if ((size_ + 1) * 4 > slots_.size() * 3) {
      grow();
      e = findSlot(hash);
    }
    e->hash = hash;
    e->spam = addSaturating(0, spam_delta);
    e->ham = addSaturating(0, ham_delta);
    e->hour = hour;
    if (!e->empty()) ++size_;
    return;
  }
  e->spam = addSaturating(e->spam, spam_delta);
  e->ham = addSaturating(e->ham, ham_delta);
  e->hour = std::max(e->hour, hour);
  if (e->empty()) {
    *e = TokenEntry{hash, 1, 0, 0};  // keep the slot occupied until remove() shifts it out
    remove(hash);
  }
}

void TokenTable::put(const TokenEntry& entry) {
  if (entry.empty()) return;
  TokenEntry* e = findSlot(entry.hash);
  if (e->empty()) {
    if ((size_ + 1) * 4 > slots_.size() * 3) {
      grow();
      e = findSlot(entry.hash);
    }
    ++size_;
  }
  *e = entry;
}

void TokenTable::remove(TokenHash hash) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = slotOf(hash);
  for (;; i = (i + 1) & mask) {
    if (slots_[i].empty()) return;
    if (slots_[i].hash == hash) break;
  }
  // Backward-shift deletion: move later entries of the probe run into the hole when their home
  // slot does not lie between the hole and their current slot.
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & mask; !slots_[j].empty(); j = (j + 1) & mask) {
    const std::size_t home = slotOf(slots_[j].hash);
    const bool home_after_hole = ((j - home) & mask) < ((j - hole) & mask);
    if (home_after_hole) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = TokenEntry{};
  --size_;
}

void TokenTable::clear() {
  slots_.assign(std::size_t{1} << kInitialBits, TokenEntry{});
  bits_ = kInitialBits;
  size_ = 0;
}

void TokenTable::grow() {
  std::vector<TokenEntry> old(slots_.size() * 2);
  old.swap(slots_);
  ++bits_;
  for (const TokenEntry& e : old)
    if (!e.empty()) *findSlot(e.hash) = e;
}

}  // namespace portcullis::classifier
