// Clean mail produces no ClamAV finding: every message of the development corpus groups (ham and
// spam, neither carrying malware) passes the "clamav" check with the shipped signatures.
#include <gtest/gtest.h>

#include "tests/unit/clamav/test_support.h"

namespace portcullis::clamav {
namespace {

using namespace testing;

class CorpusGroup : public ::testing::TestWithParam<const char*> {};

TEST_P(CorpusGroup, NoDetections) {
  const std::filesystem::path group = kCorpus / GetParam();
  ASSERT_TRUE(std::filesystem::is_directory(group))
      << group << " is missing: run tests/support/fetch-corpus.sh " << kCorpus.string();
  BuiltCheck built = buildClamavCheck("signature_dirs = [\"" + kShippedSignatures.string() + "\"]");
  size_t scanned = 0;
  for (const auto& entry : std::filesystem::directory_iterator(group)) {
    if (entry.path().extension() != ".txt") continue;
    Transaction tx = transactionWith(readFile(entry.path()));
    Report report;
    runCheck(*built.check, tx, report);
    EXPECT_TRUE(report.symbols().empty()) << entry.path() << ": " << report.symbols()[0].detail;
    EXPECT_FALSE(report.forced()) << entry.path();
    ++scanned;
  }
  EXPECT_GT(scanned, 100u) << "corpus group " << group << " is nearly empty";
}

INSTANTIATE_TEST_SUITE_P(Groups, CorpusGroup, ::testing::Values("easy-ham-1", "spam-1"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace portcullis::clamav
