#include "gateway/web/html_text.h"

#include <gtest/gtest.h>

namespace portcullis::web {
namespace {

TEST(EscapeHtml, EscapesTheFiveMetacharacters) {
  EXPECT_EQ(escapeHtml("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
}

TEST(EscapeHtml, MasksControlBidiAndInvalidUtf8) {
  EXPECT_EQ(escapeHtml("a\x01"
                       "b\x7f"
                       "c"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c");
  EXPECT_EQ(escapeHtml("x\xE2\x80\xAEy"), "x\xEF\xBF\xBDy");  // U+202E RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(escapeHtml("\xC3\x28"), "\xEF\xBF\xBD(");         // a broken two-byte sequence
  EXPECT_EQ(escapeHtml("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(escapeHtml("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");  // kept as is
}

TEST(EscapeHtml, LineBreaksOnlyWhereMultiline) {
  EXPECT_EQ(escapeHtml("a\r\nb\tc"), "a  b c");
  EXPECT_EQ(escapeHtml("a\r\nb\tc", {SIZE_MAX, true}), "a\nb\tc");
}

TEST(EscapeHtml, CutsAfterMaxCharactersWithAnEllipsis) {
  EXPECT_EQ(escapeHtml("abcdef", {3, false}), "abc\xE2\x80\xA6");
  EXPECT_EQ(escapeHtml("abc", {3, false}), "abc");
  // Characters, not bytes: a multi-byte character is never split.
  EXPECT_EQ(escapeHtml("\xC3\xA9\xC3\xA9\xC3\xA9", {2, false}), "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  std::string huge(1 << 20, '<');
  std::string shown = escapeHtml(huge, {200, false});
  EXPECT_EQ(shown.size(), 200 * 4 + 3);
}

}  // namespace
}  // namespace portcullis::web
