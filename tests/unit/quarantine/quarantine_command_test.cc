// Runs `portcullis quarantine ...` through CLI11 as main() does, against a real quarantine and
// spool in a scratch directory, and checks the output and exit status.
#include "gateway/cli/quarantine_command.h"

#include <boost/json/parse.hpp>

#include <fstream>
#include <sstream>

#include "quarantine_fixture.h"

namespace portcullis::quarantine::testing {
namespace {

using ::testing::HasSubstr;

struct CommandRun {
  int status = 0;
  std::string out;
  std::string err;
};

class QuarantineCommandTest : public QuarantineTest {
 protected:
  void SetUp() override {
    QuarantineTest::SetUp();
    config_ = (root_ / "portcullis.toml").string();
    std::ofstream(config_) << "[domains]\nlocal = [\"example.org\"]\n[queue]\ndirectory = \""
                           << (root_ / "queue").string() << "\"\n[quarantine]\ndirectory = \""
                           << dir().string() << "\"\nretention = \"30d\"\n";
    auto queue = spool::Spool::open(root_ / "queue");
    ASSERT_TRUE(queue) << queue.error;
  }

  // Like main(): parse errors and exceptions become a message on stderr and status 1.
  CommandRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"portcullis", "quarantine", "-c", config_});
    std::vector<const char*> argv;
    for (auto& a : args) argv.push_back(a.c_str());
    CLI::App app{"test"};
    app.require_subcommand(1);
    CommandRun result;
    cli::addQuarantineCommand(app, result.status);
    std::ostringstream out, err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      result.status = app.exit(e, out, err);
    } catch (const std::exception& e) {
      err << "portcullis: " << e.what() << "\n";
      result.status = 1;
    }
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  std::string config_;
};

TEST_F(QuarantineCommandTest, ListsShowsReleasesAndDeletes) {
  std::string a, b;
  {
    auto q = openQuarantine();
    ASSERT_TRUE(q);
    auto now = Clock::now();
    a = addMessage(*q, "x@example.net", {"bob@example.org"}, "first", now - 3h);
    b = addMessage(*q, "y@example.net", {"carol@example.org"}, "second \"quoted\"", now - 1h);
  }
  auto listed = run({"list", "--json"});
  EXPECT_EQ(listed.status, 0) << listed.err;
  std::vector<boost::json::object> entries;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    entries.push_back(boost::json::parse(line).as_object());
  }
  ASSERT_EQ(entries.size(), 2u) << listed.out;
  const boost::json::object& first = entries[0];
  EXPECT_EQ(first.begin()->key(), "id") << first;
  EXPECT_EQ(first.at("id").as_string(), b) << first;
  EXPECT_EQ(first.at("subject"), "second \"quoted\"") << first;
  const boost::json::object gtube = {
      {"name", "GTUBE"}, {"score", 10}, {"detail", "Generic Test for Unsolicited Bulk Email"}};
  ASSERT_FALSE(first.at("symbols").as_array().empty()) << first;
  EXPECT_EQ(first.at("symbols").at(0), gtube) << first;
  EXPECT_EQ(first.at("recipients"), boost::json::array{"carol@example.org"}) << first;
  EXPECT_EQ(entries[1].at("id").as_string(), a) << entries[1];

  auto filtered = run({"list", "--since", "2h", "--sender", "y@example.net"});
  EXPECT_EQ(filtered.status, 0) << filtered.err;
  EXPECT_THAT(filtered.out, HasSubstr(b));
  EXPECT_THAT(filtered.out, ::testing::Not(HasSubstr(a)));
  EXPECT_THAT(run({"list", "--rcpt", "bob@example.org"}).out, HasSubstr("1 messages listed"));
  EXPECT_THAT(run({"list", "--since", "2000-01-01T00:00:00Z"}).out, HasSubstr("2 messages listed"));

  auto shown = run({"show", a});
  EXPECT_EQ(shown.status, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("reason:     score 12.5 >= 10"));
  EXPECT_THAT(shown.out, HasSubstr("GTUBE  Generic Test for Unsolicited Bulk Email\n"));
  EXPECT_THAT(shown.out, HasSubstr("SPF_FAIL\n")) << "no detail, no trailing blanks";
  EXPECT_THAT(shown.out, HasSubstr("Subject: first"));

  auto released = run({"release", a});
  EXPECT_EQ(released.status, 0) << released.err;
  EXPECT_THAT(released.out, HasSubstr(a + ": released, queued as "));
  EXPECT_TRUE(fs::exists(root_ / "queue" / "flush-request"));
  auto queue = spool::Spool::open(root_ / "queue", spool::SpoolAccess::Shared);
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->list().entries.size(), 1u);

  auto again = run({"release", a});
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, HasSubstr("no quarantined message " + a));
  EXPECT_EQ(queue->list().entries.size(), 1u);

  auto deleted = run({"delete", b});
  EXPECT_EQ(deleted.status, 0) << deleted.err;
  EXPECT_THAT(run({"list"}).out, HasSubstr("0 messages listed"));
}

TEST_F(QuarantineCommandTest, ReportsBadInput) {
  {
    auto q = openQuarantine();
    ASSERT_TRUE(q);
  }
  auto bad_id = run({"show", "not-an-id"});
  EXPECT_EQ(bad_id.status, 1);
  EXPECT_THAT(bad_id.err, HasSubstr("\"not-an-id\" is not a quarantine id"));
  std::string missing = newQueueId();
  auto absent = run({"delete", missing});
  EXPECT_EQ(absent.status, 1);
  EXPECT_THAT(absent.err, HasSubstr("no quarantined message " + missing));
  auto bad_since = run({"list", "--since", "yesterday"});
  EXPECT_EQ(bad_since.status, 1);
  EXPECT_THAT(bad_since.err, HasSubstr("--since \"yesterday\""));
  std::ofstream(config_, std::ios::app) << "expire_interval = \"forever\"\n";
  auto bad_config = run({"expire"});
  EXPECT_EQ(bad_config.status, 1);
  EXPECT_THAT(bad_config.err, HasSubstr("portcullis.toml:8:"));
}

TEST_F(QuarantineCommandTest, ExpiresByTheConfiguredRetention) {
  std::string young;
  {
    auto q = openQuarantine();
    ASSERT_TRUE(q);
    addMessage(*q, "x@example.net", {"bob@example.org"}, "old", Clock::now() - 31 * 24h);
    young = addMessage(*q, "x@example.net", {"bob@example.org"}, "young");
  }
  auto expired = run({"expire"});
  EXPECT_EQ(expired.status, 0) << expired.err;
  EXPECT_THAT(expired.out, HasSubstr("1 messages expired"));
  EXPECT_THAT(run({"list"}).out, HasSubstr(young));
}

}  // namespace
}  // namespace portcullis::quarantine::testing
