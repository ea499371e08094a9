// deploy/portcullis.toml is the reference of every option: each key the code reads, in any table,
// appears there as `key = ...` or `# key = ...` under its table's header (commented or not). The
// keys read are recorded by config::Section while a configuration that turns every table on is
// validated as `portcullis config check` validates it.
#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gateway/cli/runtime.h"
#include "gateway/config/document.h"
#include "gateway/config/gateway_config.h"

namespace portcullis {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = PORTCULLIS_SOURCE_DIR;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The dotted paths deploy/portcullis.toml documents: every table header (and its parents), and
// every `key =` under a header, commented out or not, including the keys of an inline table.
std::set<std::string> documentedPaths(const std::string& text) {
  static const std::regex header(R"(^\[\[?\s*([A-Za-z0-9_.\-"]+)\s*\]\]?\s*(#.*)?$)");
  static const std::regex key(R"(^([A-Za-z0-9_\-]+)\s*=\s*(.*)$)");
  static const std::regex inline_key(R"(([A-Za-z0-9_\-]+)\s*=)");
  std::set<std::string> paths;
  std::string table;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    std::string body = line.substr(start);
    if (body[0] == '#') {
      size_t text_start = body.find_first_not_of("# \t");
      if (text_start == std::string::npos) continue;
      body = body.substr(text_start);
    }
    std::smatch m;
    if (std::regex_match(body, m, header)) {
      // The header's name without quotes; its parents end at the dots outside quotes.
      table.clear();
      bool quoted = false;
      for (char c : m[1].str()) {
        if (c == '"') {
          quoted = !quoted;
          continue;
        }
        if (c == '.' && !quoted) paths.insert(table);
        table += c;
      }
      paths.insert(table);
    } else if (std::regex_match(body, m, key)) {
      std::string path = table.empty() ? m[1].str() : table + "." + m[1].str();
      paths.insert(path);
      std::string value = m[2].str();
      if (!value.empty() && value[0] == '{') {
        for (std::sregex_iterator it(value.begin(), value.end(), inline_key), end; it != end; ++it)
          paths.insert(path + "." + (*it)[1].str());
      }
    }
  }
  return paths;
}

// Every table on, with the names deploy/portcullis.toml uses in its examples, so that the keys
// read only inside them (a zone of kind "domain", each symbol of the score tables, a user) are
// asked for too.
std::string everyTable(const fs::path& dir) {
  std::string text = R"(
[server]
listen = ["127.0.0.1:2525"]
pid_file = ""
[limits]
[mime]
[tls]
[domains]
local = ["example.org", "lists.example.org"]
[relay]
[queue]
directory = "@DIR@/queue"
[pipeline]
[policy]
[[policy.domain]]
domain = "lists.example.org"
[log]
[dns]
[metrics]
[checks.content]
spamassassin_rules = "none"
rules = ["@SOURCE@/rules"]
[checks.attachments]
[checks.clamav]
signature_dirs = ["@SOURCE@/signatures"]
[checks.spf]
[checks.dkim]
[checks.dkim.scores]
DKIM_SIGNED = 0.1
DKIM_VALID = -0.1
DKIM_VALID_AU = -0.1
DKIM_INVALID = 0.1
DKIM_WEAK_SHA1 = 0.5
DKIM_POLICY = 0.5
DKIM_TEMPERROR = 0.0
DKIM_PERMERROR = 0.0
DKIM_TOO_MANY_SIGNATURES = 0.5
[checks.dmarc]
random_seed = 1
[checks.dmarc.domains."example.org"]
on_reject = "quarantine"
[checks.dmarc.scores]
DMARC_PASS = -0.5
DMARC_FAIL_REJECT = 2.0
DMARC_FAIL_QUARANTINE = 1.5
DMARC_FAIL_NONE = 0.1
DMARC_NONE = 0.0
DMARC_TEMPERROR = 0.0
DMARC_PERMERROR = 0.0
DMARC_NO_FROM = 1.0
DMARC_MULTIPLE_FROM = 1.0
[checks.dnsbl]
[[checks.dnsbl.zone]]
zone = "zen.spamhaus.org"
symbol = "RCVD_IN_ZEN"
[[checks.dnsbl.zone.code]]
addresses = ["127.0.0.2"]
symbol = "RCVD_IN_SBL"
[[checks.dnsbl.zone]]
zone = "dbl.spamhaus.org"
kind = "domain"
symbol = "DBL"
[checks.classifier]
database = "@DIR@/classifier.db"
report_addresses = { spam = "spam-report@example.org", ham = "ham-report@example.org" }
[quarantine]
directory = "@DIR@/quarantine"
[quarantine.digest]
template_directory = "@SOURCE@/deploy/digest"
[web]
listen = "127.0.0.1:8443"
[web.users]
admin = "$argon2id$v=19$m=65536,t=2,p=1$P4TbWx4D6ZVyH3s1WfAvIw$hNjvTh3VMqzgo6A0HfWPZzVuwSpDitrIqyP15oSeeSI"
[milter]
listen = "inet:10030@127.0.0.1"
)";
  text = std::regex_replace(text, std::regex("@DIR@"), dir.string());
  return std::regex_replace(text, std::regex("@SOURCE@"), kSource.string());
}

