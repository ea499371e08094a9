#include "filters/content/text_parts.h"

#include <gtest/gtest.h>

namespace portcullis::content {
namespace {

TEST(TextParts, SortsPiecesAndMapsMatchEndsBack) {
  const std::string text = "plain one\ncaf\xc3\xa9\nplain two\n&#233; entity\nlast";
  const TextParts parts(text);
  EXPECT_EQ(parts.plain.text, "plain one\nplain two\nlast");
  EXPECT_EQ(parts.other.text, "caf\xc3\xa9\n&#233; entity\n");
  const auto endOf = [](const TextParts::Part& part, std::string_view word) {
    return part.inText(part.text.find(word) + word.size());
  };
  EXPECT_TRUE(text.substr(0, endOf(parts.plain, "two")).ends_with("plain two"));
  EXPECT_TRUE(text.substr(0, endOf(parts.other, "entity")).ends_with("&#233; entity"));
  EXPECT_EQ(parts.plain.inText(parts.plain.text.size()), text.size());
  EXPECT_EQ(parts.plain.inText(0), 0u);
  // A match ending with a piece's newline ends in that piece, not the next one.
  EXPECT_TRUE(text.substr(0, parts.plain.inText(10)).ends_with("plain one\n"));
}

TEST(TextParts, EmptyAndSingleKindTexts) {
  EXPECT_TRUE(TextParts("").plain.starts.empty());
  const TextParts plain("a\nb\n");
  EXPECT_EQ(plain.plain.text, "a\nb\n");
  EXPECT_TRUE(plain.other.text.empty());
}

}  // namespace
}  // namespace portcullis::content
