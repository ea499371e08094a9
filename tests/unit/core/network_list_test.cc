// NetworkList: parsing of addresses and CIDR networks with specific errors, and matching of
// IPv4, IPv6 and IPv4-mapped client addresses.
#include "gateway/core/network_list.h"

#include <gtest/gtest.h>

namespace portcullis {
namespace {

TEST(NetworkList, MatchesAddressesAndPrefixes) {
  NetworkList list;
  ASSERT_TRUE(list.add("192.0.2.0/24").ok());
  ASSERT_TRUE(list.add("198.51.100.7").ok());
  ASSERT_TRUE(list.add("2001:db8::/32").ok());
  EXPECT_EQ(list.find("192.0.2.200"), "192.0.2.0/24");
  EXPECT_EQ(list.find("198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(list.find("2001:db8:1::5"), "2001:db8::/32");
  EXPECT_EQ(list.find("::ffff:192.0.2.9"), "192.0.2.0/24");
  EXPECT_FALSE(list.find("192.0.3.1"));
  EXPECT_FALSE(list.find("198.51.100.8"));
  EXPECT_FALSE(list.find("2001:db9::1"));
  EXPECT_FALSE(list.find("not an address"));
  EXPECT_FALSE(list.find(""));
}

TEST(NetworkList, WholeInternetAndSingleHosts) {
  NetworkList list;
  ASSERT_TRUE(list.add("0.0.0.0/0").ok());
  ASSERT_TRUE(list.add("::1").ok());
  EXPECT_TRUE(list.find("203.0.113.1"));
  EXPECT_EQ(list.find("::1"), "::1");
  EXPECT_FALSE(list.find("::2"));
}

TEST(NetworkList, RefusesMalformedEntriesAndSaysWhy) {
  NetworkList list;
  EXPECT_NE(list.add("192.0.2.0/33").error.find("is not an IPv4"), std::string::npos);
  EXPECT_NE(list.add("192.0.2").error.find("is not an IPv4"), std::string::npos);
  EXPECT_NE(list.add("example.org").error.find("is not an IPv4"), std::string::npos);
  EXPECT_NE(list.add("2001:db8::/129").error.find("is not an IPv6"), std::string::npos);
  EXPECT_EQ(list.add("192.0.2.1/24").error,
            "\"192.0.2.1/24\" has bits set after the prefix; the network is 192.0.2.0/24");
  EXPECT_FALSE(list.add("").ok());
  EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace portcullis
