// Tests of the image eval family (filters/content/eval/image_eval.cc): image sizes read from GIF,
// PNG and JPEG headers of base64 parts, whole or truncated.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::scanWith;

constexpr const char* kImageRules = R"(
body GIF_1 eval:image_count('gif','1','1')
body GIF_2P eval:image_count('gif','2')
body PNG_1 eval:image_count('png','1','1')
body JPEG_1 eval:image_count('jpeg',1,1)
body ANY_IMAGE eval:image_count('all',1)
body GIF_AREA_180K eval:pixel_coverage('gif','180000','475000')
body ALL_AREA eval:pixel_coverage('all',1)
body SIZE_600x800 eval:image_size_exact('all','600','800')
body JPEG_200_300 eval:image_size_range('jpeg', 200, 300, 250, 350)
body NAMED eval:image_named('logo.gif')
body TEXT_RATIO eval:image_to_text_ratio('all', '0.000', '0.008')
)";

std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  std::string wrapped;
  for (size_t at = 0; at < out.size(); at += 76) wrapped += out.substr(at, 76) + "\n";
  return wrapped;
}

std::string gif(uint16_t width, uint16_t height) {
  std::string out = "GIF89a";
  out += static_cast<char>(width & 0xff);
  out += static_cast<char>(width >> 8);
  out += static_cast<char>(height & 0xff);
  out += static_cast<char>(height >> 8);
  out += std::string("\xf7\x00\x00", 3);
  return out + std::string(20, '\0');
}

std::string bigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string png(uint32_t width, uint32_t height) {
  return std::string("\x89PNG\r\n\x1a\n", 8) + bigEndian32(13) + "IHDR" + bigEndian32(width) +
         bigEndian32(height) + std::string("\x08\x02\x00\x00\x00", 5) + bigEndian32(0) +
         bigEndian32(0) + "IEND" + bigEndian32(0);
}

