// Reloading: a new engine is swapped in while scans holding the old one keep working on it; a
// corrupt signature file keeps the old engine and says why; a change to the signature directory
// is noticed by the periodic check; with no signatures the scanner is unavailable and the check
// fails (so the pipeline applies its fail mode, tempfail by default).
#include <gtest/gtest.h>

#include <thread>

#include "filters/clamav/clamav_check.h"
#include "filters/clamav/engine_manager.h"
#include "tests/unit/clamav/test_support.h"

namespace portcullis::clamav {
namespace {

using namespace testing;
using namespace std::chrono_literals;

std::string hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// A body signature named Portcullis.Test.<name> on the text "<name>-marker-for-reload-tests".
void writeSignature(const std::filesystem::path& file, const std::string& name) {
  writeFile(file,
            "Portcullis.Test." + name + ":0:*:" + hex(name + "-marker-for-reload-tests") + "\n");
}

std::string sample(const std::string& name) {
  return "data " + name + "-marker-for-reload-tests";
}

EngineOptions optionsFor(const std::filesystem::path& dir) {
  EngineOptions options;
  options.signature_dirs = {dir, dir / "missing-directory-is-skipped"};
  return options;
}

// Waits (without asserting on time) until `done` holds; gives up after a generous bound.
template <typename Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 3000 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST(EngineManager, LoadsAtStartAndReportsStats) {
  TempDir dir;
  writeSignature(dir.path() / "a.ndb", "Alpha");
  EngineManager manager(optionsFor(dir.path()), 0ms);
  ASSERT_TRUE(manager.current());
  EngineStats stats = manager.stats();
  EXPECT_TRUE(stats.available);
  EXPECT_EQ(stats.signatures, 1u);
  EXPECT_EQ(stats.successful_reloads, 1u);
  EXPECT_EQ(stats.failed_reloads, 0u);
  EXPECT_TRUE(stats.last_reload.has_value());
  EXPECT_EQ(manager.current()->scan(sample("Alpha")).signature, "Portcullis.Test.Alpha.UNOFFICIAL");
}

TEST(EngineManager, ReloadSwapsWhileInFlightScansKeepTheOldEngine) {
  TempDir dir;
  writeSignature(dir.path() / "a.ndb", "Alpha");
  EngineManager manager(optionsFor(dir.path()), 0ms);
  std::shared_ptr<const Engine> in_flight = manager.current();

  writeSignature(dir.path() / "a.ndb", "Bravo");
  ReloadResult result = manager.reload();
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.signatures, 1u);

  std::shared_ptr<const Engine> fresh = manager.current();
  EXPECT_NE(fresh, in_flight);
  EXPECT_EQ(fresh->scan(sample("Bravo")).signature, "Portcullis.Test.Bravo.UNOFFICIAL");
  EXPECT_EQ(fresh->scan(sample("Alpha")).kind, ScanResult::Kind::Clean);
  EXPECT_EQ(in_flight->scan(sample("Alpha")).signature, "Portcullis.Test.Alpha.UNOFFICIAL");
  EXPECT_EQ(manager.stats().successful_reloads, 2u);
}

TEST(EngineManager, FailedReloadKeepsTheOldEngineAndSaysWhy) {
  TempDir dir;
  writeSignature(dir.path() / "a.ndb", "Alpha");
  EngineManager manager(optionsFor(dir.path()), 0ms);
  std::shared_ptr<const Engine> before = manager.current();

  writeFile(dir.path() / "corrupt.ndb", "this is not a signature\n");
  ReloadResult result = manager.reload();
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find(dir.path().string()), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("Malformed database"), std::string::npos) << result.error;

  EXPECT_EQ(manager.current(), before);
  EXPECT_EQ(manager.current()->scan(sample("Alpha")).signature, "Portcullis.Test.Alpha.UNOFFICIAL");
  EngineStats stats = manager.stats();
  EXPECT_TRUE(stats.available);
  EXPECT_EQ(stats.failed_reloads, 1u);
  EXPECT_EQ(stats.successful_reloads, 1u);
  EXPECT_EQ(stats.last_error, result.error);
}

