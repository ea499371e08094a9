// AddressList: address, domain and parent-domain entries, case-insensitive matching, and the
// errors for malformed entries.
#include "gateway/core/address_list.h"

#include <gtest/gtest.h>

namespace portcullis {
namespace {

TEST(AddressList, MatchesAddressesDomainsAndSubdomains) {
  AddressList list;
  ASSERT_TRUE(list.add("Boss@X.example").ok());
  ASSERT_TRUE(list.add("partner.example").ok());
  ASSERT_TRUE(list.add(".lists.example").ok());
  EXPECT_EQ(list.find("boss@x.EXAMPLE"), "Boss@X.example");
  EXPECT_FALSE(list.find("other@x.example"));
  EXPECT_EQ(list.find("anyone@Partner.Example"), "partner.example");
  EXPECT_FALSE(list.find("anyone@sub.partner.example"));
  EXPECT_EQ(list.find("a@news.lists.example"), ".lists.example");
  EXPECT_EQ(list.find("a@deep.news.lists.example"), ".lists.example");
  EXPECT_FALSE(list.find("a@lists.example"));
  EXPECT_FALSE(list.find(""));  // the null sender
  EXPECT_FALSE(list.find("postmaster"));
}

TEST(AddressList, RefusesMalformedEntriesAndSaysWhy) {
  AddressList list;
  EXPECT_EQ(list.add("a@b@c.example").error, "\"a@b@c.example\" has more than one @");
  EXPECT_NE(list.add("@x.example").error.find("empty local part"), std::string::npos);
  EXPECT_NE(list.add("user@").error.find("empty domain"), std::string::npos);
  EXPECT_NE(list.add("x..example").error.find("empty label"), std::string::npos);
  EXPECT_NE(list.add("x.example.").error.find("empty label"), std::string::npos);
  EXPECT_NE(list.add("bad_domain.example").error.find("character"), std::string::npos);
  EXPECT_NE(list.add("a b@x.example").error.find("blank"), std::string::npos);
  EXPECT_NE(list.add("<a@x.example>").error.find("angle brackets"), std::string::npos);
  EXPECT_FALSE(list.add("").ok());
  EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace portcullis
