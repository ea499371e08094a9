// [checks.clamav] parsing: defaults, relative directories, validation errors with file:line, and
// what each kind of libclamav detection name maps to.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "filters/clamav/clamav_config.h"
#include "filters/clamav/detection.h"
#include "gateway/config/section.h"
#include "tests/unit/clamav/test_support.h"

namespace portcullis::clamav {
namespace {

using namespace std::chrono_literals;

ClamavSettings readFrom(const std::string& text,
                        const std::string& file = "/etc/portcullis/p.toml") {
  toml::table table = toml::parse(text, std::string_view(file));
  config::Section section(&table, "checks.clamav", file);
  ClamavSettings settings = ClamavSettings::read(section);
  section.finish();
  return settings;
}

TEST(ClamavSettings, Defaults) {
  ClamavSettings s = readFrom("");
  EXPECT_EQ(s.engine.signature_dirs, defaultSignatureDirs());
  EXPECT_EQ(s.engine.signature_dirs.at(0), testing::kShippedSignatures);
  EXPECT_EQ(s.engine.signature_dirs.at(1), "/var/lib/clamav");
  EXPECT_EQ(s.fail_mode, FailMode::TempFail);
  EXPECT_EQ(s.on_signature.action, Action::Reject);
  EXPECT_EQ(s.on_limit_exceeded.action, Action::Accept);
  EXPECT_EQ(s.on_encrypted.action, Action::Accept);
  EXPECT_EQ(s.reload_check_period, 5min);
  EXPECT_EQ(s.engine.limits.max_recursion, 20u);
  EXPECT_TRUE(s.engine.alert_exceeds_limits);
  EXPECT_TRUE(s.engine.alert_encrypted);
}

TEST(ClamavSettings, ReadsEveryOption) {
  ClamavSettings s = readFrom(
      "signature_dirs = [\"sigs\", \"/abs/sigs\"]\n"
      "max_scan_size = \"50M\"\nmax_file_size = \"10M\"\nmax_files = 500\nmax_recursion = 8\n"
      "max_scan_time = \"5s\"\nalert_exceeds_limits = false\nalert_encrypted = false\n"
      "temp_dir = \"/var/tmp\"\nreload_check_period = \"0s\"\nfail_mode = \"neutral\"\n"
      "action = \"quarantine\"\nscore = 7.5\nlimit_action = \"tag\"\nlimit_score = 1\n"
      "encrypted_action = \"reject\"\nencrypted_score = 2\n");
  EXPECT_EQ(s.engine.signature_dirs,
            (std::vector<std::filesystem::path>{"/etc/portcullis/sigs", "/abs/sigs"}));
  EXPECT_EQ(s.engine.limits.max_scan_size, 50u << 20);
  EXPECT_EQ(s.engine.limits.max_file_size, 10u << 20);
  EXPECT_EQ(s.engine.limits.max_files, 500u);
  EXPECT_EQ(s.engine.limits.max_recursion, 8u);
  EXPECT_EQ(s.engine.limits.max_scan_time, 5s);
  EXPECT_FALSE(s.engine.alert_exceeds_limits);
  EXPECT_FALSE(s.engine.alert_encrypted);
  EXPECT_EQ(s.engine.temp_dir, "/var/tmp");
  EXPECT_EQ(s.reload_check_period, 0ms);
  EXPECT_EQ(s.fail_mode, FailMode::Neutral);
  EXPECT_EQ(s.on_signature.action, Action::Quarantine);
  EXPECT_DOUBLE_EQ(s.on_signature.score, 7.5);
  EXPECT_EQ(s.on_limit_exceeded.action, Action::Tag);
  EXPECT_EQ(s.on_encrypted.action, Action::Reject);
}

TEST(ClamavSettings, ErrorsNameTheLine) {
  try {
    readFrom("max_files = 10\naction = \"explode\"\n", "p.toml");
    FAIL() << "no error";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.line(), 2);
  }
  EXPECT_THROW(readFrom("max_recursion = 0\n"), config::ConfigError);
  EXPECT_THROW(readFrom("signature_dir = [\"x\"]\n"), config::ConfigError) << "misspelt key";
}

TEST(Detection, MapsLibclamavNames) {
  EXPECT_EQ(classifyDetection("Portcullis.Test.EICAR.UNOFFICIAL").symbol, kVirusSymbol);
  EXPECT_EQ(classifyDetection("Heuristics.Limits.Exceeded.MaxRecursion").symbol,
            "CLAMAV_LIMIT_MAX_RECURSION");
  EXPECT_EQ(classifyDetection("Heuristics.Limits.Exceeded.MaxFileSize").symbol,
            "CLAMAV_LIMIT_MAX_FILE_SIZE");
  EXPECT_EQ(classifyDetection("Heuristics.Limits.Exceeded.MaxFiles").symbol,
            "CLAMAV_LIMIT_MAX_FILES");
  EXPECT_EQ(classifyDetection("Heuristics.Limits.Exceeded.MaxScanSize").symbol,
            "CLAMAV_LIMIT_MAX_SCAN_SIZE");
  EXPECT_EQ(classifyDetection("Heuristics.Limits.Exceeded.MaxScanTime").symbol,
            "CLAMAV_LIMIT_MAX_SCAN_TIME");
  EXPECT_EQ(classifyDetection("Heuristics.Limits.Exceeded.SomethingNew").symbol,
            "CLAMAV_LIMIT_EXCEEDED");
  Detection encrypted = classifyDetection("Heuristics.Encrypted.Zip");
  EXPECT_EQ(encrypted.kind, Detection::Kind::Encrypted);
  EXPECT_EQ(encrypted.symbol, kEncryptedSymbol);
  EXPECT_EQ(encrypted.signature, "Heuristics.Encrypted.Zip");
}

}  // namespace
}  // namespace portcullis::clamav
