// What the attachment policy finds for one attachment: blocked and scored extensions (also
// double extensions and names inside zip archives), declared MIME types, content types by magic
// bytes, and content that disagrees with what the name or type claims.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "filters/attachments/attachment_policy.h"
#include "tests/unit/attachments/zip_builder.h"

namespace portcullis::attachments {
namespace {

using portcullis::testing::buildZip;

std::string clamExe() {
  std::ifstream in("/usr/share/clamav-testfiles/clam.exe", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const Finding* find(const std::vector<Finding>& findings, std::string_view symbol) {
  auto it = std::find_if(findings.begin(), findings.end(),
                         [&](const Finding& f) { return f.symbol == symbol; });
  return it == findings.end() ? nullptr : &*it;
}

std::vector<std::string_view> symbols(const std::vector<Finding>& findings) {
  std::vector<std::string_view> out;
  for (const Finding& f : findings) out.push_back(f.symbol);
  return out;
}

const AttachmentPolicy kPolicy = AttachmentPolicy::defaults();

TEST(AttachmentPolicy, HarmlessAttachmentsFindNothing) {
  EXPECT_TRUE(evaluate({"report.pdf", "application/pdf", "%PDF-1.4 ..."}, kPolicy).empty());
  EXPECT_TRUE(evaluate({"notes.txt", "text/plain", "hello"}, kPolicy).empty());
  EXPECT_TRUE(evaluate({"", "application/octet-stream", "data"}, kPolicy).empty());
  EXPECT_TRUE(
      evaluate({"photos.zip", "application/zip", buildZip({{"a.jpg", "\xff\xd8\xff"}})}, kPolicy)
          .empty());
}

TEST(AttachmentPolicy, BlocksExecutableExtensions) {
  auto findings =
      evaluate({"setup.EXE", "application/octet-stream", "not a real program"}, kPolicy);
  const Finding* f = find(findings, kBlockedExtension);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->blocks);
  EXPECT_DOUBLE_EQ(f->score, kPolicy.blocked_score);
  EXPECT_EQ(f->detail, "setup.EXE");
  EXPECT_FALSE(find(findings, kDoubleExtension));
}

TEST(AttachmentPolicy, DoubleExtensionIsBlockedAndScored) {
  auto findings = evaluate({"invoice.pdf.exe", "application/pdf", clamExe()}, kPolicy);
  EXPECT_TRUE(find(findings, kBlockedExtension));
  const Finding* dbl = find(findings, kDoubleExtension);
  ASSERT_TRUE(dbl);
  EXPECT_DOUBLE_EQ(dbl->score, kPolicy.double_extension_score);
  EXPECT_TRUE(find(findings, kBlockedContent));
  EXPECT_TRUE(find(findings, kTypeMismatch)) << "PE content declared application/pdf";
}

TEST(AttachmentPolicy, ScoresRiskyExtensions) {
  auto findings = evaluate({"budget.xlsm", "application/vnd.ms-excel.sheet.macroenabled.12",
                            buildZip({{"xl/workbook.xml", "<x/>"}})},
                           kPolicy);
  const Finding* f = find(findings, kScoredExtension);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->blocks);
  EXPECT_DOUBLE_EQ(f->score, kPolicy.extension_score);
  EXPECT_EQ(symbols(findings).size(), 1u) << "xlsm is a zip: no mismatch";
}

TEST(AttachmentPolicy, BidiControlInNameIsScored) {
  auto findings = evaluate({"invoice\xe2\x80\xae"
                            "fdp.exe",
                            "application/pdf", "x"},
                           kPolicy);
  EXPECT_TRUE(find(findings, kBidiName));
  EXPECT_TRUE(find(findings, kBlockedExtension));
}

TEST(AttachmentPolicy, DeclaredMimeTypes) {
  auto blocked = evaluate({"", "Application/X-MSDownload", "x"}, kPolicy);
  const Finding* b = find(blocked, kBlockedMimeType);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->blocks);
  EXPECT_NE(b->detail.find("application/x-msdownload"), std::string::npos);

  auto scored = evaluate({"script", "application/javascript", "alert(1)"}, kPolicy);
  const Finding* s = find(scored, kScoredMimeType);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->blocks);
}

TEST(AttachmentPolicy, ProgramContentIsBlockedWhateverTheName) {
  auto findings = evaluate({"holiday.jpg", "image/jpeg", clamExe()}, kPolicy);
  const Finding* content = find(findings, kBlockedContent);
  ASSERT_TRUE(content);
  EXPECT_TRUE(content->blocks);
  EXPECT_NE(content->detail.find("pe content"), std::string::npos);
  EXPECT_TRUE(find(findings, kTypeMismatch));
}

TEST(AttachmentPolicy, MismatchWithoutBlocking) {
  auto findings = evaluate({"report.pdf", "application/pdf", buildZip({{"a.txt", "x"}})}, kPolicy);
  EXPECT_EQ(symbols(findings), std::vector<std::string_view>{kTypeMismatch});
}

TEST(AttachmentPolicy, NamesInsideZipArchives) {
  std::string zip = buildZip({{"readme.txt", "x"}, {"docs/invoice.pdf.scr", "x"}, {"m.docm", ""}});
  auto findings = evaluate({"documents.zip", "application/zip", zip}, kPolicy);
  const Finding* blocked = find(findings, kArchiveBlockedExtension);
  ASSERT_TRUE(blocked);
  EXPECT_TRUE(blocked->blocks);
  EXPECT_EQ(blocked->detail, "documents.zip: docs/invoice.pdf.scr");
  EXPECT_TRUE(find(findings, kArchiveDoubleExtension));
  EXPECT_TRUE(find(findings, kArchiveScoredExtension));
  EXPECT_FALSE(find(findings, kBlockedExtension));
}

TEST(AttachmentPolicy, ZipFoundByContentEvenWithAnotherName) {
  auto findings =
      evaluate({"data.bin", "application/octet-stream", buildZip({{"run.exe", "x"}})}, kPolicy);
  EXPECT_TRUE(find(findings, kArchiveBlockedExtension));
}

TEST(AttachmentPolicy, UnreadableZipIsScored) {
  auto findings = evaluate({"a.zip", "application/zip", "PK\x03\x04 broken"}, kPolicy);
  EXPECT_TRUE(find(findings, kArchiveUnreadable));
}

TEST(AttachmentPolicy, ArchiveInspectionCanBeTurnedOff) {
  AttachmentPolicy policy = kPolicy;
  policy.inspect_archives = false;
  EXPECT_TRUE(evaluate({"a.zip", "application/zip", buildZip({{"run.exe", "x"}})}, policy).empty());
}

TEST(AttachmentPolicy, ListsComeFromThePolicy) {
  AttachmentPolicy policy;
  policy.scored_extensions = {"exe"};
  auto findings = evaluate({"tool.exe", "", "not a program"}, policy);
  EXPECT_EQ(symbols(findings), std::vector<std::string_view>{kScoredExtension});
}

}  // namespace
}  // namespace portcullis::attachments
