#include "gateway/web/password.h"

#include <gtest/gtest.h>

namespace portcullis::web {
namespace {

TEST(Password, Argon2idHashVerifiesOnlyItsPassword) {
  auto hash = hashPassword("s3cret pass");
  ASSERT_TRUE(hash) << hash.error;
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(isPasswordHash(*hash));
  EXPECT_TRUE(verifyPassword(*hash, "s3cret pass"));
  EXPECT_FALSE(verifyPassword(*hash, "s3cret pas"));
  EXPECT_FALSE(verifyPassword(*hash, ""));
  auto again = hashPassword("s3cret pass");
  ASSERT_TRUE(again);
  EXPECT_NE(*hash, *again) << "each hash has its own salt";
}

TEST(Password, MalformedHashesNeverVerify) {
  EXPECT_FALSE(isPasswordHash("plaintext"));
  EXPECT_FALSE(isPasswordHash("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(verifyPassword("plaintext", "plaintext"));
  EXPECT_FALSE(verifyPassword("$argon2id$garbage", "x"));
}

}  // namespace
}  // namespace portcullis::web
