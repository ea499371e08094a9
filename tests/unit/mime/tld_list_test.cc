// isKnownTld answers from the system's public suffix list (libpsl), ICANN section only.
#include "gateway/mime/tld_list.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

TEST(MimeKnownTld, GenericAndCountryDomains) {
  EXPECT_TRUE(isKnownTld("com"));
  EXPECT_TRUE(isKnownTld("org"));
  EXPECT_TRUE(isKnownTld("de"));
  EXPECT_TRUE(isKnownTld("uk"));
}

TEST(MimeKnownTld, CountryDomainsListedOnlyByWildcard) {
  // The list names these only as "*.bd" and "*.ck"; the top-level domain itself is in use.
  EXPECT_TRUE(isKnownTld("bd"));
  EXPECT_TRUE(isKnownTld("ck"));
}

TEST(MimeKnownTld, FileExtensionsAndPrivateNamesAreNot) {
  EXPECT_FALSE(isKnownTld("txt"));
  EXPECT_FALSE(isKnownTld("html"));
  EXPECT_FALSE(isKnownTld("exe"));
  EXPECT_FALSE(isKnownTld("local"));
  EXPECT_FALSE(isKnownTld("localhost"));
}

TEST(MimeKnownTld, OnlyOneLowercaseLabel) {
  EXPECT_FALSE(isKnownTld(""));
  EXPECT_FALSE(isKnownTld("co.uk"));
  EXPECT_FALSE(isKnownTld("example.com"));
  EXPECT_FALSE(isKnownTld("COM"));
}

}  // namespace
}  // namespace portcullis::mime
