// The shipped signatures (signatures/) loaded into a real libclamav engine detect EICAR and every
// file of Debian's clamav-testfiles, as raw files and as base64 MIME attachments scanned through
// the "clamav" check, and name the signature; each signature file also works on its own.
#include <gtest/gtest.h>

#include <ostream>

#include "filters/clamav/detection.h"
#include "filters/clamav/engine.h"
#include "tests/unit/clamav/test_support.h"

namespace portcullis::clamav {
namespace {

using namespace testing;

// Every file of the clamav-testfiles package (1.4): packed executables, archives, documents.
const char* const kTestFileNames[] = {
    "clam-aspack.exe",
    "clam-fsg.exe",
    "clam-mew.exe",
    "clam-nsis.exe",
    "clam-pespin.exe",
    "clam-petite.exe",
    "clam-upack.exe",
    "clam-upx.exe",
    "clam-wwpack.exe",
    "clam-yc.exe",
    "clam.7z",
    "clam.arj",
    "clam.bin-be.cpio",
    "clam.bin-le.cpio",
    "clam.bz2.zip",
    "clam.cab",
    "clam.chm",
    "clam.d64.zip",
    "clam.ea05.exe",
    "clam.ea06.exe",
    "clam.exe",
    "clam.exe.binhex",
    "clam.exe.bz2",
    "clam.exe.html",
    "clam.exe.mbox.base64",
    "clam.exe.mbox.uu",
    "clam.exe.rtf",
    "clam.exe.szdd",
    "clam.impl.zip",
    "clam.mail",
    "clam.newc.cpio",
    "clam.odc.cpio",
    "clam.ole.doc",
    "clam.pdf",
    "clam.ppt",
    "clam.sis",
    "clam.tar.gz",
    "clam.tnef",
    "clam.zip",
    "clam_IScab_ext.exe",
    "clam_IScab_int.exe",
    "clam_ISmsi_ext.exe",
    "clam_ISmsi_int.exe",
    "clam_cache_emax.tgz",
};

bool isShippedClamExeSignature(const std::string& name) {
  for (const char* expected : {"Portcullis.Test.ClamExe.Code", "Portcullis.Test.ClamExe.MD5",
                               "Portcullis.Test.ClamExe.PE"}) {
    if (name == std::string(expected) + ".UNOFFICIAL") return true;
  }
  return false;
}

std::shared_ptr<const Engine> loadEngine(const std::filesystem::path& dir) {
  EngineOptions options;
  options.signature_dirs = {dir};
  LoadResult loaded = Engine::load(options);
  if (!loaded.engine) throw std::runtime_error(loaded.error);
  return loaded.engine;
}

const Engine& shippedEngine() {
  static std::shared_ptr<const Engine> engine = loadEngine(kShippedSignatures);
  return *engine;
}

TEST(ShippedSignatures, PackageHoldsAllTestFiles) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kTestFiles)) {
    if (entry.is_regular_file()) ++files;
  }
  EXPECT_EQ(files, std::size(kTestFileNames)) << "clamav-testfiles changed: update the list";
}

TEST(ShippedSignatures, DetectEicarAsRawFile) {
  ScanResult r = shippedEngine().scan(eicar());
  ASSERT_EQ(r.kind, ScanResult::Kind::Detected) << r.error;
  EXPECT_EQ(r.signature, "Portcullis.Test.EICAR.UNOFFICIAL");
}

TEST(ShippedSignatures, CheckRejectsEicarAttachmentNamingTheSignature) {
  BuiltCheck built = buildClamavCheck("signature_dirs = [\"" + kShippedSignatures.string() + "\"]");
  Transaction tx = transactionWith(mimeMessageWithAttachment("eicar.com", eicar()));
  Report report;
  runCheck(*built.check, tx, report);
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, kVirusSymbol);
  EXPECT_EQ(symbols[0].detail, "Portcullis.Test.EICAR.UNOFFICIAL");
  auto forced = report.forced();
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->action, Action::Reject);
  EXPECT_EQ(forced->smtp_code, "554");
  EXPECT_EQ(forced->enhanced, "5.7.0");
  EXPECT_NE(forced->reply_text.find("Portcullis.Test.EICAR"), std::string::npos);
}

TEST(ShippedSignatures, DefaultConfigurationLoadsThem) {
  BuiltCheck built = buildClamavCheck("");
  Transaction tx = transactionWith(mimeMessageWithAttachment("eicar.com", eicar()));
  Report report;
  runCheck(*built.check, tx, report);
  EXPECT_TRUE(report.hasSymbol(kVirusSymbol));
}

class ClamTestFile : public ::testing::TestWithParam<const char*> {};

TEST_P(ClamTestFile, DetectedAsRawFile) {
  ScanResult r = shippedEngine().scan(readFile(kTestFiles / GetParam()));
  ASSERT_EQ(r.kind, ScanResult::Kind::Detected) << r.error;
  EXPECT_TRUE(isShippedClamExeSignature(r.signature)) << r.signature;
}

TEST_P(ClamTestFile, DetectedAsMimeAttachmentThroughTheCheck) {
  static BuiltCheck built =
      buildClamavCheck("signature_dirs = [\"" + kShippedSignatures.string() + "\"]");
  Transaction tx =
      transactionWith(mimeMessageWithAttachment(GetParam(), readFile(kTestFiles / GetParam())));
  Report report;
  runCheck(*built.check, tx, report);
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, kVirusSymbol);
  EXPECT_TRUE(isShippedClamExeSignature(symbols[0].detail)) << symbols[0].detail;
  auto forced = report.forced();
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->action, Action::Reject);
  EXPECT_EQ(forced->smtp_code, "554");
  EXPECT_EQ(forced->enhanced, "5.7.0");
  EXPECT_NE(forced->reply_text.find(symbols[0].detail), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllFiles, ClamTestFile, ::testing::ValuesIn(kTestFileNames),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Each shipped signature file alone detects every test file: the body signature and the logical
// signature match the test program after libclamav unpacked it, the MD5 signature matches the
// unpacked program byte for byte.
struct SignatureFileCase {
  const char* file;
  const char* signature;
  friend std::ostream& operator<<(std::ostream& out, const SignatureFileCase& c) {
    return out << c.file;
  }
};

class SingleSignatureFile : public ::testing::TestWithParam<SignatureFileCase> {};

TEST_P(SingleSignatureFile, DetectsEveryTestFileOnItsOwn) {
  TempDir dir;
  std::filesystem::copy_file(kShippedSignatures / GetParam().file, dir.path() / GetParam().file);
  std::shared_ptr<const Engine> engine = loadEngine(dir.path());
  for (const char* name : kTestFileNames) {
    ScanResult r = engine->scan(readFile(kTestFiles / name));
    EXPECT_EQ(r.kind, ScanResult::Kind::Detected) << name << " " << r.error;
    EXPECT_EQ(r.signature, std::string(GetParam().signature) + ".UNOFFICIAL") << name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shipped, SingleSignatureFile,
    ::testing::Values(SignatureFileCase{"portcullis-test.ndb", "Portcullis.Test.ClamExe.Code"},
                      SignatureFileCase{"portcullis-test.hdb", "Portcullis.Test.ClamExe.MD5"},
                      SignatureFileCase{"portcullis-test.ldb", "Portcullis.Test.ClamExe.PE"}),
    [](const auto& info) {
      std::string name = info.param.file;
      return name.substr(name.size() - 3);
    });

}  // namespace
}  // namespace portcullis::clamav
