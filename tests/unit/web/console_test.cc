// The console's request handler on a scratch quarantine, without a network: access rules, CSRF
// refusals, login rate limiting, signed links, cookies and headers, escaping in pages, the symbols'
// evidence on the message page and the verdict history page.
#include "gateway/web/console.h"

#include <filesystem>
#include <fstream>
#include <regex>

#include "filters/content/content_check.h"
#include "gateway/web/password.h"
#include "gateway/web/rule_explainer.h"
#include "tests/unit/quarantine/quarantine_fixture.h"

namespace portcullis::web {
namespace {

using namespace std::chrono_literals;
using quarantine::testing::QuarantineTest;
using ::testing::HasSubstr;
using ::testing::Not;

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

// "name=value" of a Set-Cookie header.
std::string cookiePair(const HttpResponse& r) {
  std::string set = header(r, "Set-Cookie");
  return set.substr(0, set.find(';'));
}

class ConsoleTest : public QuarantineTest {
 protected:
  void SetUp() override {
    QuarantineTest::SetUp();
    auto opened = quarantine::Quarantine::open(dir());
    ASSERT_TRUE(opened) << opened.error;
    store_ = std::move(*opened);
    bob_only_ = addMessage(*store_, "s@spam.test", {"bob@example.org"}, "for bob");
    carols_ =
        addMessage(*store_, "s@spam.test", {"carol@example.org"}, "<script>alert(1)</script>");
    config_.host = "127.0.0.1";
    config_.users["admin"] = *hashPassword("pw");
    config_.login_failures = 3;
    config_.audit_log = root_ / "audit.log";
    makeConsole();
  }

  void makeConsole() {
    ConsoleServices services;
    services.quarantine = store_;
    services.verdicts = verdicts_;
    services.release = [this](const std::string& id) {
      released_.push_back(id);
      return spool::Result<std::string>::success("QUEUED" + id);
    };
    services.learn_ham = [this](const std::string& message) {
      learnt_.push_back(message);
      return std::string("learnt as ham");
    };
    console_ = std::make_unique<Console>(config_, std::string(32, 'k'), services);
  }

  HttpResponse get(const std::string& target, const std::string& cookie = "") {
    return console_->handle({"GET", target, cookie, "", "192.0.2.9"});
  }
  HttpResponse post(const std::string& target, const std::string& cookie, const std::string& body) {
    return console_->handle({"POST", target, cookie, body, "192.0.2.9"});
  }

  HttpResponse login(const std::string& password) {
    HttpResponse form = get("/login");
    std::smatch token;
    std::regex_search(form.body, token, std::regex("name=\"login_token\" value=\"([^\"]+)\""));
    return post("/login", cookiePair(form),
                "user=admin&password=" + password + "&login_token=" + token[1].str());
  }

  // The session cookie and the CSRF token of a fresh administrator's session.
  std::pair<std::string, std::string> adminSession() {
    HttpResponse in = login("pw");
    EXPECT_EQ(in.status, 303) << in.body;
    std::string cookie = cookiePair(in);
    HttpResponse page = get("/quarantine", cookie);
    std::smatch csrf;
    std::regex_search(page.body, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\""));
    return {cookie, csrf[1].str()};
  }

  std::string linkSession(const std::string& rcpt) {
    std::string query = console_->links().query(rcpt, spool::Clock::now() + 1h);
    HttpResponse opened = get("/r?" + query);
    EXPECT_EQ(opened.status, 303) << opened.body;
    EXPECT_EQ(header(opened, "Location"), "/mine");
    return cookiePair(opened);
  }

  bool stored(const std::string& id) { return bool(store_->show(id)); }

