// DMARC record parsing, organisational domains and alignment, against OpenDMARC's tables in
// ../shared/testdata/dmarc/opendmarc (with the mail-dmarc Public Suffix List snapshot).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "filters/dmarc/alignment.h"
#include "filters/dmarc/organizational_domain.h"
#include "filters/dmarc/record.h"

namespace portcullis::dmarc {
namespace {

const std::filesystem::path kData = std::filesystem::path(PORTCULLIS_SHARED_DIR) / "testdata/dmarc";

std::vector<std::vector<std::string>> readTsv(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> row;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '\t')) row.push_back(field);
    if (line.back() == '\t') row.emplace_back();
    rows.push_back(row);
  }
  return rows;
}

std::shared_ptr<const OrganizationalDomains> testPsl() {
  auto org = OrganizationalDomains::fromFile(kData / "mail-dmarc/public_suffix_list.dat");
  EXPECT_TRUE(org);
  return org;
}

// OpenDMARC statuses: DMARC_PARSE_OKAY, or an error. Our parser follows RFC 7489 §6.3/§6.6.3:
// a malformed optional value is ignored (falls back to its default) rather than failing the
// record, so OpenDMARC's BAD_VALUE for pct/adkim/aspf/rf/ri shows up as an ignored tag.
TEST(DmarcRecord, OpenDmarcParseTable) {
  auto rows = readTsv(kData / "opendmarc/dmarc-record-parse.tsv");
  ASSERT_EQ(rows.size(), 19u);
  for (const auto& row : rows) {
    const std::string& text = row[0];
    const std::string& expected = row[1];
    Record record = parseRecord(text);
    if (text == "v=DMARC1; p=n;") {
      // OpenDMARC accepts a prefix of "none"; RFC 7489 allows only none/quarantine/reject.
      EXPECT_FALSE(record.ok()) << text;
      continue;
    }
    if (expected == "DMARC_PARSE_OKAY") {
      EXPECT_TRUE(record.ok() && record.ignored.empty()) << text << ": " << record.error;
    } else if (expected == "DMARC_PARSE_ERROR_BAD_VALUE") {
      EXPECT_TRUE(!record.ok() || !record.ignored.empty()) << text;
    } else {
      EXPECT_FALSE(record.ok()) << text << " expected " << expected;
    }
  }
}

TEST(DmarcRecord, ReadsPolicyTags) {
  Record record = parseRecord("v=DMARC1; p=Reject; sp=quarantine; adkim=s; aspf=r; pct=20");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record.policy, Policy::Reject);
  EXPECT_EQ(record.subdomain_policy, Policy::Quarantine);
  EXPECT_EQ(record.dkim_alignment, AlignmentMode::Strict);
  EXPECT_EQ(record.spf_alignment, AlignmentMode::Relaxed);
  EXPECT_EQ(record.percent, 20);
  Record defaults = parseRecord("v=DMARC1; p=none");
  EXPECT_EQ(defaults.percent, 100);
  EXPECT_FALSE(defaults.subdomain_policy);
  EXPECT_EQ(defaults.dkim_alignment, AlignmentMode::Relaxed);
}

TEST(DmarcRecord, InvalidPolicyWithReportAddressMeansNone) {
  Record record = parseRecord("v=DMARC1; p=bogus; rua=mailto:d@example.com");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record.policy, Policy::None);
  EXPECT_FALSE(parseRecord("v=DMARC1; p=bogus").ok());
}

TEST(DmarcRecord, Candidates) {
  EXPECT_TRUE(isDmarcRecord("v=DMARC1; p=none"));
  EXPECT_TRUE(isDmarcRecord("v=DMARC1"));
  EXPECT_FALSE(isDmarcRecord("v=DMARC10; p=none"));
  EXPECT_FALSE(isDmarcRecord("v=spf1 -all"));
}

TEST(OrganizationalDomain, FromPublicSuffixList) {
  auto org = testPsl();
  EXPECT_EQ(org->of("a.b.c.bcx.com"), "bcx.com");
  EXPECT_EQ(org->of("mail.Example.CO.UK."), "example.co.uk");
  EXPECT_EQ(org->of("co.uk"), "co.uk");  // a public suffix is its own organisational domain
  EXPECT_EQ(OrganizationalDomains::latest()->of("a.example.com"), "example.com");
  EXPECT_FALSE(OrganizationalDomains::fromFile("/nonexistent/psl.dat"));
}

// OpenDMARC's alignment table: 0 = aligned, -1 = not.
TEST(Alignment, OpenDmarcTable) {
  auto org = testPsl();
  auto rows = readTsv(kData / "opendmarc/alignment.tsv");
  ASSERT_EQ(rows.size(), 10u);
  for (const auto& row : rows) {
    AlignmentMode mode =
        row[2] == "DMARC_RECORD_A_STRICT" ? AlignmentMode::Strict : AlignmentMode::Relaxed;
    EXPECT_EQ(aligned(row[0], row[1], mode, *org), row[3] == "0") << row[0] << " " << row[1];
  }
}

TEST(Alignment, StrictAndRelaxed) {
  auto org = testPsl();
  EXPECT_TRUE(aligned("mail.example.com", "example.com", AlignmentMode::Relaxed, *org));
  EXPECT_FALSE(aligned("mail.example.com", "example.com", AlignmentMode::Strict, *org));
  EXPECT_FALSE(aligned("example.org", "example.com", AlignmentMode::Relaxed, *org));
  EXPECT_FALSE(aligned("a.co.uk", "b.co.uk", AlignmentMode::Relaxed, *org));
  EXPECT_FALSE(aligned("", "example.com", AlignmentMode::Relaxed, *org));
}

}  // namespace
}  // namespace portcullis::dmarc
