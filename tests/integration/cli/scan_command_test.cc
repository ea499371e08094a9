// `portcullis scan` run as a rule author runs it: the real binary over message files, with the
// shipped rules, with --rules, with a configuration's policy, and with bad input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

const std::string kGtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

std::string message(const std::string& subject, const std::string& body) {
  return "From: Alice <alice@example.net>\nTo: bob@example.org\nSubject: " + subject +
         "\nMessage-ID: <1@example.net>\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n\n" + body + "\n";
}

CommandResult scan(std::vector<std::string> args) {
  args.insert(args.begin(), {portcullisBinary().string(), "scan"});
  return runCommand(args, "", std::chrono::seconds(120));
}

// Every output line must be a JSON object (checked by Python's parser).
void expectJsonLines(const std::string& output) {
  auto check = runCommand(
      {"python3", "-c", "import sys, json\nfor l in sys.stdin: json.loads(l)\n"}, output);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << output;
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
  expectJsonLines(r.output);
  auto gtube = r.output.find("a-gtube.eml\",\"action\":\"reject\"");
  auto clean = r.output.find("b-clean.eml\",\"action\":\"accept\"");
  ASSERT_NE(gtube, std::string::npos) << r.output;
  ASSERT_NE(clean, std::string::npos) << r.output;
  EXPECT_LT(gtube, clean);
  EXPECT_NE(r.output.find("\"symbols\":[\"GTUBE\"]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("b-clean.eml\",\"action\":\"accept\",\"score\":0.000,\"symbols\":[]"),
            std::string::npos)
      << r.output;
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
  expectJsonLines(json.output);
  EXPECT_NE(json.output.find(R"("explain":[{"name":"SCAN_TEST_PHRASE","score":6.000,)"
                             R"("matched":"Purple Elephant"}])"),
            std::string::npos)
      << json.output;
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
  EXPECT_NE(r.output.find(R"("score":6.500,"symbols":["MANY_PARTS","MIME_PART_LIMIT",)"
                          R"("SCAN_TEST_PHRASE"])"),
            std::string::npos)
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
