#include "gateway/mime/body_text.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

std::string paragraphs(std::string_view text) {
  std::string out;
  appendParagraphLines(text, out);
  return out;
}

TEST(MimeBodyText, ParagraphsBecomeLines) {
  EXPECT_EQ(paragraphs("Subject\n\nline one\nline two\n\n  \n\nnext  para\t here\n"),
            "Subject\nline one line two\nnext para here ");
}

TEST(MimeBodyText, WhitespaceAroundParagraphBreakKept) {
  // s/\n+\s*\n+/\f/ leaves the blanks before the first and after the last line break.
  EXPECT_EQ(paragraphs("a  \n\n  b"), "a \n b");
}

TEST(MimeBodyText, FormFeedBecomesLineBreak) {
  EXPECT_EQ(paragraphs("a\fb"), "a\nb");
  EXPECT_EQ(paragraphs("a \r\n b"), "a b");
}

TEST(MimeBodyText, LongLinesSplitAtSpace) {
  std::string word(1500, 'x');
  std::string out = paragraphs(word + " " + word);
  EXPECT_EQ(out, word + " \n" + word);
  std::string unbroken(5000, 'y');
  out = paragraphs(unbroken);
  EXPECT_EQ(out,
            std::string(2048, 'y') + "\n" + std::string(2048, 'y') + "\n" + std::string(904, 'y'));
}

TEST(MimeRawBodyText, LineEndsNormalised) {
  std::string out;
  appendShortLines("a\r\nb\rc\n", out);
  EXPECT_EQ(out, "a\nb\nc\n");
}

TEST(MimeBodyText, AppendsAfterWhatIsThere) {
  std::string out = "kept\n";
  appendParagraphLines("x \t\r\n\v\n\f y\n", out);
  EXPECT_EQ(out, "kept\nx \n\n y ");
  out = "kept\n";
  appendShortLines("\r\r\nz\r", out);
  EXPECT_EQ(out, "kept\n\n\nz\n");
}

TEST(MimeBodyText, WhitespaceOnlyAndEmptyTexts) {
  EXPECT_EQ(paragraphs(""), "");
  EXPECT_EQ(paragraphs(" \t "), " ");
  EXPECT_EQ(paragraphs("\n\n"), "\n");
  EXPECT_EQ(paragraphs("\f\f"), "\n\n");
}

}  // namespace
}  // namespace portcullis::mime
