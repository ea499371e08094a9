// The embedded store's in-memory token table: an open-addressing hash table (linear probing,
// backward-shift deletion) from token hash to its spam and ham counts and the hour it was last
// seen. A slot with both counts zero is empty, so a token whose counts fall to zero simply goes
// away. Not synchronised: the owner locks (lookups may run in parallel with each other; touch()
// updates the hour with a relaxed atomic store, so it is safe under a shared lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "filters/classifier/token_store.h"

namespace portcullis::classifier {

struct TokenEntry {
  TokenHash hash = 0;
  std::uint32_t spam = 0;
  std::uint32_t ham = 0;
  std::uint32_t hour = 0;  // hours since the Unix epoch when last learnt or looked up

  bool empty() const { return spam == 0 && ham == 0; }
};

class TokenTable {
 public:
  TokenTable();

  std::size_t size() const { return size_; }
  std::size_t memoryBytes() const { return slots_.size() * sizeof(TokenEntry); }

  // The entry of `hash`, or nullptr.
  const TokenEntry* find(TokenHash hash) const;
  // Records that the token was seen at `hour`; true when its hour changed.
  bool touch(const TokenEntry& entry, std::uint32_t hour) const;

  // Adds the deltas to the token's counts, each saturating at zero; sets its hour. A token whose
  // counts become zero is removed.
  void apply(TokenHash hash, int spam_delta, int ham_delta, std::uint32_t hour);
  // Inserts or replaces an entry as loaded from disk (an empty entry is ignored).
  void put(const TokenEntry& entry);
  void remove(TokenHash hash);
  void clear();

  template <class F>
  void forEach(F f) const {
    for (const TokenEntry& e : slots_)
      if (!e.empty()) f(e);
  }

 private:
  std::size_t slotOf(TokenHash hash) const;
  TokenEntry* findSlot(TokenHash hash);
  void grow();

  std::vector<TokenEntry> slots_;  // 2^bits_ of them
  int bits_;
  std::size_t size_ = 0;
};

}  // namespace portcullis::classifier
