// `portcullis scan` run as a rule author runs it: the real binary over message files, with the
// shipped rules, with --rules, with a configuration's policy, and with bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/json_lines.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

using ::testing::ElementsAre;

const std::string kGtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

std::string message(const std::string& subject, const std::string& body) {
  return "From: Alice <alice@example.net>\nTo: bob@example.org\nSubject: " + subject +
         "\nMessage-ID: <1@example.net>\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n\n" + body + "\n";
}

CommandResult scan(std::vector<std::string> args) {
  args.insert(args.begin(), {portcullisBinary().string(), "scan"});
  return runCommand(args, "", std::chrono::seconds(120));
}

// The output's lines, each parsed as a JSON object; fails the test unless every line is one.
std::vector<boost::json::object> expectJsonLines(const std::string& output) {
  const auto lines = jsonLines(output);
  EXPECT_EQ(lines.size(), static_cast<size_t>(std::count(output.begin(), output.end(), '\n')))
      << output;
  return lines;
}

// The file names (without directories) of the scanned messages, in output order.
std::vector<std::string> fileNames(const std::vector<boost::json::object>& lines) {
  std::vector<std::string> names;
  for (const auto& line : lines) {
    names.push_back(std::filesystem::path(std::string(jsonString(line, "file"))).filename());
  }
  return names;
}

class ScanCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
    std::filesystem::create_directories(dir_ / "mail");
    std::filesystem::create_directories(dir_ / "rules");
    writeFile(dir_ / "rules" / "local.cf",
              "body SCAN_TEST_PHRASE /purple\\s+elephant/i\n"
              "describe SCAN_TEST_PHRASE Mentions the purple elephant\n"
              "score SCAN_TEST_PHRASE 6.0\n");
  }
  TempDir dir_{"portcullis-scan"};
};

