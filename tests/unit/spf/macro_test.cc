// Macro expansion examples of RFC 7208 section 7.4, and syntax checks of domain-specs.
#include "filters/spf/spf_macro.h"

#include <gtest/gtest.h>

namespace portcullis::spf {
namespace {

MacroContext rfcExample(std::string_view ip) {
  MacroContext c;
  c.local_part = "strong-bad";
  c.sender_domain = "email.example.com";
  c.domain = "email.example.com";
  c.ip = *dns::IpAddress::parse(ip);
  c.helo = "mx.example.org";
  return c;
}

std::string expand(std::string_view text, std::string_view ip = "192.0.2.3") {
  return expandMacros(text, rfcExample(ip), MacroUse::DomainSpec).value_or("<error>");
}

TEST(SpfMacro, Rfc7208Examples) {
  EXPECT_EQ(expand("%{s}"), "strong-bad@email.example.com");
  EXPECT_EQ(expand("%{o}"), "email.example.com");
  EXPECT_EQ(expand("%{d}"), "email.example.com");
  EXPECT_EQ(expand("%{d4}"), "email.example.com");
  EXPECT_EQ(expand("%{d3}"), "email.example.com");
  EXPECT_EQ(expand("%{d2}"), "example.com");
  EXPECT_EQ(expand("%{d1}"), "com");
  EXPECT_EQ(expand("%{dr}"), "com.example.email");
  EXPECT_EQ(expand("%{d2r}"), "example.email");
  EXPECT_EQ(expand("%{l}"), "strong-bad");
  EXPECT_EQ(expand("%{l-}"), "strong.bad");
  EXPECT_EQ(expand("%{lr}"), "strong-bad");
  EXPECT_EQ(expand("%{lr-}"), "bad.strong");
  EXPECT_EQ(expand("%{l1r-}"), "strong");
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expand("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"),
            "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(expand("%{d2}.trusted-domains.example.net"), "example.com.trusted-domains.example.net");
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"),
            "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, EscapesAndErrors) {
  EXPECT_EQ(expand("%%%_%-"), "% %20");
  EXPECT_EQ(expand("%{L}"), "strong-bad");
  MacroContext c = rfcExample("192.0.2.3");
  c.local_part = "a b&c";
  EXPECT_EQ(expandMacros("%{L}", c, MacroUse::DomainSpec), "a%20b%26c");
  EXPECT_FALSE(expandMacros("%{c}", c, MacroUse::DomainSpec));
  EXPECT_EQ(expandMacros("%{c} %{r}", c, MacroUse::Explanation), "192.0.2.3 unknown");
  EXPECT_FALSE(expandMacros("%{d0}", c, MacroUse::DomainSpec));
  EXPECT_FALSE(expandMacros("%{x}", c, MacroUse::DomainSpec));
  EXPECT_FALSE(expandMacros("100%", c, MacroUse::DomainSpec));
  EXPECT_FALSE(expandMacros("%{d", c, MacroUse::DomainSpec));
}

TEST(SpfMacro, DomainSpecs) {
  EXPECT_TRUE(isValidDomainSpec("example.com"));
  EXPECT_TRUE(isValidDomainSpec("example.com."));
  EXPECT_TRUE(isValidDomainSpec("foo.example.xn--zckzah"));
  EXPECT_TRUE(isValidDomainSpec("_spf.%{d2}"));
  EXPECT_TRUE(isValidDomainSpec("foo:bar/baz.example.com"));
  EXPECT_FALSE(isValidDomainSpec("museum"));
  EXPECT_FALSE(isValidDomainSpec("abc.123"));
  EXPECT_FALSE(isValidDomainSpec("example.-com"));
  EXPECT_FALSE(isValidDomainSpec("example.com:8080"));
  EXPECT_FALSE(isValidDomainSpec(""));
  EXPECT_TRUE(mentionsMacro("%{p}.example.com", 'p'));
  EXPECT_FALSE(mentionsMacro("%%{p}.example.com", 'p'));
}

}  // namespace
}  // namespace portcullis::spf