  std::shared_ptr<quarantine::Quarantine> store_;
  std::shared_ptr<quarantine::VerdictHistory> verdicts_;
  std::string bob_only_, carols_;
  WebConfig config_;
  std::unique_ptr<Console> console_;
  std::vector<std::string> released_;
  std::vector<std::string> learnt_;
};

TEST_F(ConsoleTest, PagesNeedALoginAndCarrySecurityHeaders) {
  HttpResponse list = get("/quarantine");
  EXPECT_EQ(list.status, 303);
  EXPECT_EQ(header(list, "Location"), "/login");
  EXPECT_EQ(post("/message/" + bob_only_ + "/delete", "", "").status, 403);
  EXPECT_TRUE(stored(bob_only_));
  EXPECT_THAT(header(list, "Content-Security-Policy"), HasSubstr("default-src 'none'"));
  EXPECT_EQ(header(list, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(list, "Cache-Control"), "no-store");
}

TEST_F(ConsoleTest, LoginSetsAStrictHttpOnlyCookieAndListsEscaped) {
  HttpResponse in = login("pw");
  ASSERT_EQ(in.status, 303);
  EXPECT_THAT(header(in, "Set-Cookie"), HasSubstr("; HttpOnly; SameSite=Strict"));
  EXPECT_THAT(header(in, "Set-Cookie"), Not(HasSubstr("Secure"))) << "plain HTTP on loopback";
  HttpResponse page = get("/quarantine", cookiePair(in));
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(page.body, Not(HasSubstr("<script>")));
}

TEST_F(ConsoleTest, OverHttpsTheCookieIsSecureAndHostBound) {
  config_.https = true;
  makeConsole();
  HttpResponse form = get("/login");
  EXPECT_THAT(header(form, "Set-Cookie"), HasSubstr("; Secure"));
  std::string query = console_->links().query("bob@example.org", spool::Clock::now() + 1h);
  HttpResponse opened = get("/r?" + query);
  EXPECT_THAT(header(opened, "Set-Cookie"), HasSubstr("__Host-portcullis="));
  EXPECT_THAT(header(opened, "Set-Cookie"), HasSubstr("; Secure"));
  EXPECT_THAT(header(opened, "Strict-Transport-Security"), HasSubstr("max-age="));
}

TEST_F(ConsoleTest, APostWithoutTheCsrfTokenChangesNothing) {
  auto [cookie, csrf] = adminSession();
  ASSERT_FALSE(csrf.empty());
  EXPECT_EQ(post("/message/" + bob_only_ + "/delete", cookie, "").status, 403);
  EXPECT_EQ(post("/message/" + bob_only_ + "/delete", cookie, "csrf=wrong").status, 403);
  EXPECT_EQ(post("/message/" + bob_only_ + "/release", cookie, "").status, 403);
  EXPECT_TRUE(stored(bob_only_));
  EXPECT_TRUE(released_.empty());
  EXPECT_EQ(post("/message/" + bob_only_ + "/delete", cookie, "csrf=" + csrf).status, 200);
  EXPECT_FALSE(stored(bob_only_));
  EXPECT_EQ(post("/message/" + carols_ + "/release", cookie, "csrf=" + csrf).status, 200);
  EXPECT_EQ(released_, std::vector<std::string>{carols_});
}

TEST_F(ConsoleTest, LoginsAreRateLimitedPerAddress) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("wrong").status, 401);
  EXPECT_EQ(login("pw").status, 429) << "even the right password, until the window passes";
}

TEST_F(ConsoleTest, ALoginNeedsItsFormToken) {
  EXPECT_EQ(post("/login", "", "user=admin&password=pw").status, 403);
}