TEST_F(ScanCommand, ShippedRulesRejectGtubeAndAcceptCleanMailInFileOrder) {
  // An mbox "From " line and bare LF line ends, as messages are kept on disk.
  writeFile(dir_ / "mail" / "a-gtube.eml",
            "From alice@example.net Fri Nov 27 10:00:00 2026\n" + message("test", kGtube));
  writeFile(dir_ / "mail" / "b-clean.eml", message("lunch", "See you at noon."));
  auto r = scan({"--json", (dir_ / "mail").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto lines = expectJsonLines(r.output);
  ASSERT_THAT(fileNames(lines), ElementsAre("a-gtube.eml", "b-clean.eml")) << r.output;
  EXPECT_EQ(lines[0].at("action"), "reject") << r.output;
  EXPECT_EQ(lines[0].at("symbols"), boost::json::array{"GTUBE"}) << r.output;
  EXPECT_EQ(lines[1].at("action"), "accept") << r.output;
  EXPECT_EQ(lines[1].at("score"), 0.0) << r.output;
  EXPECT_EQ(lines[1].at("symbols"), boost::json::array{}) << r.output;
}

TEST_F(ScanCommand, RulesOptionAndExplainShowTheMatchedText) {
  writeFile(dir_ / "mail" / "m.eml", message("zoo", "I saw a Purple  Elephant today."));
  auto r = scan({"--rules", (dir_ / "rules").string(), "--explain", (dir_ / "mail" / "m.eml")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("m.eml: tag score=6.00 SCAN_TEST_PHRASE"), std::string::npos) << r.output;
  // Body rules see the text with whitespace runs collapsed, as SpamAssassin renders it.
  EXPECT_NE(r.output.find("SCAN_TEST_PHRASE 6.00 matched \"Purple Elephant\""), std::string::npos)
      << r.output;

  auto json = scan(
      {"--rules", (dir_ / "rules").string(), "--explain", "--json", (dir_ / "mail" / "m.eml")});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const auto lines = expectJsonLines(json.output);
  ASSERT_EQ(lines.size(), 1u) << json.output;
  const boost::json::array explain = {
      {{"name", "SCAN_TEST_PHRASE"}, {"score", 6.0}, {"matched", "Purple Elephant"}}};
  EXPECT_EQ(lines[0].at("explain"), explain) << json.output;
}

TEST_F(ScanCommand, ConfigurationPolicyDecidesAndRulesOptionReplacesItsRules) {
  writeFile(dir_ / "mail" / "m.eml", message("zoo", "purple elephant and " + kGtube));
  writeFile(dir_ / "portcullis.toml",
            "[domains]\nlocal = [\"example.org\"]\n"
            "[policy]\ntag_threshold = 2.0\nreject_threshold = 5.5\n"
            "[checks.content]\nrules = [\"rules\"]\n");  // relative to the file
  auto configured = scan({"-c", (dir_ / "portcullis.toml").string(), (dir_ / "mail").string()});
  ASSERT_EQ(configured.exit_code, 0) << configured.output;
  EXPECT_NE(configured.output.find("m.eml: reject score=6.00 SCAN_TEST_PHRASE"), std::string::npos)
      << configured.output;

  std::filesystem::create_directories(dir_ / "other");
  writeFile(dir_ / "other" / "other.cf", "body OTHER_RULE /elephant/\nscore OTHER_RULE 3\n");
  auto replaced = scan({"-c", (dir_ / "portcullis.toml").string(), "--rules",
                        (dir_ / "other").string(), (dir_ / "mail").string()});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_NE(replaced.output.find("m.eml: tag score=3.00 OTHER_RULE"), std::string::npos)
      << replaced.output;
}

TEST_F(ScanCommand, MissingFileIsNamedAndTheOthersAreStillScanned) {
  writeFile(dir_ / "mail" / "m.eml", message("hello", "nothing to see"));
  auto r = scan({(dir_ / "missing.eml").string(), (dir_ / "mail" / "m.eml").string()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("missing.eml: no such file or directory"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("m.eml: accept"), std::string::npos) << r.output;
}

TEST_F(ScanCommand, RuleSyntaxErrorStopsWithFileAndLine) {
  writeFile(dir_ / "rules" / "broken.cf", "body GOOD /fine/\nbody BROKEN /unclosed\n");
  writeFile(dir_ / "mail" / "m.eml", message("hello", "fine"));
  auto r = scan({"--rules", (dir_ / "rules").string(), (dir_ / "mail").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("broken.cf:2: error: BROKEN: regular expression is not terminated"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("m.eml:"), std::string::npos) << r.output;
}

TEST_F(ScanCommand, RuleNoEngineCanRunIsDisabledWithFileAndLineAndTheRestScan) {
  writeFile(dir_ / "rules" / "odd.cf", "body GOOD /fine/\nscore GOOD 1\nbody BAD /unclosed(/\n");
  writeFile(dir_ / "mail" / "m.eml", message("hello", "fine"));
  auto r = scan({"--rules", (dir_ / "rules").string(), (dir_ / "mail").string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("odd.cf:3: rule BAD disabled:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("m.eml: accept score=1.00 GOOD"), std::string::npos) << r.output;
}

TEST_F(ScanCommand, MessageBeyondAMimeLimitIsScannedUpToItAndGetsASymbol) {
  std::string multipart =
      "From: a@example.net\nTo: b@example.org\nSubject: parts\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\n\n";
  for (int i = 0; i < 6; ++i) {
    multipart += "--b\nContent-Type: text/plain\n\npart " + std::to_string(i) +
                 (i == 0 ? " purple elephant" : "") + "\n";
  }
  multipart += "--b--\n";
  writeFile(dir_ / "mail" / "m.eml", multipart);
  writeFile(dir_ / "rules" / "limits.cf",
            "meta MANY_PARTS MIME_PART_LIMIT\nscore MANY_PARTS 0.5\n");
  writeFile(dir_ / "portcullis.toml",
            "[domains]\nlocal = [\"example.org\"]\n[mime]\nmax_parts = 3\n"
            "[checks.content]\nrules = [\"rules\"]\n");
  auto r = scan({"--json", "-c", (dir_ / "portcullis.toml").string(), (dir_ / "mail").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto lines = jsonLines(r.output);
  ASSERT_EQ(lines.size(), 1u) << r.output;
  EXPECT_EQ(lines[0].at("score"), 6.5) << r.output;
  EXPECT_EQ(lines[0].at("symbols"),
            (boost::json::array{"MANY_PARTS", "MIME_PART_LIMIT", "SCAN_TEST_PHRASE"}))
      << r.output;

  writeFile(dir_ / "portcullis.toml",
            "[domains]\nlocal = [\"example.org\"]\n[mime]\nmax_parts = 0\n");
  auto bad = scan({"-c", (dir_ / "portcullis.toml").string(), (dir_ / "mail").string()});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("portcullis.toml:4"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("max_parts"), std::string::npos) << bad.output;
}

TEST_F(ScanCommand, GarbageIsScannedAndAnOversizedFileIsRefusedByName) {
  std::string garbage;
  for (int i = 0; i < 1500; ++i) garbage += static_cast<char>((i * 7919) % 256);
  writeFile(dir_ / "mail" / "garbage.bin", garbage);
  writeFile(dir_ / "mail" / "huge.eml", message("big", std::string(3000, 'x')));
  writeFile(dir_ / "portcullis.toml",
            "[domains]\nlocal = [\"example.org\"]\n[limits]\nmax_message_size = 2048\n"
            "[checks.content]\n");
  auto r = scan({"-c", (dir_ / "portcullis.toml").string(), (dir_ / "mail").string()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("garbage.bin: accept"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("huge.eml: 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("more than limits.max_message_size (2048)"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace portcullis::test
