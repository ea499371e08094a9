// Reading [checks.classifier]: defaults, every option, and each bad value stopped with its
// file:line; opening the embedded store where the configuration says.
#include <gtest/gtest.h>

#include <string>

#include "filters/classifier/classifier_config.h"
#include "gateway/config/document.h"
#include "gateway/config/section.h"
#include "tests/support/temp_dir.h"

namespace portcullis::classifier {
namespace {

ClassifierConfig read(const std::string& body) {
  auto doc = config::Document::parseString("[checks.classifier]\n" + body, "/etc/p/test.toml");
  auto config = configuredClassifier(doc);
  EXPECT_TRUE(config.has_value());
  return config.value_or(ClassifierConfig{});
}

// The error of reading `body`, as "file:line: message".
std::string errorOf(const std::string& body) {
  try {
    read(body);
  } catch (const config::ConfigError& e) {
    return e.file() + ":" + std::to_string(e.line()) + ": " + e.message();
  }
  return "no error";
}

TEST(ClassifierConfig, DefaultsAreTheEmbeddedStoreInTheQueueDirectory) {
  const ClassifierConfig c = read("");
  EXPECT_EQ(c.backend, Backend::Sqlite);
  EXPECT_EQ(databasePath(c, "/var/spool/portcullis"), "/var/spool/portcullis/classifier.db");
  EXPECT_EQ(c.classify.min_spam_learned, 200u);
  EXPECT_EQ(c.classify.min_ham_learned, 200u);
  EXPECT_FALSE(c.autolearn.enabled);
  EXPECT_TRUE(c.spam_report_address.empty());
  EXPECT_TRUE(c.report_networks.empty());
  EXPECT_EQ(c.max_tokens, 2'000'000u);
}

TEST(ClassifierConfig, NoTableNoClassifier) {
  auto doc = config::Document::parseString("[checks.content]\n", "t.toml");
  EXPECT_FALSE(configuredClassifier(doc).has_value());
}

TEST(ClassifierConfig, EveryOptionIsRead) {
  const ClassifierConfig c = read(
      "backend = \"redis\"\nredis = \"[::1]:6380\"\nredis_prefix = \"site1:\"\n"
      "redis_timeout = \"250ms\"\nmax_tokens = 500000\nmin_spam_learned = 50\n"
      "min_ham_learned = 60\nmax_interesting_tokens = 100\nmax_tokens_per_message = "
      "5000\nosb_window = 5\n"
      "autolearn = true\nautolearn_spam_threshold = 10.5\nautolearn_ham_threshold = -1\n"
      "autolearn_min_header_points = 2\nautolearn_min_body_points = 4\nautolearn_queue = 64\n"
      "report_addresses = { spam = \"Spam-Report@Example.org\", ham = \"ham-report@example.org\" "
      "}\n"
      "report_networks = [\"192.0.2.0/24\", \"2001:db8::/32\"]\nmax_reported_messages = 5\n");
  EXPECT_EQ(c.backend, Backend::Redis);
  EXPECT_EQ(c.redis_host, "::1");
  EXPECT_EQ(c.redis_port, 6380);
  EXPECT_EQ(c.redis_prefix, "site1:");
  EXPECT_EQ(c.redis_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(c.max_tokens, 500000u);
  EXPECT_EQ(c.classify.min_spam_learned, 50u);
  EXPECT_EQ(c.classify.min_ham_learned, 60u);
  EXPECT_EQ(c.classify.max_interesting_tokens, 100u);
  EXPECT_EQ(c.classify.osb_window, 5u);
  EXPECT_EQ(c.classify.max_tokens_per_message, 5000u);
  EXPECT_TRUE(c.autolearn.enabled);
  EXPECT_DOUBLE_EQ(c.autolearn.spam_threshold, 10.5);
  EXPECT_DOUBLE_EQ(c.autolearn.ham_threshold, -1);
  EXPECT_DOUBLE_EQ(c.autolearn.min_header_points, 2);
  EXPECT_DOUBLE_EQ(c.autolearn.min_body_points, 4);
  EXPECT_EQ(c.autolearn.queue, 64u);
  EXPECT_EQ(c.spam_report_address, "spam-report@example.org");  // compared lowercased
  EXPECT_EQ(c.ham_report_address, "ham-report@example.org");
  EXPECT_EQ(c.report_networks.size(), 2u);
  EXPECT_EQ(c.max_reported_messages, 5u);
}

TEST(ClassifierConfig, RelativeDatabaseIsBesideTheConfigFile) {
  EXPECT_EQ(read("database = \"bayes/c.db\"\n").database, "/etc/p/bayes/c.db");
  EXPECT_EQ(read("database = \"/srv/c.db\"\n").database, "/srv/c.db");
}

TEST(ClassifierConfig, BadValuesNameFileAndLine) {
  EXPECT_EQ(errorOf("\nbackend = \"lmdb\"\n"),
            "/etc/p/test.toml:3: checks.classifier.backend: \"lmdb\" is not one of \"sqlite\", "
            "\"redis\"");
  EXPECT_EQ(errorOf("backend = \"redis\"\nredis = \"localhost\"\n"),
            "/etc/p/test.toml:3: checks.classifier.redis: \"localhost\" is not host:port (for "
            "example \"127.0.0.1:6379\")");
  EXPECT_EQ(errorOf("backend = \"redis\"\nredis = \"h:70000\"\n").substr(0, 20),
            "/etc/p/test.toml:3: ");
  EXPECT_EQ(errorOf("redis = \"127.0.0.1:6379\"\n"),
            "/etc/p/test.toml:2: checks.classifier.redis: set backend = \"redis\" to use a Redis "
            "server");
  EXPECT_EQ(errorOf("backend = \"redis\"\ndatabase = \"x.db\"\n"),
            "/etc/p/test.toml:3: checks.classifier.database: only the sqlite backend has a "
            "database file");
  EXPECT_EQ(errorOf("max_tokens = 10\n").find("/etc/p/test.toml:2: checks.classifier.max_tokens"),
            0u);
  EXPECT_EQ(errorOf("min_spam_learned = 0\n").find("/etc/p/test.toml:2:"), 0u);
  EXPECT_EQ(
      errorOf("autolearn = \"yes\"\n").find("/etc/p/test.toml:2: checks.classifier.autolearn"), 0u);
  EXPECT_EQ(errorOf("autolearn_spam_threshold = 5\nautolearn_ham_threshold = 6\n"),
            "/etc/p/test.toml:3: checks.classifier.autolearn_ham_threshold: must be below "
            "autolearn_spam_threshold");
  EXPECT_EQ(errorOf("redis_timeout = \"forever\"\n").find("/etc/p/test.toml:2:"), 0u);
  EXPECT_EQ(errorOf("max_tokenz = 5\n"),
            "/etc/p/test.toml:2: unknown option \"checks.classifier.max_tokenz\"");
}

TEST(ClassifierConfig, BadReportSettingsNameFileAndLine) {
  EXPECT_EQ(errorOf("report_addresses = { spam = \"not an address\" }\n"),
            "/etc/p/test.toml:2: checks.classifier.report_addresses.spam: \"not an address\" is "
            "not a mail address such as spam-report@example.org");
  EXPECT_EQ(errorOf("report_addresses = { spam = \"a@example.org\", ham = \"A@example.org\" }\n"),
            "/etc/p/test.toml:2: checks.classifier.report_addresses.ham: the spam and ham report "
            "addresses must differ");
  EXPECT_EQ(errorOf("report_addresses = { spam = \"a@example.org\", junk = \"b@example.org\" }\n"),
            "/etc/p/test.toml:2: unknown option \"checks.classifier.report_addresses.junk\"");
  EXPECT_EQ(errorOf("\nreport_networks = [\"192.0.2.0/33\"]\n")
                .find("/etc/p/test.toml:3: checks.classifier.report_networks: \"192.0.2.0/33\""),
            0u);
  EXPECT_EQ(errorOf("max_reported_messages = 0\n").find("/etc/p/test.toml:2:"), 0u);
}

TEST(ClassifierConfig, OpensTheEmbeddedStoreAndRefusesAForeignFile) {
  test::TempDir dir("portcullis-classifier-config");
  const ClassifierConfig c = read("");
  auto opened = openClassifier(c, dir.path());
  ASSERT_TRUE(opened.ok()) << opened.error;
  EXPECT_EQ((*opened)->store().backend(), "sqlite");
  EXPECT_TRUE(std::filesystem::exists(dir / "classifier.db"));

  test::writeFile(dir / "foreign.db", "this is not a database, just text\n");
  ClassifierConfig foreign = c;
  foreign.database = dir / "foreign.db";
  auto refused = openClassifier(foreign, dir.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error.find("foreign.db"), std::string::npos) << refused.error;
  EXPECT_EQ(test::readFile(dir / "foreign.db"), "this is not a database, just text\n");
}

}  // namespace
}  // namespace portcullis::classifier
