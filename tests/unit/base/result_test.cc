#include "gateway/base/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace portcullis {
namespace {

Result<int> parseDigit(char c) {
  if (c < '0' || c > '9') return Result<int>::failure(std::string("not a digit: ") + c);
  return Result<int>::success(c - '0');
}

TEST(ResultTest, SuccessCarriesTheValue) {
  auto r = parseDigit('7');
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(*r, 7);
  EXPECT_TRUE(r.error.empty());
}

TEST(ResultTest, FailureCarriesTheReason) {
  auto r = parseDigit('x');
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error, "not a digit: x");
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  auto r = Result<std::unique_ptr<std::string>>::success(std::make_unique<std::string>("kept"));
  ASSERT_TRUE(r);
  EXPECT_EQ(**r, "kept");
  EXPECT_EQ(r->get()->size(), 4u);
}

TEST(StatusTest, SuccessAndFailure) {
  EXPECT_TRUE(Status::success().ok());
  Status failed = Status::failure("disk full");
  EXPECT_FALSE(failed);
  EXPECT_EQ(failed.error, "disk full");
}

}  // namespace
}  // namespace portcullis