TEST(EngineManager, ReloadIfChangedComparesTheFingerprint) {
  TempDir dir;
  writeSignature(dir.path() / "a.ndb", "Alpha");
  EngineManager manager(optionsFor(dir.path()), 0ms);
  EXPECT_FALSE(manager.reloadIfChanged().has_value());

  writeSignature(dir.path() / "b.ndb", "Charlie");
  std::optional<ReloadResult> result = manager.reloadIfChanged();
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok) << result->error;
  EXPECT_EQ(result->signatures, 2u);
  EXPECT_FALSE(manager.reloadIfChanged().has_value());
}

TEST(EngineManager, PeriodicCheckPicksUpChangedSignatures) {
  TempDir dir;
  writeSignature(dir.path() / "a.ndb", "Alpha");
  EngineManager manager(optionsFor(dir.path()), 20ms);
  writeSignature(dir.path() / "b.ndb", "Delta");
  ASSERT_TRUE(eventually([&] { return manager.stats().successful_reloads >= 2; }));
  EXPECT_EQ(manager.current()->scan(sample("Delta")).signature, "Portcullis.Test.Delta.UNOFFICIAL");
}

TEST(EngineManager, RequestReloadLoadsInTheBackground) {
  TempDir dir;
  writeSignature(dir.path() / "a.ndb", "Alpha");
  EngineManager manager(optionsFor(dir.path()), 0ms);
  manager.requestReload();
  ASSERT_TRUE(eventually([&] { return manager.stats().successful_reloads >= 2; }));
}

TEST(EngineManager, DirectoriesWithoutDatabasesAreSkipped) {
  TempDir dir, empty, only_notes;
  writeSignature(dir.path() / "a.ndb", "Alpha");
  writeFile(only_notes.path() / "README.md", "no databases here\n");
  EngineOptions options;
  options.signature_dirs = {empty.path(), dir.path(), only_notes.path()};
  EngineManager manager(options, 0ms);
  ASSERT_TRUE(manager.current()) << manager.stats().last_error;
  EXPECT_EQ(manager.current()->loadedDirs(), std::vector<std::filesystem::path>{dir.path()});
}

TEST(EngineManager, NoSignaturesMeansUnavailableUntilTheyArrive) {
  TempDir dir;
  EngineManager manager(optionsFor(dir.path()), 0ms);
  EXPECT_FALSE(manager.current());
  EngineStats stats = manager.stats();
  EXPECT_FALSE(stats.available);
  EXPECT_EQ(stats.failed_reloads, 1u);
  EXPECT_FALSE(stats.last_error.empty());

  writeSignature(dir.path() / "a.ndb", "Alpha");
  ASSERT_TRUE(manager.reload().ok);
  EXPECT_TRUE(manager.current());
}

TEST(ClamavCheck, UnavailableScannerThrowsAndFailModeIsTempfail) {
  TempDir dir;
  BuiltCheck built = buildClamavCheck("signature_dirs = [\"" + dir.path().string() + "\"]");
  EXPECT_EQ(built.check->failMode(), FailMode::TempFail);
  EXPECT_EQ(built.check->stage(), Stage::Message);
  EXPECT_EQ(built.check->name(), "clamav");
  Transaction tx = transactionWith(mimeMessageWithAttachment("eicar.com", eicar()));
  Report report;
  EXPECT_THROW(runCheck(*built.check, tx, report), ScannerUnavailable);
  EXPECT_TRUE(report.symbols().empty());
}

TEST(ClamavCheck, FailModeNeutralFromConfig) {
  BuiltCheck built = buildClamavCheck("signature_dirs = [\"" + kShippedSignatures.string() +
                                      "\"]\nfail_mode = \"neutral\"\n");
  EXPECT_EQ(built.check->failMode(), FailMode::Neutral);
}

}  // namespace
}  // namespace portcullis::clamav
