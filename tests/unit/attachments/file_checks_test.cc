// The pure parts of the attachment policy: magic-byte detection and type claims, file-name
// analysis (double extensions, hiding tricks), and the zip central-directory reader.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "filters/attachments/file_name.h"
#include "filters/attachments/file_type.h"
#include "filters/attachments/zip_directory.h"
#include "tests/unit/attachments/zip_builder.h"

namespace portcullis::attachments {
namespace {

using portcullis::testing::buildZip;
using portcullis::testing::ZipOptions;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileType, DetectsByMagicBytes) {
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.exe")), FileType::Pe);
  EXPECT_EQ(detectFileType(readFile("/bin/true")), FileType::Elf);
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.zip")), FileType::Zip);
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.pdf")), FileType::Pdf);
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.ole.doc")), FileType::Ole2);
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.7z")), FileType::SevenZip);
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.cab")), FileType::Cab);
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.tar.gz")), FileType::Gzip);
  EXPECT_EQ(detectFileType(readFile("/usr/share/clamav-testfiles/clam.exe.rtf")), FileType::Rtf);
  EXPECT_EQ(detectFileType(std::string("\x89PNG\r\n\x1a\n....", 12)), FileType::Png);
  EXPECT_EQ(detectFileType("GIF89a..."), FileType::Gif);
  EXPECT_EQ(detectFileType("plain text"), FileType::Unknown);
  EXPECT_EQ(detectFileType(""), FileType::Unknown);
}

TEST(FileType, TextStartingWithMzIsNotAProgram) {
  EXPECT_EQ(detectFileType("MZ Bank statement for November, see the table below. " +
                           std::string(100, 'x')),
            FileType::Unknown);
}

TEST(FileType, NamesRoundTrip) {
  EXPECT_EQ(toString(FileType::Pe), "pe");
  EXPECT_EQ(parseFileType("ole2"), FileType::Ole2);
  EXPECT_FALSE(parseFileType("unknown"));
  EXPECT_FALSE(parseFileType("exe"));
}

TEST(FileType, ContradictionsBetweenContentAndClaims) {
  EXPECT_TRUE(contradicts(FileType::Pe, typesClaimedByMimeType("application/pdf")));
  EXPECT_TRUE(contradicts(FileType::Pe, typesClaimedByExtension("pdf")));
  EXPECT_TRUE(contradicts(FileType::Pe, typesClaimedByMimeType("text/plain")));
  EXPECT_TRUE(contradicts(FileType::Zip, typesClaimedByExtension("txt")));
  EXPECT_FALSE(contradicts(FileType::Pe, typesClaimedByMimeType("application/octet-stream")));
  EXPECT_FALSE(contradicts(FileType::Pe, typesClaimedByExtension("exe")));
  EXPECT_FALSE(contradicts(FileType::Zip,
                           typesClaimedByMimeType("application/vnd.openxmlformats-officedocument."
                                                  "wordprocessingml.document")));
  EXPECT_FALSE(contradicts(FileType::Zip, typesClaimedByExtension("docx")));
  EXPECT_FALSE(contradicts(FileType::Rtf, typesClaimedByExtension("doc")));
  EXPECT_FALSE(contradicts(FileType::Jpeg, typesClaimedByMimeType("image/png")))
      << "an image labelled as another image is harmless";
  EXPECT_TRUE(contradicts(FileType::Pe, typesClaimedByMimeType("image/png")));
  EXPECT_FALSE(contradicts(FileType::Unknown, typesClaimedByExtension("pdf")));
}

TEST(FileName, FindsExtensionAndTheOneBefore) {
  FileName n = analyzeFileName("Invoice.PDF.exe");
  EXPECT_EQ(n.normalized, "invoice.pdf.exe");
  EXPECT_EQ(n.extension, "exe");
  EXPECT_EQ(n.inner_extension, "pdf");
  EXPECT_FALSE(n.has_bidi_control);

  EXPECT_EQ(analyzeFileName("report.pdf").inner_extension, "");
  EXPECT_EQ(analyzeFileName("noextension").extension, "");
  EXPECT_EQ(analyzeFileName(".profile").extension, "");
  EXPECT_EQ(analyzeFileName("").extension, "");
}

TEST(FileName, UndoesHidingTricks) {
  EXPECT_EQ(analyzeFileName("payload.exe. . ").extension, "exe");
  FileName spaced = analyzeFileName("invoice.pdf      .scr");
  EXPECT_EQ(spaced.extension, "scr");
  EXPECT_EQ(spaced.inner_extension, "pdf");
  EXPECT_EQ(analyzeFileName("dir/sub\\evil.VBS").normalized, "evil.vbs");
  // "invoice" U+202E "fdp.exe" displays as "invoiceexe.pdf".
  FileName bidi = analyzeFileName(
      "invoice\xe2\x80\xae"
      "fdp.exe");
  EXPECT_TRUE(bidi.has_bidi_control);
  EXPECT_EQ(bidi.extension, "exe");
  EXPECT_EQ(analyzeFileName(std::string("a.exe\0.txt", 10)).extension, "txt");
}

TEST(ZipDirectory, ListsNamesAndFlags) {
  ZipDirectory dir =
      readZipDirectory(buildZip({{"docs/readme.txt", "hi"}, {"run.exe", "MZ"}}), 100);
  ASSERT_TRUE(dir.readable);
  EXPECT_FALSE(dir.truncated);
  ASSERT_EQ(dir.entries.size(), 2u);
  EXPECT_EQ(dir.entries[0].name, "docs/readme.txt");
  EXPECT_EQ(dir.entries[1].name, "run.exe");
  EXPECT_EQ(dir.entries[1].uncompressed_size, 2u);
  EXPECT_FALSE(dir.entries[1].encrypted);

  ZipDirectory encrypted = readZipDirectory(buildZip({{"a.txt", "x"}}, {.flags = 1}), 100);
  ASSERT_TRUE(encrypted.readable);
  EXPECT_TRUE(encrypted.entries.at(0).encrypted);
}

TEST(ZipDirectory, ReadsRealArchives) {
  ZipDirectory dir = readZipDirectory(readFile("/usr/share/clamav-testfiles/clam.zip"), 100);
  ASSERT_TRUE(dir.readable);
  ASSERT_EQ(dir.entries.size(), 1u);
  EXPECT_EQ(dir.entries[0].name, "clam.exe");
}

TEST(ZipDirectory, HandlesZip64AndPrependedData) {
  ZipDirectory z64 = readZipDirectory(buildZip({{"big.bin", "data"}}, {.zip64 = true}), 100);
  ASSERT_TRUE(z64.readable);
  EXPECT_EQ(z64.entries.at(0).name, "big.bin");

  ZipDirectory sfx =
      readZipDirectory(buildZip({{"setup.exe", "x"}}, {.prefix = std::string(5000, 'S')}), 100);
  ASSERT_TRUE(sfx.readable);
  EXPECT_EQ(sfx.entries.at(0).name, "setup.exe");
}

TEST(ZipDirectory, StopsAtTheEntryLimit) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < 50; ++i) entries.emplace_back("f" + std::to_string(i), "");
  ZipDirectory dir = readZipDirectory(buildZip(entries), 10);
  EXPECT_TRUE(dir.readable);
  EXPECT_TRUE(dir.truncated);
  EXPECT_EQ(dir.entries.size(), 10u);
}

TEST(ZipDirectory, RejectsDamagedArchivesWithoutReadingOutOfBounds) {
  std::string zip = buildZip({{"a.exe", "hello"}, {"b.txt", "world"}});
  EXPECT_FALSE(readZipDirectory("PK\x03\x04 not really", 100).readable);
  EXPECT_FALSE(readZipDirectory("", 100).readable);
  for (size_t cut = 1; cut < zip.size(); ++cut) {
    ZipDirectory d = readZipDirectory(std::string_view(zip).substr(0, cut), 100);
    EXPECT_FALSE(d.readable) << "cut at " << cut;
  }
  std::string bad_count = zip;
  bad_count[bad_count.size() - 12] = 50;  // claims 50 entries in the directory
  EXPECT_FALSE(readZipDirectory(bad_count, 100).readable);
}

}  // namespace
}  // namespace portcullis::attachments
