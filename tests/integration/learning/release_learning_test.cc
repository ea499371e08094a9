// `portcullis quarantine release` with a classifier configured: the released message is learnt as
// ham (the administrator overrules the verdict), unless --no-learn; learning a message released
// twice is impossible (it left the quarantine), and a release without [checks.classifier] learns
// nothing and says nothing about learning. The running gateway's metrics count what the tools
// taught.
#include <gtest/gtest.h>

#include "tests/integration/learning/learning_gateway.h"
#include "tests/integration/policy/policy_gateway.h"
#include "tests/support/json_lines.h"
#include "tests/support/run_command.h"

namespace portcullis::test {
namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The quarantine ids, newest first.
std::vector<std::string> quarantined(const GatewayProcess& gateway) {
  auto r = runCommand({portcullisBinary().string(), "quarantine", "-c",
                       gateway.configPath().string(), "list", "--json"});
  std::vector<std::string> ids;
  for (const auto& entry : jsonLines(r.output)) ids.emplace_back(jsonString(entry, "id"));
  return ids;
}

CommandResult release(const GatewayProcess& gateway, const std::string& id, bool learn) {
  std::vector<std::string> args = {portcullisBinary().string(),   "quarantine", "-c",
                                   gateway.configPath().string(), "release",    id};
  if (!learn) args.push_back("--no-learn");
  return runCommand(args);
}

TEST(ReleaseLearning, AReleasedMessageIsLearntAsHamUnlessNoLearn) {
  GatewaySettings settings;
  settings.extra = "\n[checks.classifier]\n";
  settings.metrics = "listen = \"127.0.0.1:0\"\n";
  PolicyGateway env(settings);
  const uint16_t metrics = metricsPort(env.gateway);
  ASSERT_NE(metrics, 0) << env.gateway.log();
  for (const char* subject : {"held one", "held two"}) {
    auto held = sendMessage(env.gateway.port(), "alice@sender.test", {"bob@example.org"},
                            testMessage(subject, std::string("Please ") + kQuarantinePhrase));
    ASSERT_EQ(held.data.code, 250) << held.data.text;
  }
  const std::vector<std::string> ids = quarantined(env.gateway);
  ASSERT_EQ(ids.size(), 2u) << env.gateway.log();

  auto learnt = release(env.gateway, ids[0], true);
  EXPECT_EQ(learnt.exit_code, 0) << learnt.output;
  EXPECT_TRUE(mentions(learnt.output, ids[0] + ": released, queued as ")) << learnt.output;
  EXPECT_TRUE(mentions(learnt.output, ids[0] + ": learnt as ham")) << learnt.output;
  LearntCounts counts = learntCounts(env.gateway);
  EXPECT_EQ(counts.ham, 1) << counts.output;
  EXPECT_EQ(counts.spam, 0) << counts.output;

  auto not_learnt = release(env.gateway, ids[1], false);
  EXPECT_EQ(not_learnt.exit_code, 0) << not_learnt.output;
  EXPECT_TRUE(mentions(not_learnt.output, ids[1] + ": released, queued as ")) << not_learnt.output;
  EXPECT_FALSE(mentions(not_learnt.output, "learnt")) << not_learnt.output;
  counts = learntCounts(env.gateway);
  EXPECT_EQ(counts.ham, 1) << counts.output;

  ASSERT_TRUE(env.recorder.waitForCount(2, kArrivalTimeout)) << env.gateway.log();
  EXPECT_TRUE(quarantined(env.gateway).empty());

  // The gateway counts what the command-line tools taught it.
  EXPECT_EQ(
      metricValue(metrics, "portcullis_classifier_learned_total{class=\"ham\",source=\"release\"}"),
      1);
  writeFile(env.dir / "spam.eml", testMessage("spam", "Cheap pills."));
  auto cli =
      runCommand({portcullisBinary().string(), "learn", "-c", env.gateway.configPath().string(),
                  "--spam", (env.dir / "spam.eml").string()});
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_EQ(
      metricValue(metrics, "portcullis_classifier_learned_total{class=\"spam\",source=\"cli\"}"),
      1);
  EXPECT_EQ(metricValue(metrics, "portcullis_classifier_messages{class=\"ham\"}"), 1);
}

TEST(ReleaseLearning, WithoutAClassifierAReleaseOnlyReleases) {
  PolicyGateway env(GatewaySettings{});
  auto held = sendMessage(env.gateway.port(), "alice@sender.test", {"bob@example.org"},
                          testMessage("held", std::string("Please ") + kQuarantinePhrase));
  ASSERT_EQ(held.data.code, 250) << held.data.text;
  const std::vector<std::string> ids = quarantined(env.gateway);
  ASSERT_EQ(ids.size(), 1u) << env.gateway.log();
  auto r = release(env.gateway, ids[0], true);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(mentions(r.output, "learnt")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(env.gateway.spoolDir() / "classifier.db"));
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
}

}  // namespace
}  // namespace portcullis::test
