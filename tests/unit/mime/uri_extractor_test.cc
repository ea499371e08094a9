#include "gateway/mime/uri_extractor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> fromText(std::string_view text) {
  UriCollector c(100, 100);
  c.addFromText(text);
  return c.uris();
}

TEST(MimeCanonicalize, LowercasesSchemeAndHost) {
  EXPECT_EQ(canonicalizeUri("HTTP://WWW.Example.COM/Path/X"), "http://www.example.com/Path/X");
}

TEST(MimeCanonicalize, UndoesObfuscation) {
  EXPECT_EQ(canonicalizeUri("http://%77%77%77.example.com/%7Euser"),
            "http://www.example.com/~user");
  EXPECT_EQ(canonicalizeUri("http://paypal.com@evil.example/login"), "http://evil.example/login");
  EXPECT_EQ(canonicalizeUri("http:\\\\evil.example\\x"), "http://evil.example\\x");
  EXPECT_EQ(canonicalizeUri("http:/evil.example/"), "http://evil.example/");
  EXPECT_EQ(canonicalizeUri(" http://ex\nample.com/ "), "http://example.com/");
  // Escapes of spaces and controls stay escaped.
  EXPECT_EQ(canonicalizeUri("http://example.com/a%20b"), "http://example.com/a%20b");
}

TEST(MimeCanonicalize, SchemelessAndRelative) {
  EXPECT_EQ(canonicalizeUri("www.example.com/x"), "http://www.example.com/x");
  EXPECT_EQ(canonicalizeUri("//cdn.example.com/x"), "http://cdn.example.com/x");
  EXPECT_EQ(canonicalizeUri("img/a.png", "http://base.example/dir/page.html"),
            "http://base.example/dir/img/a.png");
  EXPECT_EQ(canonicalizeUri("/a.png", "http://base.example/dir/"), "http://base.example/a.png");
  EXPECT_EQ(canonicalizeUri("page.html"), "page.html");
}

TEST(MimeCanonicalize, Mailto) {
  EXPECT_EQ(canonicalizeUri("MAILTO:Bob@EXAMPLE.com?subject=x"),
            "mailto:Bob@example.com?subject=x");
}

TEST(MimeTextUris, SchemedUris) {
  EXPECT_THAT(fromText("see <http://example.com/a>, and (https://x.example.org/b?c=d)."),
              ElementsAre("http://example.com/a", "https://x.example.org/b?c=d"));
}

TEST(MimeTextUris, SchemelessWww) {
  EXPECT_THAT(fromText("visit www.example.com today"), ElementsAre("http://www.example.com"));
  EXPECT_THAT(fromText("ftp.example.net/pub"), ElementsAre("ftp://ftp.example.net/pub"));
}

TEST(MimeTextUris, BareDomainsNeedKnownTld) {
  EXPECT_THAT(fromText("go to example.com/offer now"), ElementsAre("http://example.com/offer"));
  EXPECT_THAT(fromText("open file.txt or index.html, version 1.2.3, e.g. this"), IsEmpty());
}

TEST(MimeTextUris, EmailAddressesBecomeMailto) {
  UriCollector c(100, 100);
  c.addFromText("write to Sales@Example.COM. or mailto:x@example.org, not a@b or @home");
  EXPECT_THAT(c.emailAddresses(), ElementsAre("Sales@example.com", "x@example.org"));
  EXPECT_THAT(c.uris(), ElementsAre("mailto:Sales@example.com", "mailto:x@example.org"));
}

TEST(MimeTextUris, DuplicatesListedOnce) {
  EXPECT_THAT(fromText("http://a.example/ http://a.example/"), ElementsAre("http://a.example/"));
}

TEST(MimeTextUris, WrittenFormKeptWhenCanonicalDiffers) {
  EXPECT_THAT(fromText("http://%65vil.example/"),
              ElementsAre("http://evil.example/", "http://%65vil.example/"));
}

TEST(MimeHtmlUris, ResolvedAgainstBaseAndMailtoCollected) {
  UriCollector c(100, 100);
  c.addFromHtml("a.html", "http://b.example/d/");
  c.addFromHtml("mailto:Someone@Example.org", {});
  c.addFromHtml("#top", {});
  EXPECT_THAT(c.uris(), ElementsAre("http://b.example/d/a.html", "mailto:Someone@example.org",
                                    "mailto:Someone@Example.org"));
  EXPECT_THAT(c.emailAddresses(), ElementsAre("Someone@example.org"));
}

TEST(MimeUriLimits, StopsAtMaxUris) {
  UriCollector c(2, 2);
  c.addFromText("http://a.example/ http://b.example/ http://c.example/");
  EXPECT_EQ(c.uris().size(), 2u);
}

}  // namespace
}  // namespace portcullis::mime