class DocumentedOptions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("portcullis-options-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The keys `config check` asks for while validating `text`.
  std::set<std::string> requestedKeys(const std::string& text) {
    config::Document doc = config::Document::parseString(text, (dir_ / "test.toml").string());
    auto requested = doc.recordRequestedKeys();
    config::GatewayConfig config = config::loadGatewayConfig(doc);
    boost::asio::thread_pool workers(1);
    cli::RuntimeServices services{workers, nullptr};
    services.use = CheckUse::Validation;
    cli::validateServices(config);
    cli::buildSessionContext(config, services);
    workers.join();
    return requested->paths();
  }

  fs::path dir_;
};

TEST_F(DocumentedOptions, EveryKeyTheCodeReadsIsInTheShippedConfiguration) {
  std::set<std::string> requested = requestedKeys(everyTable(dir_));
  std::set<std::string> documented =
      documentedPaths(readFile(kSource / "deploy" / "portcullis.toml"));
  // Each table the code reads must have been turned on, or its keys went unseen.
  for (const char* table : {"server",
                            "limits",
                            "mime",
                            "tls",
                            "domains",
                            "relay",
                            "queue",
                            "pipeline",
                            "policy.domain",
                            "log",
                            "dns",
                            "metrics",
                            "checks.content",
                            "checks.attachments",
                            "checks.clamav",
                            "checks.spf",
                            "checks.dkim",
                            "checks.dmarc",
                            "checks.dnsbl.zone.code",
                            "checks.classifier",
                            "quarantine.digest",
                            "web.users",
                            "milter"})
    EXPECT_TRUE(requested.count(table)) << table << " was not read";
  std::string missing;
  for (const auto& path : requested)
    if (!documented.count(path)) missing += "\n  " + path;
  EXPECT_TRUE(missing.empty()) << "read by the code, missing from deploy/portcullis.toml:"
                               << missing;
  std::string stale;
  for (const auto& path : documented)
    if (!requested.count(path)) stale += "\n  " + path;
  EXPECT_TRUE(stale.empty()) << "in deploy/portcullis.toml, never read by the code:" << stale;
}

TEST_F(DocumentedOptions, AMissingKeyIsFound) {
  std::set<std::string> documented = documentedPaths(
      "[checks.dnsbl]\nmax_uri_lookups = 20  # a comment\n# [[checks.dnsbl.zone]]\n"
      "# zone = \"zen.spamhaus.org\"\n[web]\n# users = { admin = \"x\" }\n"
      "# [checks.dmarc.domains.\"example.org\"]\n# on_reject = \"none\"\n");
  EXPECT_TRUE(documented.count("checks.dnsbl.max_uri_lookups"));
  EXPECT_TRUE(documented.count("checks.dnsbl.zone.zone"));
  EXPECT_TRUE(documented.count("checks"));
  EXPECT_TRUE(documented.count("web.users.admin"));
  EXPECT_FALSE(documented.count("checks.dnsbl.skip_local"));
  EXPECT_TRUE(documented.count("checks.dnsbl.zone"));
  EXPECT_TRUE(documented.count("checks.dmarc.domains.example.org.on_reject"));
  EXPECT_FALSE(documented.count("checks.dmarc.domains.example"));
}

}  // namespace
}  // namespace portcullis
