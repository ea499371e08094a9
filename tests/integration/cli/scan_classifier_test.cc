// `portcullis scan` with a classifier configured ([checks.classifier]): the real binary, after
// `portcullis learn` taught it generated messages. --json carries the probability and the learnt
// counts (or why there is no probability), --explain the most telling tokens, and the BAYES_*
// rules answer from the same probability.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/json_lines.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

using ::testing::Contains;

// The one JSON object a scan of one message prints; an empty object when there is not exactly one.
boost::json::object onlyLine(const std::string& output) {
  auto lines = jsonLines(output);
  EXPECT_EQ(lines.size(), 1u) << output;
  return lines.size() == 1 ? lines.front() : boost::json::object();
}

// A few words that only spam uses, a few only ham uses, and common ones both use.
std::string generated(bool spam, int n) {
  static const char* kSpam[] = {"jackpot", "casino", "lottery", "refinance", "bitcoin", "rolex"};
  static const char* kHam[] = {"seminar", "detector", "beamtime", "colloquium", "thesis", "agenda"};
  static const char* kCommon[] = {"the", "please", "today", "about", "your", "week"};
  std::string body;
  for (int i = 0; i < 40; ++i) {
    body += (i % 2 ? kCommon[(i + n) % 6] : (spam ? kSpam : kHam)[(i * 7 + n) % 6]);
    body += i % 10 == 9 ? "\n" : " ";
  }
  const std::string who = spam ? "deals" : "colleague";
  return "From: " + who + "@" + who + ".example\nTo: bob@example.org\nSubject: note " +
         std::to_string(n) + "\nMessage-ID: <" + std::to_string(n) + "." + who + "@example>\n\n" +
         body + "\n";
}

class ScanClassifier : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
    for (const char* sub : {"spam", "ham", "mail"}) std::filesystem::create_directories(dir_ / sub);
    writeFile(dir_ / "bayes.cf",
              "body BAYES_00 eval:check_bayes('0.00', '0.01')\n"
              "body BAYES_99 eval:check_bayes('0.99', '1.00')\n"
              "tflags BAYES_00 nice learn\ntflags BAYES_99 learn\n"
              "score BAYES_00 0 0 -1.5 -1.9\nscore BAYES_99 0 0 3.8 3.5\n");
    writeFile(dir_ / "portcullis.toml",
              "[domains]\nlocal = [\"localhost\"]\n[queue]\ndirectory = \"" + dir_.path().string() +
                  "\"\n[checks.content]\nrules = [\"bayes.cf\"]\n[checks.classifier]\n"
                  "database = \"" +
                  (dir_ / "classifier.db").string() +
                  "\"\nmin_spam_learned = 20\nmin_ham_learned = 20\n");
    writeFile(dir_ / "mail" / "spam.eml", generated(true, 1000));
  }

  CommandResult run(std::vector<std::string> args) {
    args.insert(args.begin(), portcullisBinary().string());
    return runCommand(args, "", std::chrono::seconds(120));
  }

  void learn(int count) {
    for (int n = 0; n < count; ++n) {
      writeFile(dir_ / "spam" / (std::to_string(n) + ".eml"), generated(true, n));
      writeFile(dir_ / "ham" / (std::to_string(n) + ".eml"), generated(false, n));
    }
    for (const char* cls : {"spam", "ham"}) {
      auto r = run({"learn", "-c", config(), std::string("--") + cls, (dir_ / cls).string()});
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }

  std::string config() const { return (dir_ / "portcullis.toml").string(); }
  std::string spam() const { return (dir_ / "mail" / "spam.eml").string(); }

  TempDir dir_{"portcullis-scan-classifier"};
};

TEST_F(ScanClassifier, JsonCarriesTheProbabilityAndExplainTheTellingTokens) {
  learn(30);
  auto json = run({"scan", "--json", "-c", config(), spam()});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const boost::json::object scanned = onlyLine(json.output);
  EXPECT_THAT(scanned.at("symbols").as_array(), Contains("BAYES_99")) << json.output;
  const boost::json::object classifier = {
      {"probability", 1.0}, {"spam_learned", 30}, {"ham_learned", 30}};
  EXPECT_EQ(scanned.at("classifier"), classifier) << json.output;

  auto explain = run({"scan", "--explain", "-c", config(), spam()});
  ASSERT_EQ(explain.exit_code, 0) << explain.output;
  EXPECT_NE(explain.output.find("classifier: spam probability 1.0000 (learnt 30 spam, 30 ham)"),
            std::string::npos)
      << explain.output;
  EXPECT_NE(explain.output.find(" (in 30 spam, 0 ham)\n"), std::string::npos) << explain.output;
  EXPECT_NE(explain.output.find(" jackpot (in "), std::string::npos) << explain.output;

  auto both = run({"scan", "--json", "--explain", "-c", config(), spam()});
  ASSERT_EQ(both.exit_code, 0) << both.output;
  const boost::json::object scanned_and_explained = onlyLine(both.output);
  const boost::json::value& telling = scanned_and_explained.at("classifier").at("telling");
  ASSERT_FALSE(telling.as_array().empty()) << both.output;
  EXPECT_TRUE(telling.at(0).at("token").is_string()) << both.output;
}

TEST_F(ScanClassifier, JsonSaysWhyThereIsNoProbability) {
  learn(5);  // fewer than the 20 of each the configuration asks for
  auto json = run({"scan", "--json", "-c", config(), spam()});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const boost::json::object scanned = onlyLine(json.output);
  const boost::json::value& classifier = scanned.at("classifier");
  EXPECT_TRUE(classifier.at("probability").is_null()) << json.output;
  EXPECT_EQ(classifier.at("reason"),
            "learnt 5 spam and 5 ham, fewer than the 20 spam and 20 ham it needs")
      << json.output;
  EXPECT_EQ(json.output.find("BAYES_99"), std::string::npos) << json.output;
}

}  // namespace
}  // namespace portcullis::test
