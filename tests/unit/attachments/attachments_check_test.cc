// The "attachments" check on real parsed messages (mime::Message): built through its factory
// from TOML, it adds one symbol per kind of finding, forces the configured action with a 554
// 5.7.1 reply naming the attachment, and blocks nothing in the ham corpus but one .url file.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "filters/attachments/attachment_policy.h"
#include "filters/attachments/attachments_check.h"
#include "filters/attachments/attachments_config.h"
#include "gateway/config/section.h"
#include "gateway/mime/message.h"
#include "tests/unit/attachments/zip_builder.h"

namespace portcullis::attachments {
namespace {

using portcullis::testing::buildZip;

std::string base64(std::string_view in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t line = 0;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<uint8_t>(in[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? table[v & 63] : '=';
    if (++line == 19) {
      out += "\r\n";
      line = 0;
    }
  }
  return out + "\r\n";
}

struct Part {
  std::string filename;
  std::string type;
  std::string content;
};

std::string message(const std::vector<Part>& parts) {
  std::string m =
      "From: a@example.org\r\nTo: b@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
      "--XX\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n";
  for (const Part& p : parts) {
    m += "--XX\r\nContent-Type: " + p.type + "; name=\"" + p.filename + "\"\r\n";
    m += "Content-Disposition: attachment; filename=\"" + p.filename + "\"\r\n";
    m += "Content-Transfer-Encoding: base64\r\n\r\n" + base64(p.content);
  }
  return m + "--XX--\r\n";
}

std::shared_ptr<const Check> build(const std::string& toml_text) {
  toml::table table = toml::parse(toml_text, std::string_view("test.toml"));
  config::Section section(&table, "checks.attachments", "test.toml");
  asio::thread_pool workers(1);
  auto checks = attachmentsCheckFactory().build(section, CheckDeps{workers});
  EXPECT_EQ(checks.size(), 1u);
  return checks.at(0);
}

// Parses `raw` like the front end does and runs the check.
Report inspect(const Check& check, const std::string& raw) {
  Transaction tx;
  tx.message = raw;
  tx.parsed = std::make_shared<const mime::Message>(mime::Message::parse(tx.message));
  Report report;
  dynamic_cast<const AttachmentsCheck&>(check).inspect(tx, report);
  return report;
}

TEST(AttachmentsCheck, RejectsDoubleExtensionNamingTheAttachment) {
  auto check = build("");
  EXPECT_EQ(check->name(), "attachments");
  EXPECT_EQ(check->stage(), Stage::Message);
  Report report = inspect(*check, message({{"invoice.pdf.exe", "application/pdf", "fake"}}));
  EXPECT_TRUE(report.hasSymbol(kBlockedExtension));
  EXPECT_TRUE(report.hasSymbol(kDoubleExtension));
  auto forced = report.forced();
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->action, Action::Reject);
  EXPECT_EQ(forced->smtp_code, "554");
  EXPECT_EQ(forced->enhanced, "5.7.1");
  EXPECT_NE(forced->reply_text.find("invoice.pdf.exe"), std::string::npos);
}

TEST(AttachmentsCheck, OneSymbolPerKindListingEveryAttachment) {
  auto check = build("");
  Report report = inspect(
      *check, message({{"a.vbs", "text/plain", "x"}, {"b.js", "application/octet-stream", "y"}}));
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, kBlockedExtension);
  EXPECT_EQ(symbols[0].detail, "a.vbs, b.js");
}

TEST(AttachmentsCheck, FindsBlockedNamesInsideZip) {
  auto check = build("action = \"quarantine\"\n");
  Report report =
      inspect(*check, message({{"docs.zip", "application/zip", buildZip({{"run.scr", "x"}})}}));
  EXPECT_TRUE(report.hasSymbol(kArchiveBlockedExtension));
  auto forced = report.forced();
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->action, Action::Quarantine);
}

TEST(AttachmentsCheck, ScoresWithoutForcingWhenNothingBlocks) {
  auto check = build("scored_extensions = [\"iso\"]\nextension_score = 2.5\n");
  Report report = inspect(*check, message({{"disk.iso", "application/octet-stream", "CD001"}}));
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, kScoredExtension);
  EXPECT_DOUBLE_EQ(symbols[0].score, 2.5);
  EXPECT_FALSE(report.forced());
}

TEST(AttachmentsCheck, ScoreOnlyDeploymentsGetTheBlockedScore) {
  auto check = build("action = \"accept\"\nblocked_score = 6.5\n");
  Report report = inspect(*check, message({{"run.exe", "application/octet-stream", "x"}}));
  EXPECT_FALSE(report.forced());
  auto symbols = report.symbols();
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_DOUBLE_EQ(symbols[0].score, 6.5);
}

TEST(AttachmentsCheck, ListsFromConfigReplaceTheDefaults) {
  auto check = build(
      "blocked_extensions = [\".PDF\"]\nblocked_mime_types = []\nblocked_content_types = []\n");
  EXPECT_TRUE(inspect(*check, message({{"a.pdf", "application/pdf", "%PDF-1.4"}})).forced());
  EXPECT_FALSE(inspect(*check, message({{"a.exe", "application/octet-stream", "x"}})).forced());
}

TEST(AttachmentsCheck, ConfigErrorsNameTheKey) {
  EXPECT_THROW(build("blocked_content_types = [\"exe\"]\n"), config::ConfigError);
  EXPECT_THROW(build("blocked_mime_types = [\"nonsense\"]\n"), config::ConfigError);
  EXPECT_THROW(build("blocked_extension = [\"exe\"]\n"), config::ConfigError) << "misspelt key";
  EXPECT_THROW(build("action = \"explode\"\n"), config::ConfigError);
}

TEST(AttachmentsCheck, MessageWithoutAttachmentsFindsNothing) {
  auto check = build("");
  Report report = inspect(*check, "From: a@example.org\r\nSubject: hi\r\n\r\nHello.\r\n");
  EXPECT_TRUE(report.symbols().empty());
}

// The one ham message (of 2,500) the defaults block carries a Windows Internet Shortcut (.url),
// which Outlook blocks too and which is abused to reach malicious SMB/WebDAV shares.
TEST(AttachmentsCheck, HamCorpusHasNothingToBlockButAnInternetShortcut) {
  const std::filesystem::path group = PORTCULLIS_BINARY_DIR "/corpus/easy-ham-1";
  ASSERT_TRUE(std::filesystem::is_directory(group))
      << group << " is missing: run tests/support/fetch-corpus.sh";
  auto check = build("");
  size_t scanned = 0;
  std::vector<std::string> blocked;
  for (const auto& entry : std::filesystem::directory_iterator(group)) {
    if (entry.path().extension() != ".txt") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    Report report = inspect(*check, s.str());
    if (report.forced()) {
      blocked.push_back(entry.path().filename().string() + ": " + report.forced()->reason);
    }
    ++scanned;
  }
  EXPECT_GT(scanned, 100u);
  EXPECT_EQ(blocked, std::vector<std::string>{"00775.0e012f373467846510d9db297e99a008.txt: "
                                              "attachment not allowed: Liberalism in America.url"});
}

}  // namespace
}  // namespace portcullis::attachments