std::string jpeg(uint16_t width, uint16_t height) {
  std::string out("\xff\xd8", 2);
  out += std::string("\xff\xe0\x00\x10", 4) + "JFIF" + std::string(10, '\0');  // APP0
  out += std::string("\xff\xc0\x00\x11\x08", 5);
  out += static_cast<char>(height >> 8);
  out += static_cast<char>(height & 0xff);
  out += static_cast<char>(width >> 8);
  out += static_cast<char>(width & 0xff);
  out += std::string("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 10);
  return out + std::string("\xff\xd9", 2);
}

struct Image {
  std::string type;
  std::string name;
  std::string bytes;
};

std::string message(const std::vector<Image>& images, const std::string& text = "hello") {
  std::string out =
      "From: a@example.com\nSubject: pics\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\n" +
      text + "\n";
  for (const auto& image : images) {
    out += "--b\nContent-Type: " + image.type + "; name=\"" + image.name +
           "\"\nContent-Transfer-Encoding: base64\n\n" + base64(image.bytes);
  }
  return out + "--b--\n";
}

TEST(ImageEval, CountsAndSizesEachFormat) {
  auto rules = compileText(kImageRules);
  auto scanned = scanWith(*rules, message({{"image/gif", "logo.gif", gif(800, 600)},
                                           {"image/png", "a.png", png(10, 10)},
                                           {"image/jpeg", "b.jpg", jpeg(300, 220)}}));
  EXPECT_TRUE(scanned.hit("GIF_1"));
  EXPECT_FALSE(scanned.hit("GIF_2P"));
  EXPECT_TRUE(scanned.hit("PNG_1"));
  EXPECT_TRUE(scanned.hit("JPEG_1"));
  EXPECT_EQ(scanned.hits["ANY_IMAGE"], "3 image(s)");
  EXPECT_TRUE(scanned.hit("SIZE_600x800"));
  EXPECT_EQ(scanned.hits["SIZE_600x800"], "image of 600x800");
  EXPECT_TRUE(scanned.hit("JPEG_200_300"));
  EXPECT_TRUE(scanned.hit("NAMED"));
  EXPECT_FALSE(scanned.hit("GIF_AREA_180K"));  // 480000 pixels: above the range
  EXPECT_EQ(scanned.hits["ALL_AREA"], "546100 pixels of image");
  EXPECT_TRUE(scanned.hit("TEXT_RATIO"));  // a few bytes of text against half a megapixel
}

TEST(ImageEval, AreaRangeAndTwoImages) {
  auto rules = compileText(kImageRules);
  auto scanned = scanWith(*rules, message({{"image/gif", "a.gif", gif(500, 400)},
                                           {"image/gif", "b.gif", gif(10, 10)}}));
  EXPECT_TRUE(scanned.hit("GIF_2P"));
  EXPECT_FALSE(scanned.hit("GIF_1"));
  EXPECT_TRUE(scanned.hit("GIF_AREA_180K"));
  EXPECT_FALSE(scanned.hit("NAMED"));
}

TEST(ImageEval, TruncatedImagesCountWithoutSize) {
  auto rules = compileText(kImageRules);
  auto scanned = scanWith(*rules, message({{"image/gif", "logo.gif", "GIF89a\x20"},
                                           {"image/png", "a.png", png(10, 10).substr(0, 20)},
                                           {"image/jpeg", "b.jpg", jpeg(300, 220).substr(0, 25)}}));
  EXPECT_TRUE(scanned.hit("GIF_1"));
  EXPECT_TRUE(scanned.hit("PNG_1"));
  EXPECT_TRUE(scanned.hit("JPEG_1"));
  EXPECT_FALSE(scanned.hit("ALL_AREA"));
  EXPECT_FALSE(scanned.hit("NAMED"));  // names are kept only for images whose size was read
  EXPECT_FALSE(scanned.hit("TEXT_RATIO"));
}

TEST(ImageEval, HugeDimensionsDoNotOverflow) {
  auto rules = compileText(kImageRules);
  auto scanned = scanWith(*rules, message({{"image/png", "big.png", png(0xffffffff, 0xffffffff)},
                                           {"image/gif", "g.gif", gif(65535, 65535)}}));
  EXPECT_TRUE(scanned.hit("ALL_AREA"));
  EXPECT_FALSE(scanned.hit("GIF_AREA_180K"));
  EXPECT_TRUE(scanned.hit("TEXT_RATIO"));
}

TEST(ImageEval, MalformedBase64AndWrongContent) {
  auto rules = compileText(kImageRules);
  const std::string garbage =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
      "Content-Type: image/gif\nContent-Transfer-Encoding: base64\n\n!!!%%%***\n"
      "--b\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n" +
      base64("not a jpeg at all") +
      "--b\nContent-Type: image/png\n\nraw bytes, not base64\n--b--\n";
  auto scanned = scanWith(*rules, garbage);
  EXPECT_TRUE(scanned.hit("GIF_1"));
  EXPECT_TRUE(scanned.hit("JPEG_1"));
  EXPECT_FALSE(scanned.hit("PNG_1"));  // only base64 parts count
  EXPECT_FALSE(scanned.hit("ALL_AREA"));
}

TEST(ImageEval, JpegSegmentWalkIsBounded) {
  auto rules = compileText(kImageRules);
  std::string looping("\xff\xd8", 2);
  for (int i = 0; i < 1000; ++i) looping += std::string("\xff\xe1\x00\x02", 4);
  auto scanned = scanWith(*rules, message({{"image/jpeg", "x.jpg", looping}}));
  EXPECT_TRUE(scanned.hit("JPEG_1"));
  EXPECT_FALSE(scanned.hit("ALL_AREA"));
}

TEST(ImageEval, BadArgumentsDisableTheRule) {
  auto rules = compileText(R"(
body A eval:image_count('bmp',1)
body B eval:pixel_coverage('gif')
body C eval:image_size_exact('gif','1')
body D eval:image_to_text_ratio('all','0')
body E eval:image_named()
body F eval:image_size_range('gif','a','b')
)");
  for (const char* name : {"A", "B", "C", "D", "E", "F"})
    EXPECT_NE(disabledReason(*rules, name), "") << name;
}

}  // namespace
}  // namespace portcullis::content
