// `portcullis learn` run as an operator runs it: the real binary over message files, directories
// and mbox files, learning twice (counted once), relearning, forgetting, --stats and --expire,
// and the errors: paths that do not exist, messages too large, files that are not mail, a missing
// [checks.classifier], a store file that is not ours.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/redis_server.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string message(int n, const std::string& topic) {
  return "From: Sender " + std::to_string(n) + " <s" + std::to_string(n) +
         "@example.net>\nTo: bob@example.org\nSubject: " + topic + " number " + std::to_string(n) +
         "\nMessage-ID: <" + std::to_string(n) + "." + topic +
         "@example.net>\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n\nHello Bob, this is about " +
         topic + " and nothing else, item " + std::to_string(n) + ".\nVisit http://" + topic +
         ".example.com/offer/" + std::to_string(n) + " today.\n";
}

class LearnCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "spool");
    fs::create_directories(dir_ / "mail" / "nested");
    writeConfig("");
  }

  void writeConfig(const std::string& classifier, const std::string& limits = "") {
    writeFile(config_, "[domains]\nlocal = [\"example.org\"]\n[queue]\ndirectory = \"" +
                           (dir_ / "spool").string() + "\"\n[limits]\n" + limits +
                           "[checks.classifier]\n" + classifier);
  }

  CommandResult learn(std::vector<std::string> args) {
    args.insert(args.begin(), {portcullisBinary().string(), "learn", "-c", config_.string()});
    return runCommand(args, "", std::chrono::seconds(120));
  }

  // The --stats line that starts with `key`.
  std::string stat(const std::string& key) {
    auto r = learn({"--stats"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const size_t at = r.output.find(key);
    if (at == std::string::npos) return "missing in: " + r.output;
    const size_t eol = r.output.find('\n', at);
    std::string value = r.output.substr(at + key.size(), eol - at - key.size());
    return value.substr(value.find_first_not_of(' '));
  }

  TempDir dir_{"portcullis-learn"};
  fs::path config_ = dir_ / "portcullis.toml";
};

TEST_F(LearnCommand, DirectoriesAndMboxFilesAreLearntOnceEach) {
  writeFile(dir_ / "mail" / "a.eml", message(1, "pharmacy"));
  writeFile(dir_ / "mail" / "nested" / "b.eml",
            "From x@example.net Fri Nov 27 10:00:00 2026\n" + message(2, "casino"));
  // Three messages; the "From " in the second body follows a non-empty line, so it is text.
  writeFile(dir_ / "box.mbox",
            "From a@example.net Fri Nov 27 10:00:00 2026\n" + message(3, "lottery") +
                "\nFrom b@example.net Fri Nov 27 10:00:01 2026\n" + message(4, "watches") +
                "text\nFrom here on it is body\n" +
                "\nFrom c@example.net Fri Nov 27 10:00:02 2026\n" + message(5, "loans"));

  auto first = learn({"--spam", (dir_ / "mail").string(), (dir_ / "box.mbox").string()});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_TRUE(has(first.output, "learnt as spam: 5 learnt, 0 already learnt, 0 relearnt, 0 failed"))
      << first.output;
  EXPECT_FALSE(has(first.output, "\r")) << "no progress bar without a terminal";

  auto again = learn({"--spam", (dir_ / "mail").string(), (dir_ / "box.mbox").string()});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(has(again.output, "learnt as spam: 0 learnt, 5 already learnt, 0 relearnt, 0 failed"))
      << again.output;
  EXPECT_EQ(stat("spam learnt:"), "5");
  EXPECT_EQ(stat("ham learnt:"), "0");
  EXPECT_EQ(stat("backend:"), "sqlite (" + (dir_ / "spool" / "classifier.db").string() + ")");
  EXPECT_EQ(stat("last expiry:"), "never");
  EXPECT_NE(stat("tokens:").substr(0, 2), "0 ");
  EXPECT_EQ(stat("classifying:"), "not yet (needs 200 spam and 200 ham)");
}

TEST_F(LearnCommand, RelearningMovesAMessageAndForgettingRemovesIt) {
  writeFile(dir_ / "mail" / "a.eml", message(1, "meeting"));
  writeFile(dir_ / "mail" / "b.eml", message(2, "report"));
  ASSERT_EQ(learn({"--spam", (dir_ / "mail").string()}).exit_code, 0);

  auto relearn = learn({"--ham", (dir_ / "mail" / "a.eml").string()});
  EXPECT_EQ(relearn.exit_code, 0) << relearn.output;
  EXPECT_TRUE(
      has(relearn.output, "learnt as ham: 0 learnt, 0 already learnt, 1 relearnt, 0 failed"))
      << relearn.output;
  EXPECT_EQ(stat("spam learnt:"), "1");
  EXPECT_EQ(stat("ham learnt:"), "1");

  auto forget = learn({"--forget", (dir_ / "mail").string()});
  EXPECT_EQ(forget.exit_code, 0) << forget.output;
  EXPECT_TRUE(has(forget.output, "forgotten: 2 forgotten, 0 not learnt, 0 failed"))
      << forget.output;
  auto twice = learn({"--forget", (dir_ / "mail" / "a.eml").string()});
  EXPECT_TRUE(has(twice.output, "forgotten: 0 forgotten, 1 not learnt, 0 failed")) << twice.output;
  EXPECT_EQ(stat("spam learnt:"), "0");
  EXPECT_EQ(stat("ham learnt:"), "0");
}

TEST_F(LearnCommand, BadPathsOversizedMessagesAndNonMailFailWithReasonsWhileTheRestIsLearnt) {
  writeFile(dir_ / "mail" / "a.eml", message(1, "fine"));
  writeFile(dir_ / "mail" / "big.eml", message(2, "large") + std::string(5000, 'x') + "\n");
  writeFile(dir_ / "mail" / "empty.eml", "");
  writeFile(dir_ / "mail" / "record.json", "{\"id\": \"00001\", \"text\": \"From: x\"}\n");
  writeConfig("", "max_message_size = 4096\n");
  auto r = learn({"--ham", (dir_ / "mail").string(), (dir_ / "missing").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(has(r.output, "learnt as ham: 1 learnt, 0 already learnt, 0 relearnt, 4 failed"))
      << r.output;
  EXPECT_TRUE(has(
      r.output, "portcullis learn: " + (dir_ / "missing").string() + ": no such file or directory"))
      << r.output;
  EXPECT_TRUE(has(r.output, "big.eml: 5")) << r.output;
  EXPECT_TRUE(has(r.output, "bytes, more than limits.max_message_size (4096)")) << r.output;
  EXPECT_TRUE(has(r.output, "empty.eml: empty file")) << r.output;
  EXPECT_TRUE(
      has(r.output, "record.json: not a mail message: it does not start with a header field"))
      << r.output;
  EXPECT_EQ(stat("ham learnt:"), "1");
}

TEST_F(LearnCommand, UsageAndConfigurationErrorsStopBeforeLearning) {
  writeFile(dir_ / "mail" / "a.eml", message(1, "x"));
  auto both = learn({"--spam", (dir_ / "mail").string(), "--ham", (dir_ / "mail").string()});
  EXPECT_NE(both.exit_code, 0);
  EXPECT_TRUE(has(both.output, "exactly one of --spam, --ham, --forget, --stats, --expire"))
      << both.output;

  writeFile(config_, "[domains]\nlocal = [\"example.org\"]\n[queue]\ndirectory = \"" +
                         (dir_ / "spool").string() + "\"\n");
  auto none = learn({"--stats"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_TRUE(has(none.output, "no [checks.classifier] section")) << none.output;

  writeConfig("backend = \"lmdb\"\n");
  auto bad = learn({"--stats"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(has(bad.output, "portcullis.toml:7: checks.classifier.backend")) << bad.output;
}

TEST_F(LearnCommand, AStoreFileThatIsNotOursIsRefusedAndLeftAlone) {
  const std::string garbage(4096, '\x5a');
  writeFile(dir_ / "spool" / "classifier.db", garbage);
  writeFile(dir_ / "mail" / "a.eml", message(1, "x"));
  for (auto args :
       std::vector<std::vector<std::string>>{{"--spam", (dir_ / "mail").string()}, {"--stats"}}) {
    auto r = learn(args);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(has(r.output, "cannot open the classifier store")) << r.output;
    EXPECT_TRUE(has(r.output, (dir_ / "spool" / "classifier.db").string())) << r.output;
  }
  EXPECT_EQ(readFile(dir_ / "spool" / "classifier.db"), garbage);
}

TEST_F(LearnCommand, ExpireKeepsTheStoreWithinMaxTokens) {
  for (int n = 0; n < 100; ++n) {
    std::string words;  // distinct words, so that the store holds thousands of tokens
    for (int w = 0; w < 30; ++w) words += " word" + std::to_string(n * 100 + w) + "x";
    writeFile(dir_ / "mail" / ("m" + std::to_string(n) + ".eml"),
              message(n, "topic" + std::to_string(n)) + words + "\n");
  }
  ASSERT_EQ(learn({"--spam", (dir_ / "mail").string()}).exit_code, 0);
  const long before = std::stol(stat("tokens:"));
  ASSERT_GT(before, 1000);
  writeConfig("max_tokens = 1000\n");
  auto r = learn({"--expire"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "expired: " + std::to_string(before) + " tokens before")) << r.output;
  EXPECT_LE(std::stol(stat("tokens:")), 1000);
  EXPECT_NE(stat("last expiry:"), "never");
}

TEST_F(LearnCommand, AProgressBarOnlyOnATerminal) {
  if (runCommand({"sh", "-c", "command -v script"}).exit_code != 0)
    GTEST_SKIP() << "no script(1) to give the command a terminal";
  for (int n = 0; n < 3; ++n)
    writeFile(dir_ / "mail" / ("m" + std::to_string(n) + ".eml"), message(n, "bar"));
  const std::string command = portcullisBinary().string() + " learn -c " + config_.string() +
                              " --ham " + (dir_ / "mail").string();
  auto r = runCommand({"script", "-qec", command, "/dev/null"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "\r[##############################] 3/3 files, 3 messages"))
      << r.output;
  EXPECT_TRUE(has(r.output, "learnt as ham: 3 learnt")) << r.output;
}

TEST_F(LearnCommand, TheRedisBackendLearnsAndADownServerIsAClearError) {
  if (!haveRedisServer()) GTEST_SKIP() << "no redis-server";
  RedisServer redis;
  writeConfig("backend = \"redis\"\nredis = \"127.0.0.1:" + std::to_string(redis.port()) +
              "\"\nredis_prefix = \"learn-test:\"\n");
  writeFile(dir_ / "mail" / "a.eml", message(1, "shared"));
  writeFile(dir_ / "mail" / "b.eml", message(2, "shared"));
  auto r = learn({"--spam", (dir_ / "mail").string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "learnt as spam: 2 learnt")) << r.output;
  EXPECT_EQ(stat("spam learnt:"), "2");
  EXPECT_EQ(stat("backend:"),
            "redis (127.0.0.1:" + std::to_string(redis.port()) + " prefix learn-test:)");

  redis.kill();
  auto down = learn({"--ham", (dir_ / "mail").string()});
  EXPECT_EQ(down.exit_code, 1) << down.output;
  EXPECT_TRUE(has(down.output, "portcullis learn: stopped: the classifier store failed"))
      << down.output;
  EXPECT_TRUE(has(down.output, "learnt as ham: 0 learnt, 0 already learnt, 0 relearnt, 1 failed"))
      << down.output;
  EXPECT_TRUE(has(down.output, "127.0.0.1:" + std::to_string(redis.port()))) << down.output;
  auto stats = learn({"--stats"});
  EXPECT_EQ(stats.exit_code, 1) << stats.output;
  EXPECT_TRUE(has(stats.output, "the classifier store failed")) << stats.output;
}

TEST_F(LearnCommand, RunAsRootItLeavesTheStoreToTheQueueDirectorysOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can give files away";
  constexpr uid_t kGateway = 65534;  // nobody: stands in for the gateway's user
  ASSERT_EQ(::chown((dir_ / "spool").c_str(), kGateway, kGateway), 0);
  writeFile(dir_ / "mail" / "a.eml", message(1, "owned"));
  auto r = learn({"--spam", (dir_ / "mail").string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"classifier.db", "classifier-learnt"}) {
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "spool" / name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, kGateway) << name;
    EXPECT_EQ(st.st_gid, kGateway) << name;
  }
}

// The development corpus, when fetched (tests/support/fetch-corpus.sh): real mail learns.
TEST_F(LearnCommand, LearnsTheCorpusMessages) {
  const fs::path corpus = fs::path(PORTCULLIS_BINARY_DIR) / "corpus" / "spam-1";
  if (!fs::is_directory(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  size_t linked = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.path().extension() != ".txt" || linked == 100) continue;
    fs::create_symlink(entry.path(), dir_ / "mail" / entry.path().filename());
    ++linked;
  }
  auto r = learn({"--spam", (dir_ / "mail").string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "learnt as spam: " + std::to_string(linked) + " learnt")) << r.output;
}

}  // namespace
}  // namespace portcullis::test
