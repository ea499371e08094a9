// The quarantine end to end: with [checks.clamav] action = "quarantine" the running gateway
// answers 250 for an infected message and relays nothing; `portcullis quarantine list` shows it,
// also after a restart; `portcullis quarantine release` queues a copy (marked with
// X-Portcullis-Released) that the gateway's queue delivers exactly once — at once when the gateway
// runs, at its next start when it does not; `delete` removes an entry for good.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/integration/virus/virus_gateway.h"
#include "tests/support/json_lines.h"
#include "tests/support/run_command.h"
#include "tests/unit/clamav/test_support.h"

namespace portcullis::test {
namespace {

namespace clamav_testing = portcullis::clamav::testing;

// How long a test watches the recorder for a second copy: several queue scans
// (GatewayProcess configures queue.scan_interval = 200ms).
constexpr std::chrono::seconds kDuplicateWatch{2};

GatewaySettings quarantiningViruses() {
  GatewaySettings settings;
  settings.extra = clamavTable("action = \"quarantine\"\n");
  return settings;
}

CommandResult quarantineCommand(const VirusGateway& env, std::vector<std::string> args) {
  args.insert(args.begin(), {portcullisBinary().string(), "quarantine"});
  args.insert(args.end(), {"-c", env.gateway.configPath().string()});
  return runCommand(args);
}

// The ids `portcullis quarantine list --json` prints; fails the test when the command fails.
std::set<std::string> listedIds(const VirusGateway& env) {
  CommandResult listed = quarantineCommand(env, {"list", "--json"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  std::set<std::string> ids;
  for (const auto& entry : jsonLines(listed.output)) ids.emplace(jsonString(entry, "id"));
  return ids;
}

// Sends an EICAR attachment and returns the quarantine id from the 250 reply.
std::string quarantineEicar(VirusGateway& env) {
  SmtpReply reply = sendMessage(env.gateway.port(), clamav_testing::mimeMessageWithAttachment(
                                                        "eicar.com", clamav_testing::eicar()));
  EXPECT_EQ(reply.code, 250) << reply.text << env.gateway.log();
  std::string id = queuedId(reply);
  EXPECT_FALSE(id.empty()) << reply.text;
  return id;
}

// The recorded messages that are released copies of quarantine entry `id`.
size_t releasedCopies(const RecordingMta& recorder, const std::string& id) {
  size_t n = 0;
  for (const auto& m : recorder.messages()) {
    n += m.data.rfind("X-Portcullis-Released: " + id + " ", 0) == 0;
  }
  return n;
}

TEST(QuarantineRoundTrip, ListedAcrossARestartReleasedExactlyOnceAndDeleted) {
  VirusGateway env(quarantiningViruses());
  std::string released = quarantineEicar(env);
  std::string deleted = quarantineEicar(env);
  ASSERT_FALSE(released.empty());
  ASSERT_NE(released, deleted);
  ASSERT_TRUE(sendSentinelAndWait(env, 1)) << env.gateway.log();
  EXPECT_EQ(nonSentinelCount(env.recorder), 0u) << "a quarantined message was relayed";

  EXPECT_EQ(listedIds(env), (std::set<std::string>{released, deleted}));
  CommandResult shown = quarantineCommand(env, {"show", released});
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("CLAMAV_VIRUS"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("Portcullis.Test.EICAR"), std::string::npos) << shown.output;

  ASSERT_EQ(env.gateway.stop(), 0) << env.gateway.log();
  env.gateway.start();
  EXPECT_EQ(listedIds(env), (std::set<std::string>{released, deleted}));

  CommandResult release = quarantineCommand(env, {"release", released});
  ASSERT_EQ(release.exit_code, 0) << release.output;
  EXPECT_NE(release.output.find(released + ": released, queued as "), std::string::npos)
      << release.output;
  ASSERT_TRUE(env.recorder.waitForCount(2, kArrivalTimeout)) << env.gateway.log();
  std::this_thread::sleep_for(kDuplicateWatch);
  EXPECT_EQ(env.recorder.count(), 2u) << "the released message was delivered more than once";
  EXPECT_EQ(releasedCopies(env.recorder, released), 1u);
  for (const auto& m : env.recorder.messages()) {
    if (m.mail_from == kSentinelSender) continue;
    EXPECT_EQ(m.mail_from, "alice@sender.test");
    EXPECT_EQ(m.rcpt_tos, std::vector<std::string>{"bob@example.org"});
    EXPECT_NE(m.data.find(
                  clamav_testing::mimeMessageWithAttachment("eicar.com", clamav_testing::eicar())),
              std::string::npos)
        << "the released copy is not the original message:\n"
        << m.data;
  }
  EXPECT_EQ(listedIds(env), std::set<std::string>{deleted});

  CommandResult remove = quarantineCommand(env, {"delete", deleted});
  EXPECT_EQ(remove.exit_code, 0) << remove.output;
  EXPECT_TRUE(listedIds(env).empty());
  CommandResult gone = quarantineCommand(env, {"show", deleted});
  EXPECT_NE(gone.exit_code, 0) << gone.output;
  EXPECT_NE(gone.output.find(deleted), std::string::npos) << gone.output;
  CommandResult again = quarantineCommand(env, {"release", released});
  EXPECT_NE(again.exit_code, 0) << "released twice: " << again.output;
  EXPECT_EQ(releasedCopies(env.recorder, released), 1u);
}

TEST(QuarantineRoundTrip, ReleasedWhileTheGatewayIsStoppedIsDeliveredAtItsNextStart) {
  VirusGateway env(quarantiningViruses());
  std::string id = quarantineEicar(env);
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(env.gateway.stop(), 0) << env.gateway.log();

  CommandResult release = quarantineCommand(env, {"release", id});
  ASSERT_EQ(release.exit_code, 0) << release.output;
  EXPECT_TRUE(listedIds(env).empty());
  EXPECT_EQ(env.recorder.count(), 0u);

  env.gateway.start();
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  std::this_thread::sleep_for(kDuplicateWatch);
  EXPECT_EQ(env.recorder.count(), 1u);
  EXPECT_EQ(releasedCopies(env.recorder, id), 1u);
}

}  // namespace
}  // namespace portcullis::test