TEST_F(ConsoleTest, ARecipientLinkOpensOnlyThatRecipientsMessages) {
  std::string cookie = linkSession("Bob@Example.org");
  HttpResponse mine = get("/mine", cookie);
  EXPECT_EQ(mine.status, 200);
  EXPECT_THAT(mine.body, HasSubstr(bob_only_));
  EXPECT_THAT(mine.body, Not(HasSubstr(carols_)));
  EXPECT_EQ(get("/mine/" + bob_only_, cookie).status, 200);
  EXPECT_EQ(get("/mine/" + carols_, cookie).status, 404);
  EXPECT_EQ(get("/message/" + carols_, cookie).status, 303) << "not an administrator";
  EXPECT_EQ(get("/quarantine", cookie).status, 303);
  HttpResponse page = get("/mine/" + bob_only_, cookie);
  std::smatch csrf;
  ASSERT_TRUE(std::regex_search(page.body, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
  EXPECT_EQ(post("/mine/" + carols_ + "/delete", cookie, "csrf=" + csrf[1].str()).status, 404);
  EXPECT_TRUE(stored(carols_));
  EXPECT_EQ(post("/mine/" + bob_only_ + "/delete", cookie, "").status, 403);
  EXPECT_EQ(post("/mine/" + bob_only_ + "/delete", cookie, "csrf=" + csrf[1].str()).status, 200);
  EXPECT_FALSE(stored(bob_only_));
}

TEST_F(ConsoleTest, AChangedOrExpiredLinkIsRefused) {
  std::string query = console_->links().query("bob@example.org", spool::Clock::now() + 1h);
  HttpResponse changed =
      get("/r?" + std::regex_replace(query, std::regex("rcpt=bob"), "rcpt=carol"));
  EXPECT_EQ(changed.status, 403);
  EXPECT_EQ(header(changed, "Set-Cookie"), "");
  std::string expired = console_->links().query("bob@example.org", spool::Clock::now() - 1s);
  HttpResponse old = get("/r?" + expired);
  EXPECT_EQ(old.status, 403);
  EXPECT_THAT(old.body, HasSubstr("expired"));
  EXPECT_EQ(get("/mine").status, 403);
}

TEST_F(ConsoleTest, ASharedMessageCannotBeReleasedByOneOfItsRecipients) {
  std::string shared =
      addMessage(*store_, "s@spam.test", {"bob@example.org", "carol@example.org"}, "shared");
  std::string cookie = linkSession("bob@example.org");
  HttpResponse page = get("/mine/" + shared, cookie);
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, Not(HasSubstr("id=\"release\"")));
  std::smatch csrf;
  // The CSRF token of this session, from any page with a form (bob's own message).
  HttpResponse own = get("/mine/" + bob_only_, cookie);
  ASSERT_TRUE(std::regex_search(own.body, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
  EXPECT_EQ(post("/mine/" + shared + "/release", cookie, "csrf=" + csrf[1].str()).status, 404);
  EXPECT_TRUE(released_.empty());
}

TEST_F(ConsoleTest, ADamagedStoredMessageShowsAnErrorPage) {
  auto [cookie, csrf] = adminSession();
  size_t damaged = 0;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir() / "store")) {
    if (file.is_regular_file() && file.path().filename().string().find(bob_only_) == 0) {
      std::ofstream(file.path(), std::ios::trunc) << "garbage";
      ++damaged;
    }
  }
  ASSERT_GT(damaged, 0u);
  HttpResponse page = get("/message/" + bob_only_, cookie);
  EXPECT_EQ(page.status, 500);
  EXPECT_THAT(page.body, HasSubstr("Cannot read the message"));
  EXPECT_EQ(get("/quarantine", cookie).status, 200) << "the list still works";
}

TEST_F(ConsoleTest, ReleaseAndLearnTeachesTheMessageForAdministratorsOnly) {
  auto [cookie, csrf] = adminSession();
  EXPECT_THAT(get("/message/" + bob_only_, cookie).body, HasSubstr("id=\"release-learn\""));
  HttpResponse done = post("/message/" + bob_only_ + "/release-learn", cookie, "csrf=" + csrf);
  EXPECT_EQ(done.status, 200);
  EXPECT_THAT(done.body, HasSubstr("learnt as ham"));
  EXPECT_EQ(released_, std::vector<std::string>{bob_only_});
  ASSERT_EQ(learnt_.size(), 1u);
  EXPECT_THAT(learnt_[0], HasSubstr("Subject: for bob"));

  std::string shared = addMessage(*store_, "s@spam.test", {"dan@example.org"}, "dan's");
  std::string link = linkSession("dan@example.org");
  HttpResponse page = get("/mine/" + shared, link);
  EXPECT_THAT(page.body, Not(HasSubstr("release-learn")));
  std::smatch token;
  ASSERT_TRUE(std::regex_search(page.body, token, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
  EXPECT_EQ(post("/mine/" + shared + "/release-learn", link, "csrf=" + token[1].str()).status, 404);
  EXPECT_EQ(learnt_.size(), 1u);
}

TEST_F(ConsoleTest, TheMessagePageShowsEachSymbolsEvidenceEscapedAndTruncated) {
  config_.max_field_length = 100;
  makeConsole();
  quarantine::Details details = this->details("evidence");
  details.symbols = {{"RELAY_HOP", 3.5, "relay 192.0.2.7 <img src=x onerror=alert(1)>"},
                     {"LONG_MATCH", 1, std::string(5000, 'A')},
                     {"NO_DETAIL", 0.5, ""}};
  auto m = meta("s@spam.test", {"bob@example.org"}, spool::Clock::now());
  ASSERT_TRUE(store_->add(m, message("evidence"), details));
  auto [cookie, csrf] = adminSession();
  HttpResponse page = get("/message/" + m.id, cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("relay 192.0.2.7 &lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(page.body, Not(HasSubstr("<img")));
  EXPECT_THAT(page.body, HasSubstr(std::string(100, 'A')));
  EXPECT_THAT(page.body, Not(HasSubstr(std::string(1000, 'A')))) << "cut to the field limit";
  EXPECT_THAT(page.body, HasSubstr("NO_DETAIL"));
}

TEST_F(ConsoleTest, AdministratorsSeeWhatTheLoadedRulesMatchedBesideEachSymbol) {
  // The real content engine over the stored bytes, as `portcullis scan --explain` runs it.
  std::filesystem::create_directories(root_ / "rules");
  std::ofstream(root_ / "rules" / "local.cf")
      << ("body WEB_MONEY /million\\s+dollars/i\ndescribe WEB_MONEY Talks about money\n"
          "score WEB_MONEY 3\nheader WEB_FROM From =~ /<script>/\nscore WEB_FROM 1\n");
  content::EngineConfig rules;
  rules.rule_paths = {root_ / "rules"};
  asio::thread_pool workers(1);
  auto pipeline = std::make_shared<const Pipeline>(
      std::vector<std::shared_ptr<const Check>>{
          std::make_shared<content::ContentCheck>(content::RuleEngine::create(rules), workers)},
      std::chrono::milliseconds(1000));
  ConsoleServices services;
  services.quarantine = store_;
  services.explain = contentRuleExplainer([pipeline] { return pipeline; });
  console_ = std::make_unique<Console>(config_, std::string(32, 'k'), services);

  quarantine::Details details = this->details("money");
  details.symbols = {{"WEB_MONEY", 3, "Talks about money"}, {"WEB_FROM", 1, ""}};
  auto m = meta("s@spam.test", {"bob@example.org"}, spool::Clock::now());
  const std::string raw =
      "From: <script>x</script> <s@spam.test>\r\nSubject: money\r\n\r\n"
      "You won ONE MILLION   Dollars today\r\n";
  ASSERT_TRUE(store_->add(m, raw, details));
  auto [cookie, csrf] = adminSession();
  HttpResponse page = get("/message/" + m.id, cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  // Body rules see the rendered text, where white space is collapsed.
  EXPECT_THAT(page.body, HasSubstr("<div class=\"why\">matched &quot;MILLION Dollars&quot;</div>"));
  EXPECT_THAT(page.body, HasSubstr("matched &quot;&lt;script&gt;"));
  EXPECT_THAT(page.body, Not(HasSubstr("<script>")));
  EXPECT_THAT(page.body, HasSubstr("id=\"evidence-note\""));

  // A recipient's link shows the symbols without the rules' internals.
  HttpResponse mine = get("/mine/" + m.id, linkSession("bob@example.org"));
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_THAT(mine.body, Not(HasSubstr("class=\"why\"")));
  workers.join();
}

TEST_F(ConsoleTest, TheHistoryShowsEveryVerdictPerHourBesideTheQuarantined) {
  auto [cookie, csrf] = adminSession();
  HttpResponse without = get("/history", cookie);
  ASSERT_EQ(without.status, 200);
  EXPECT_THAT(without.body, HasSubstr("<td class=\"num quarantined\">2</td>"));
  EXPECT_THAT(without.body, Not(HasSubstr("num accept")));

  auto opened = quarantine::VerdictHistory::open(dir() / "verdicts.sqlite3", 24h);
  ASSERT_TRUE(opened) << opened.error;
  verdicts_ = std::move(*opened);
  for (int i = 0; i < 3; ++i) verdicts_->record(Action::Accept);
  verdicts_->record(Action::Reject);
  ASSERT_TRUE(verdicts_->flush());
  verdicts_->record(Action::Accept);  // still pending in memory: shown too
  makeConsole();
  std::tie(cookie, csrf) = adminSession();
  HttpResponse page = get("/history", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("Verdicts per hour"));
  EXPECT_THAT(page.body, HasSubstr("<td class=\"num accept\">4</td>"));
  EXPECT_THAT(page.body, HasSubstr("<td class=\"num reject\">1</td>"));
  EXPECT_THAT(page.body, HasSubstr("<td class=\"num tempfail\">0</td>"));
  EXPECT_THAT(page.body, HasSubstr("<td class=\"num quarantined\">2</td>"));
}

}  // namespace
}  // namespace portcullis::web
