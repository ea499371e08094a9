// The end-of-DATA refusal of messages with long lines (relay.long_lines = "refuse").
#include "gateway/smtp/long_lines.h"

#include <gtest/gtest.h>

#include <string>

namespace portcullis::smtp {
namespace {

const LongLinePolicy kRefuse{998, LongLineAction::Refuse};

TEST(LongLines, RefusesALineOverTheLimitWith554_5_6_0) {
  std::string message = "Subject: x\r\n\r\n" + std::string(999, 'a') + "\r\n";
  auto reply = refuseLongLines(kRefuse, Envelope{}, message);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->code, 554);
  EXPECT_EQ(reply->enhanced, "5.6.0");
  EXPECT_NE(reply->text.find("999"), std::string::npos) << reply->text;
  EXPECT_NE(reply->text.find("998"), std::string::npos) << reply->text;
}

TEST(LongLines, AcceptsLinesThatFit) {
  std::string message = "Subject: x\r\n\r\n" + std::string(998, 'a') + "\r\n";
  EXPECT_FALSE(refuseLongLines(kRefuse, Envelope{}, message).has_value());
}

TEST(LongLines, WrapModeAndBinaryMimeAreNeverRefused) {
  std::string message = "Subject: x\r\n\r\n" + std::string(5000, 'a') + "\r\n";
  EXPECT_FALSE(refuseLongLines({998, LongLineAction::Wrap}, Envelope{}, message).has_value());
  Envelope binary;
  binary.params.body = "BINARYMIME";
  EXPECT_FALSE(refuseLongLines(kRefuse, binary, message).has_value());
  EXPECT_FALSE(hasTextLines(binary));
}

}  // namespace
}  // namespace portcullis::smtp
