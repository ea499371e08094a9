// Archive bombs cost bounded work: libclamav stops at the configured limit, the check reports
// which limit was hit (and forces the configured action), and the scanner keeps working after.
// Encrypted archives get their own symbol.
#include <gtest/gtest.h>

#include "filters/clamav/detection.h"
#include "tests/unit/clamav/test_support.h"

namespace portcullis::clamav {
namespace {

using namespace testing;

std::string config(const std::string& extra) {
  return "signature_dirs = [\"" + kShippedSignatures.string() + "\"]\n" + extra;
}

Report scan(const BuiltCheck& built, std::string_view filename, const std::string& content) {
  Transaction tx = transactionWith(mimeMessageWithAttachment(filename, content));
  Report report;
  runCheck(*built.check, tx, report);
  return report;
}

void expectStillDetectsEicar(const BuiltCheck& built) {
  Report after = scan(built, "eicar.com", eicar());
  EXPECT_TRUE(after.hasSymbol(kVirusSymbol)) << "the scanner stopped working after the bomb";
}

TEST(ScanLimits, NestedZipStopsAtMaxRecursion) {
  BuiltCheck built = buildClamavCheck(config("max_recursion = 10\n"));
  Report report = scan(built, "bomb.zip", nestedZip(40));
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, "CLAMAV_LIMIT_MAX_RECURSION");
  EXPECT_EQ(symbols[0].detail, "Heuristics.Limits.Exceeded.MaxRecursion");
  EXPECT_DOUBLE_EQ(symbols[0].score, 3.0);
  EXPECT_FALSE(report.forced()) << "by default a limit only scores";
  expectStillDetectsEicar(built);
}

TEST(ScanLimits, CompressedZerosStopAtMaxFileSize) {
  BuiltCheck built = buildClamavCheck(config("max_file_size = \"8M\"\nmax_scan_size = \"64M\"\n"));
  Report report = scan(built, "zeros.gz", gzipOfZeros(256u << 20));
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, "CLAMAV_LIMIT_MAX_FILE_SIZE");
  EXPECT_EQ(symbols[0].detail, "Heuristics.Limits.Exceeded.MaxFileSize");
  expectStillDetectsEicar(built);
}

TEST(ScanLimits, ManyEntriesStopAtMaxFiles) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < 300; ++i) entries.emplace_back("f" + std::to_string(i) + ".txt", "x");
  BuiltCheck built = buildClamavCheck(config("max_files = 100\nlimit_action = \"reject\"\n"));
  Report report = scan(built, "many.zip", storedZip(entries));
  EXPECT_TRUE(report.hasSymbol("CLAMAV_LIMIT_MAX_FILES"));
  auto forced = report.forced();
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->action, Action::Reject);
  EXPECT_EQ(forced->smtp_code, "554");
  EXPECT_NE(forced->reply_text.find("MaxFiles"), std::string::npos);
  expectStillDetectsEicar(built);
}

TEST(ScanLimits, NoSymbolWhenLimitAlertsAreOff) {
  BuiltCheck built = buildClamavCheck(config("max_recursion = 10\nalert_exceeds_limits = false\n"));
  Report report = scan(built, "bomb.zip", nestedZip(40));
  EXPECT_TRUE(report.symbols().empty());
}

TEST(EncryptedArchives, GetTheirOwnSymbol) {
  BuiltCheck built = buildClamavCheck(config("encrypted_action = \"quarantine\"\n"));
  Report report = scan(built, "secret.zip", encryptedZip());
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, kEncryptedSymbol);
  EXPECT_EQ(symbols[0].detail, "Heuristics.Encrypted.Zip");
  auto forced = report.forced();
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->action, Action::Quarantine);
}

TEST(EncryptedArchives, PlainZipIsClean) {
  BuiltCheck built = buildClamavCheck(config(""));
  Report report = scan(built, "plain.zip", storedZip({{"a.txt", "hello"}}));
  EXPECT_TRUE(report.symbols().empty());
}

}  // namespace
}  // namespace portcullis::clamav
