// A message file reads as the SMTP front end would hand the message to the checks.
#include "gateway/mime/wire_form.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

TEST(WireForm, DropsTheMboxLineAndEndsLinesWithCrlf) {
  EXPECT_EQ(inWireForm("From a@b Mon Jan  1 00:00:00 2001\nSubject: x\n\nbody\n"),
            "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(inWireForm("Subject: x\r\n\r\nbody\r\n"), "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(inWireForm("Subject: x\nFrom here\n"), "Subject: x\r\nFrom here\r\n");
  EXPECT_EQ(inWireForm("From only a line"), "");
  EXPECT_EQ(inWireForm("\n"), "\r\n");
}

}  // namespace
}  // namespace portcullis::mime
