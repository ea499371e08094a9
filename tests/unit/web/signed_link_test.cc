#include "gateway/web/signed_link.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "gateway/web/secrets.h"
#include "gateway/web/url_form.h"

namespace portcullis::web {
namespace {

using namespace std::chrono_literals;

struct LinkParts {
  std::string rcpt, exp, sig;
};

LinkParts parts(const std::string& query) {
  auto fields = parseForm(query);
  return {fields["rcpt"], fields["exp"], fields["sig"]};
}

class SignedLinkTest : public ::testing::Test {
 protected:
  RecipientLinks links{std::string(RecipientLinks::kKeyBytes, 'k')};
  spool::TimePoint now = spool::Clock::now();
};

TEST_F(SignedLinkTest, AValidLinkChecksUntilItsExpiry) {
  LinkParts p = parts(links.query("Bob@Example.org", now + 1h));
  EXPECT_EQ(p.rcpt, "bob@example.org");
  EXPECT_EQ(links.check(p.rcpt, p.exp, p.sig, now), LinkCheck::Valid);
  EXPECT_EQ(links.check(p.rcpt, p.exp, p.sig, now + 59min), LinkCheck::Valid);
  EXPECT_EQ(links.check(p.rcpt, p.exp, p.sig, now + 61min), LinkCheck::Expired);
  // The address is compared as signed, in lower case.
  EXPECT_EQ(links.check("BOB@example.org", p.exp, p.sig, now), LinkCheck::Valid);
}

TEST_F(SignedLinkTest, AChangedAddressExpiryOrSignatureIsRefused) {
  LinkParts p = parts(links.query("bob@example.org", now + 1h));
  EXPECT_EQ(links.check("carol@example.org", p.exp, p.sig, now), LinkCheck::BadSignature);
  std::string later = std::to_string(std::stoll(p.exp) + 86400);
  EXPECT_EQ(links.check(p.rcpt, later, p.sig, now), LinkCheck::BadSignature);
  std::string sig = p.sig;
  sig[3] = sig[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(links.check(p.rcpt, p.exp, sig, now), LinkCheck::BadSignature);
  EXPECT_EQ(links.check(p.rcpt, p.exp, "", now), LinkCheck::BadSignature);
  EXPECT_EQ(links.check(p.rcpt, "12x", p.sig, now), LinkCheck::Malformed);
  EXPECT_EQ(links.check("", p.exp, p.sig, now), LinkCheck::Malformed);
  // Another key: another signature.
  RecipientLinks other(std::string(RecipientLinks::kKeyBytes, 'o'));
  EXPECT_EQ(other.check(p.rcpt, p.exp, p.sig, now), LinkCheck::BadSignature);
}

TEST_F(SignedLinkTest, AnExpiredLinkIsRefusedEvenWithAValidSignature) {
  LinkParts p = parts(links.query("bob@example.org", now - 1s));
  EXPECT_EQ(links.check(p.rcpt, p.exp, p.sig, now), LinkCheck::Expired);
}

TEST_F(SignedLinkTest, UrlIsTheBaseAndTheQuery) {
  std::string url = links.url("https://gw.example.org:8443", "a+b@example.org", now + 1h);
  EXPECT_TRUE(std::regex_match(
      url, std::regex("https://gw\\.example\\.org:8443/r\\?rcpt=a%2Bb%40example\\.org&exp=[0-9]+"
                      "&sig=[A-Za-z0-9_-]{43}")))
      << url;
}

TEST(LinkKey, IsCreatedOnceWithMode0600AndThenKept) {
  auto dir = std::filesystem::temp_directory_path() / ("portcullis-link-key-" + randomToken(6));
  std::filesystem::create_directories(dir);
  auto file = dir / "web-link.key";
  auto first = loadOrCreateLinkKey(file);
  ASSERT_TRUE(first) << first.error;
  EXPECT_EQ(first->size(), RecipientLinks::kKeyBytes);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = loadOrCreateLinkKey(file);
  ASSERT_TRUE(second) << second.error;
  EXPECT_EQ(*first, *second);
  std::ofstream(file, std::ios::trunc) << "short";
  EXPECT_FALSE(loadOrCreateLinkKey(file));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace portcullis::web
