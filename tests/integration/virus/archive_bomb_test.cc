// Archive bombs sent through the running gateway cost bounded work: libclamav stops at a scan
// limit, the message's log line names the limit (CLAMAV_LIMIT_*), the configured limit_action
// refuses the message with a reply naming it, the reply comes within the configured scan time,
// nothing reaches the internal MTA, and the same gateway then accepts and relays clean mail.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/integration/virus/virus_gateway.h"
#include "tests/unit/clamav/test_support.h"

namespace portcullis::test {
namespace {

namespace clamav_testing = portcullis::clamav::testing;

// [checks.clamav] max_scan_time of these tests; the bombs stop at other limits well before it.
constexpr std::chrono::seconds kMaxScanTime{20};

struct Bomb {
  const char* name;
  std::string (*build)();
  const char* symbol;     // the limit the message log line names
  const char* signature;  // what libclamav reports, named in the reply
  friend std::ostream& operator<<(std::ostream& out, const Bomb& b) { return out << b.name; }
};

// 40 zips, each holding the next: twice the default max_recursion (20).
std::string deeplyNestedZip() {
  return clamav_testing::nestedZip(40);
}

// A zip of eight gzip streams, each expanding to 256 MiB of zeros (2 GiB in all, about 2 MB
// sent): every stream is larger than the default max_file_size (25 MiB).
std::string zipOfZeroBombs() {
  static constexpr size_t kExpandedSize = 256u << 20;
  std::string zeros = clamav_testing::gzipOfZeros(kExpandedSize);
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < 8; ++i) entries.emplace_back("zeros-" + std::to_string(i) + ".gz", zeros);
  return clamav_testing::storedZip(entries);
}

class ArchiveBomb : public ::testing::TestWithParam<Bomb> {};

TEST_P(ArchiveBomb, StoppedByALimitWithinTheScanTimeAndTheGatewayStaysHealthy) {
  GatewaySettings settings;
  settings.extra = clamavTable("limit_action = \"reject\"\nmax_scan_time = \"" +
                               std::to_string(kMaxScanTime.count()) + "s\"\n");
  VirusGateway env(std::move(settings));
  std::string message =
      clamav_testing::mimeMessageWithAttachment(GetParam().name, GetParam().build());

  auto sent_at = std::chrono::steady_clock::now();
  SmtpReply reply = sendMessage(env.gateway.port(), message);
  auto elapsed = std::chrono::steady_clock::now() - sent_at;

  EXPECT_EQ(reply.code, 554) << reply.text << env.gateway.log();
  EXPECT_EQ(reply.text.rfind("554 5.7.0 ", 0), 0u) << reply.text;
  EXPECT_NE(reply.text.find(GetParam().signature), std::string::npos) << reply.text;
  EXPECT_LT(elapsed, kMaxScanTime);
  EXPECT_NE(env.gateway.log().find(std::string("symbols=") + GetParam().symbol + "("),
            std::string::npos)
      << env.gateway.log();

  ASSERT_TRUE(env.gateway.running()) << env.gateway.log();
  ASSERT_TRUE(sendSentinelAndWait(env, 1)) << env.gateway.log();
  EXPECT_EQ(nonSentinelCount(env.recorder), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Bombs, ArchiveBomb,
    ::testing::Values(Bomb{"nested.zip", deeplyNestedZip, "CLAMAV_LIMIT_MAX_RECURSION",
                           "Heuristics.Limits.Exceeded.MaxRecursion"},
                      Bomb{"zeros.zip", zipOfZeroBombs, "CLAMAV_LIMIT_MAX_FILE_SIZE",
                           "Heuristics.Limits.Exceeded.MaxFileSize"}),
    [](const auto& info) {
      std::string name = info.param.name;
      return name.substr(0, name.find('.'));
    });

}  // namespace
}  // namespace portcullis::test
