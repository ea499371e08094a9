#include "filters/dnsbl/uri_hosts.h"

#include <gtest/gtest.h>

namespace portcullis::dnsbl {
namespace {

TEST(UriHosts, ExtractsHosts) {
  EXPECT_EQ(uriHost("http://www.Example.com/path?q=1"), "www.example.com");
  EXPECT_EQ(uriHost("https://user:pw@shop.example.co.uk:8443/x"), "shop.example.co.uk");
  EXPECT_EQ(uriHost("http://[2001:db8::1]:80/"), "2001:db8::1");
  EXPECT_EQ(uriHost("http://192.0.2.7/a"), "192.0.2.7");
  EXPECT_EQ(uriHost("mailto:someone@lists.example.org"), "lists.example.org");
  EXPECT_EQ(uriHost("www.example.net/landing"), "www.example.net");
  EXPECT_EQ(uriHost("http://example.com./"), "example.com");
  EXPECT_EQ(uriHost("mailto:nobody"), "");
}

TEST(UriHosts, RegisteredDomainsDeduplicatedAndCapped) {
  RegisteredDomains domains;
  EXPECT_EQ(domains.of("www.example.co.uk"), "example.co.uk");
  EXPECT_EQ(domains.of("a.b.example.com"), "example.com");
  EXPECT_EQ(domains.of("co.uk"), "");
  EXPECT_EQ(domains.of("localhost"), "");

  auto subjects =
      domains.subjects({"http://a.example.com/", "https://b.example.com/x", "http://192.0.2.7/",
                        "http://spam.example.org/", "http://third.example.net/"},
                       3);
  ASSERT_EQ(subjects.size(), 3u);
  EXPECT_EQ(subjects[0].domain, "example.com");
  ASSERT_TRUE(subjects[1].address);
  EXPECT_EQ(subjects[1].address->toString(), "192.0.2.7");
  EXPECT_EQ(subjects[2].domain, "example.org");
}

}  // namespace
}  // namespace portcullis::dnsbl
