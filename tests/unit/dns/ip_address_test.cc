#include "gateway/dns/ip_address.h"

#include <gtest/gtest.h>

namespace portcullis::dns {
namespace {

TEST(IpAddress, ParsesAndPrints) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->toString(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("2001:DB8:0:0::1")->toString(), "2001:db8::1");
  auto mapped = IpAddress::parse("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->isV4());
  EXPECT_EQ(mapped->toString(), "192.0.2.1");
  EXPECT_FALSE(IpAddress::parseIpv6("::ffff:192.0.2.1")->isV4());
  EXPECT_FALSE(IpAddress::parse("192.0.2"));
  EXPECT_FALSE(IpAddress::parse("example.test"));
  EXPECT_FALSE(IpAddress::parseIpv6("192.0.2.1"));
}

TEST(IpAddress, ReverseNames) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->reverseName(), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->reverseName(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->reversedLabels(true).substr(48), "8.B.D.0.1.0.0.2");
}

TEST(IpAddress, PrefixMatching) {
  auto a = *IpAddress::parse("192.0.2.130");
  EXPECT_TRUE(a.matches(*IpAddress::parse("192.0.2.0"), 24));
  EXPECT_TRUE(a.matches(*IpAddress::parse("192.0.2.128"), 25));
  EXPECT_FALSE(a.matches(*IpAddress::parse("192.0.2.0"), 25));
  EXPECT_TRUE(a.matches(*IpAddress::parse("10.0.0.0"), 0));
  EXPECT_FALSE(a.matches(*IpAddress::parse("2001:db8::"), 0));  // families never match
  auto b = *IpAddress::parse("2001:db8:1234::1");
  EXPECT_TRUE(b.matches(*IpAddress::parse("2001:db8::"), 32));
  EXPECT_FALSE(b.matches(*IpAddress::parse("2001:db8::"), 48));
}

TEST(IpAddress, LocalAddresses) {
  for (const char* local : {"127.0.0.1", "10.1.2.3", "192.168.1.1", "172.20.0.1", "169.254.1.1",
                            "::1", "fe80::1", "fd00::1", "100.64.0.1"})
    EXPECT_TRUE(IpAddress::parse(local)->isLocal()) << local;
  for (const char* global : {"192.0.2.1", "8.8.8.8", "172.32.0.1", "2001:db8::1"})
    EXPECT_FALSE(IpAddress::parse(global)->isLocal()) << global;
}

}  // namespace
}  // namespace portcullis::dns
