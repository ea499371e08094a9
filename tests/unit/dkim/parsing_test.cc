// Tag lists, DKIM-Signature and key record parsing, canonicalisation (RFC 6376 §3.4.6 example),
// message splitting and author domains.
#include <gtest/gtest.h>

#include "filters/dkim/author.h"
#include "filters/dkim/canonicalization.h"
#include "filters/dkim/key_record.h"
#include "filters/dkim/message_fields.h"
#include "filters/dkim/signature.h"
#include "filters/dkim/tag_list.h"
#include "tests/unit/dkim/test_data.h"

namespace portcullis::dkim {
namespace {

TEST(TagList, ParsesValuesWithFoldingWhitespaceAndOffsets) {
  std::string_view text = " a = 1 ;\r\n b=x y ; c=";
  auto tags = parseTagList(text);
  ASSERT_TRUE(tags);
  ASSERT_EQ(tags->size(), 3u);
  EXPECT_EQ((*tags)[0].name, "a");
  EXPECT_EQ((*tags)[0].value, "1");
  EXPECT_EQ((*tags)[1].value, "x y");
  EXPECT_EQ(text.substr((*tags)[1].value_begin, (*tags)[1].value_end - (*tags)[1].value_begin),
            "x y ");
  EXPECT_EQ((*tags)[2].value, "");
}

TEST(TagList, RejectsMalformedLists) {
  EXPECT_FALSE(parseTagList("a=1; a=2"));  // duplicate
  EXPECT_FALSE(parseTagList("a=1; b"));    // no '='
  EXPECT_FALSE(parseTagList("1a=1"));      // bad name
  EXPECT_FALSE(parseTagList("a=1;;b=2"));  // empty spec in the middle
  EXPECT_TRUE(parseTagList("a=1; "));      // trailing ';' is fine
}

TEST(Signature, ParsesEveryTag) {
  auto sig = parseSignature(
      " v=1; a=rsa-sha256; c=relaxed/simple; d=Example.COM; s=sel;\r\n"
      " i=joe@sub.example.com; h=From : To; l=10; t=100; x=200; q=dns/txt;\r\n"
      " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAEC\r\n AwQF");
  ASSERT_TRUE(sig.ok()) << sig.error;
  EXPECT_EQ(sig.algorithm, Algorithm::RsaSha256);
  EXPECT_EQ(sig.header_canon, Canonicalization::Relaxed);
  EXPECT_EQ(sig.body_canon, Canonicalization::Simple);
  EXPECT_EQ(sig.domain, "example.com");
  EXPECT_EQ(sig.auid, "joe@sub.example.com");
  EXPECT_EQ(sig.signed_headers, (std::vector<std::string>{"from", "to"}));
  EXPECT_EQ(sig.body_length, 10u);
  EXPECT_EQ(sig.timestamp, 100);
  EXPECT_EQ(sig.expiration, 200);
  EXPECT_EQ(sig.signature, std::string("\x00\x01\x02\x03\x04\x05", 6));
  EXPECT_EQ(sig.body_hash.size(), 32u);
}

TEST(Signature, DefaultsAndErrors) {
  const std::string base = "v=1; a=rsa-sha256; d=example.com; s=s; bh=AAAA; b=AAAA; h=from";
  auto sig = parseSignature(base);
  ASSERT_TRUE(sig.ok()) << sig.error;
  EXPECT_EQ(sig.header_canon, Canonicalization::Simple);
  EXPECT_EQ(sig.body_canon, Canonicalization::Simple);
  EXPECT_EQ(sig.auid, "@example.com");
  EXPECT_EQ(parseSignature(base + "; c=relaxed").body_canon, Canonicalization::Simple);

  EXPECT_EQ(parseSignature("a=rsa-sha256; d=x; s=s; bh=AAAA; b=AAAA; h=from").error,
            "missing v= tag");
  EXPECT_EQ(parseSignature("v=1; a=rsa-sha256; d=example.com; s=s; bh=AAAA; b=AAAA; h=to").error,
            "From field not signed");
  EXPECT_EQ(parseSignature("v=1; a=rsa-sha512; d=x; s=s; bh=AAAA; b=AAAA; h=from").error,
            "unknown algorithm a=rsa-sha512");
  EXPECT_FALSE(parseSignature(base + "; i=joe@other.com").ok());
  EXPECT_FALSE(parseSignature(base + "; c=fancy").ok());
  EXPECT_FALSE(parseSignature(base + "; t=10; x=5").ok());
  EXPECT_FALSE(parseSignature(base + "; q=http").ok());
  EXPECT_FALSE(parseSignature(base + "; l=-1").ok());
  EXPECT_FALSE(parseSignature("v=1; a=rsa-sha256; d=x; s=s; bh=AAA; b=AAAA; h=from").ok());
}

TEST(KeyRecord, ParsesTags) {
  auto key = parseKeyRecord("v=DKIM1; k=ed25519; h=sha256; t=y:s; p=AAEC");
  ASSERT_TRUE(key.ok()) << key.error;
  EXPECT_EQ(key.key_type, "ed25519");
  EXPECT_EQ(key.hashes, std::vector<std::string>{"sha256"});
  EXPECT_TRUE(key.testing);
  EXPECT_TRUE(key.strict);
  EXPECT_EQ(key.public_key, std::string("\x00\x01\x02", 3));
  EXPECT_TRUE(parseKeyRecord("v=DKIM1; p=").revoked());
  EXPECT_FALSE(parseKeyRecord("k=rsa; v=DKIM1; p=AAEC").ok());  // v= must come first
  EXPECT_FALSE(parseKeyRecord("v=DKIM1; k=rsa").ok());          // no p=
}

TEST(Canonicalization, Rfc6376Example) {
  EXPECT_EQ(canonicalizeHeader("A: X\r\n", Canonicalization::Relaxed), "a:X\r\n");
  EXPECT_EQ(canonicalizeHeader("B : Y\t\r\n\tZ  \r\n", Canonicalization::Relaxed), "b:Y Z\r\n");
  EXPECT_EQ(canonicalizeHeader("B : Y\t\r\n\tZ  \r\n", Canonicalization::Simple),
            "B : Y\t\r\n\tZ  \r\n");
  std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(canonicalizeBody(body, Canonicalization::Relaxed), " C\r\nD E\r\n");
  EXPECT_EQ(canonicalizeBody(body, Canonicalization::Simple), " C \r\nD \t E\r\n");
}

TEST(Canonicalization, EmptyAndUnterminatedBodies) {
  EXPECT_EQ(canonicalizeBody("", Canonicalization::Simple), "\r\n");
  EXPECT_EQ(canonicalizeBody("", Canonicalization::Relaxed), "");
  EXPECT_EQ(canonicalizeBody("\r\n\r\n", Canonicalization::Relaxed), "");
  EXPECT_EQ(canonicalizeBody("abc", Canonicalization::Simple), "abc\r\n");
  EXPECT_EQ(canonicalizeBody("abc \t", Canonicalization::Relaxed), "abc\r\n");
  EXPECT_EQ(canonicalizeBody("a\r\n\r\nb\r\n", Canonicalization::Simple), "a\r\n\r\nb\r\n");
}

TEST(MessageFields, SplitsFoldedFieldsAndBody) {
  auto message = splitMessage("A: 1\r\n continued\r\nB :2\r\nbogus line\r\n\r\nbody\r\n");
  ASSERT_EQ(message.fields.size(), 2u);
  EXPECT_EQ(message.fields[0].name, "A");
  EXPECT_EQ(message.fields[0].value, " 1\r\n continued");
  EXPECT_EQ(message.fields[0].raw, "A: 1\r\n continued\r\n");
  EXPECT_EQ(message.fields[1].name, "B");
  EXPECT_EQ(message.body, "body\r\n");
  EXPECT_EQ(splitMessage("A: 1\r\n").body, "");
}

// OpenDMARC's From-domain extraction table (../shared/testdata/dmarc/opendmarc).
TEST(Author, OpenDmarcFromDomainTable) {
  std::string table = testing::readFile(std::filesystem::path(PORTCULLIS_SHARED_DIR) /
                                        "testdata/dmarc/opendmarc/from-domain-extraction.tsv");
  std::istringstream in(table);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    std::string value = line.substr(0, tab);
    std::string unescaped;
    for (size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '\\' && i + 1 < value.size()) ++i;
      unescaped.push_back(value[i]);
    }
    auto domains = mailboxDomains(unescaped);
    ASSERT_FALSE(domains.empty()) << unescaped;
    EXPECT_EQ(domains.front(), line.substr(tab + 1)) << unescaped;
    ++rows;
  }
  EXPECT_EQ(rows, 13);
}

TEST(Author, CollectsDistinctDomainsOfEveryFromField) {
  auto message = splitMessage(
      "From: A <a@Example.com>, b@other.org\r\nTo: x@y\r\nfrom: \"c@fake.test\" <c@example.com>\r\n"
      "\r\n");
  Author author = authorOf(message);
  EXPECT_EQ(author.from_fields, 2u);
  EXPECT_EQ(author.domains, (std::vector<std::string>{"example.com", "other.org"}));
  EXPECT_FALSE(author.has_mailbox_without_domain);
  EXPECT_TRUE(authorOf(splitMessage("From: undisclosed\r\n\r\n")).has_mailbox_without_domain);
  EXPECT_EQ(authorOf(splitMessage("To: a@b\r\n\r\n")).from_fields, 0u);
}

}  // namespace
}  // namespace portcullis::dkim
