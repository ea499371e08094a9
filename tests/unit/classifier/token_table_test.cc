// The in-memory token table against a plain map, through growth and backward-shift deletion
// (keys chosen to collide in the low bits, so probe runs are long).
#include "filters/classifier/token_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace portcullis::classifier {
namespace {

TEST(TokenTable, AgreesWithAMapThroughInsertsUpdatesAndRemovals) {
  TokenTable table;
  std::map<TokenHash, std::pair<std::uint32_t, std::uint32_t>> model;
  std::mt19937_64 random(7);
  for (int step = 0; step < 200'000; ++step) {
    // Keys that are not uniform: small integers and keys differing only in their high bits.
    const TokenHash key = step % 2 ? random() % 5000 : (random() % 5000) << 40;
    const int spam = static_cast<int>(random() % 3) - 1;
    const int ham = static_cast<int>(random() % 3) - 1;
    table.apply(key, spam, ham, 1);
    auto& [s, h] = model[key];
    s = spam < 0 ? (s ? s - 1 : 0) : s + spam;
    h = ham < 0 ? (h ? h - 1 : 0) : h + ham;
    if (s == 0 && h == 0) model.erase(key);
  }
  EXPECT_EQ(table.size(), model.size());
  for (const auto& [key, counts] : model) {
    const TokenEntry* e = table.find(key);
    ASSERT_NE(e, nullptr) << key;
    EXPECT_EQ(e->spam, counts.first);
    EXPECT_EQ(e->ham, counts.second);
  }
  std::size_t seen = 0;
  table.forEach([&](const TokenEntry& e) {
    ++seen;
    EXPECT_TRUE(model.contains(e.hash));
  });
  EXPECT_EQ(seen, model.size());
}

TEST(TokenTable, HashZeroIsAnOrdinaryKeyAndTouchKeepsTheLatestHour) {
  TokenTable table;
  table.apply(0, 1, 0, 5);
  ASSERT_NE(table.find(0), nullptr);
  EXPECT_FALSE(table.touch(*table.find(0), 4));
  EXPECT_TRUE(table.touch(*table.find(0), 9));
  EXPECT_EQ(table.find(0)->hour, 9u);
  table.apply(0, -1, 0, 10);
  EXPECT_EQ(table.find(0), nullptr);
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace portcullis::classifier
