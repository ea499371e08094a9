// MilterSession without the wire protocol or an MTA (the callbacks as Postfix would call them,
// against a real Pipeline and Policy around the test checks), and the `[milter]` configuration
// reader.
#include <gtest/gtest.h>

#include <boost/asio/use_future.hpp>

#include <mutex>
#include <thread>

#include "gateway/config/document.h"
#include "gateway/core/queue_id.h"
#include "gateway/milter/milter_session.h"
#include "tests/integration/milter/test_checks.h"

namespace portcullis::milter {
namespace {

using namespace std::chrono_literals;

// A quarantine store that records what it is asked to keep and answers `reply`.
class RecordingSink : public QuarantineStore {
 public:
  struct Kept {
    std::string id;
    std::string message;
    Action action;
  };
  explicit RecordingSink(FlowReply reply) : reply_(std::move(reply)) {}
  awaitable<FlowReply> keep(const Transaction& tx, std::string_view message,
                            const Verdict& verdict) override {
    std::lock_guard lock(mutex_);
    kept_.push_back({tx.id, std::string(message), verdict.action});
    co_return reply_;
  }
  std::vector<Kept> kept() const {
    std::lock_guard lock(mutex_);
    return kept_;
  }

 private:
  FlowReply reply_;
  mutable std::mutex mutex_;
  std::vector<Kept> kept_;
};

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~SessionTest() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  // A session from client 192.0.2.7 (or `client_address`) after HELO, before MAIL.
  std::unique_ptr<MilterSession> connected(milter_test::TestContextOptions checks = {},
                                           MilterSettings settings = {},
                                           std::shared_ptr<QuarantineStore> store = nullptr,
                                           std::string_view client_address = "192.0.2.7") {
    auto context = milter_test::makeTestContext(checks);
    context->quarantine = std::move(store);
    auto session = std::make_unique<MilterSession>(context, io_.get_executor(), settings);
    ClientInfo client;
    client.address = std::string(client_address);
    session->connect(client);
    session->helo("client.test");
    return session;
  }

  // A session in a transaction from sender@sender.test.
  std::unique_ptr<MilterSession> open(milter_test::TestContextOptions checks = {},
                                      MilterSettings settings = {},
                                      std::shared_ptr<QuarantineStore> store = nullptr) {
    auto session = connected(std::move(checks), settings, std::move(store));
    StageResult mail =
        session->mail("<sender@sender.test>", {"SIZE=100", "BODY=8BITMIME"}, {"QID1", "", {}});
    EXPECT_EQ(mail.status, MilterStatus::Continue);
    return session;
  }

  MessageActions message(MilterSession& s, const std::string& subject,
                         const std::vector<std::pair<std::string, std::string>>& extra = {},
                         const std::string& body = "Hello\r\n") {
    EXPECT_EQ(await(s.recipient("<rcpt@example.test>", {})).status, MilterStatus::Continue);
    return content(s, subject, extra, body);
  }

  // The header section and body of a message whose recipients were given already, and its end.
  MessageActions content(MilterSession& s, const std::string& subject,
                         const std::vector<std::pair<std::string, std::string>>& extra = {},
                         const std::string& body = "Hello\r\n") {
    for (const auto& [name, value] : extra) s.header(name, value);
    s.header("Subject", subject);
    s.endOfHeaders();
    s.body(body);
    return await(s.endOfMessage("QID2"));
  }

  // Runs an awaitable stage of the session on its executor (one thread: the session's strand).
  template <typename T>
  T await(awaitable<T> stage) {
    return asio::co_spawn(io_, std::move(stage), asio::use_future).get();
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
};

std::string valueOf(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.name == name) return f.value;
  }
  return {};
}

TEST_F(SessionTest, AcceptedMessageGetsAuthenticationResultsOnTopAndSpamHeadersAppended) {
  auto s = open();
  MessageActions a = message(*s, "hello");
  EXPECT_EQ(a.result.status, MilterStatus::Accept);
  ASSERT_EQ(a.insert_at_top.size(), 1u);
  EXPECT_EQ(a.insert_at_top[0].name, "Authentication-Results");
  std::string status = valueOf(a.append, "X-Spam-Status");
  EXPECT_NE(status.find("TEST_CONNECT_SEEN"), std::string::npos) << status;
  EXPECT_NE(status.find("TEST_MAIL_SEEN"), std::string::npos) << status;
  // The end-of-message queue id replaces the provisional one from MAIL.
  EXPECT_NE(valueOf(a.append, "X-Test-Envelope").find("id=QID2 client=192.0.2.7 helo=client.test"),
            std::string::npos);
  EXPECT_FALSE(a.subject);
  EXPECT_TRUE(a.new_subject.empty());
  EXPECT_FALSE(a.quarantine);
  EXPECT_FALSE(s->inTransaction());
}

TEST_F(SessionTest, ForgedFieldsAreRemovedByOccurrenceLastFirst) {
  auto s = open();
  MessageActions a = message(*s, "hello",
                             {{"Authentication-Results", "test.portcullis; dkim=pass"},
                              {"Authentication-Results", "other.example; spf=pass"},
                              {"X-Spam-Flag", "YES"},
                              {"authentication-results", "test.portcullis;\n\tspf=pass"}});
  ASSERT_EQ(a.remove.size(), 3u);
  EXPECT_EQ(a.remove[0].name, "authentication-results");
  EXPECT_EQ(a.remove[0].index, 3);
  EXPECT_EQ(a.remove[1].name, "X-Spam-Flag");
  EXPECT_EQ(a.remove[1].index, 1);
  EXPECT_EQ(a.remove[2].name, "Authentication-Results");
  EXPECT_EQ(a.remove[2].index, 1);
}

TEST_F(SessionTest, TaggedMessageChangesTheSubjectOnce) {
  auto s = open();
  MessageActions a = message(*s, "tag-me now");
  EXPECT_EQ(a.result.status, MilterStatus::Accept);
  ASSERT_TRUE(a.subject);
  EXPECT_EQ(a.subject->index, 1);
  EXPECT_EQ(a.new_subject, "[SPAM] tag-me now");
  EXPECT_EQ(valueOf(a.append, "X-Spam-Flag"), "YES");

  s->mail("<sender@sender.test>", {}, {});
  MessageActions again = message(*s, "[SPAM] tag-me again");
  EXPECT_FALSE(again.subject);
  EXPECT_TRUE(again.new_subject.empty());
}

TEST_F(SessionTest, RejectTempfailDiscardAndHoldMapOntoMilterReplies) {
  auto s = open();
  MessageActions reject = message(*s, "reject-me");
  EXPECT_EQ(reject.result.status, MilterStatus::Reject);
  EXPECT_EQ(reject.result.reply.code, 550);
  EXPECT_EQ(reject.result.reply.enhanced, "5.7.1");

  s->mail("<sender@sender.test>", {}, {});
  MessageActions tempfail = message(*s, "tempfail-me");
  EXPECT_EQ(tempfail.result.status, MilterStatus::TempFail);
  EXPECT_EQ(tempfail.result.reply.code, 451);

  s->mail("<sender@sender.test>", {}, {});
  EXPECT_EQ(message(*s, "discard-me").result.status, MilterStatus::Discard);

  s->mail("<sender@sender.test>", {}, {});
  MessageActions hold = message(*s, "hold-me");
  EXPECT_EQ(hold.result.status, MilterStatus::Accept);
  ASSERT_TRUE(hold.quarantine);
  EXPECT_EQ(*hold.quarantine, "Portcullis: score");
}

TEST_F(SessionTest, StoreModeKeepsTheEditedMessageUnderItsOwnIdAndDiscards) {
  MilterSettings settings;
  settings.quarantine = QuarantineMode::Store;
  auto sink = std::make_shared<RecordingSink>(FlowReply{250, "2.0.0", "Ok: queued"});
  auto s = open({}, settings, sink);
  MessageActions a = message(*s, "hold-me", {{"X-Spam-Flag", "NO"}});
  EXPECT_EQ(a.result.status, MilterStatus::Discard);
  EXPECT_FALSE(a.quarantine);
  auto kept = sink->kept();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].action, Action::Quarantine);
  // The MTA's queue id (QID2) is no quarantine id: the store gets one of the gateway's own.
  EXPECT_TRUE(isValidQueueId(kept[0].id)) << kept[0].id;
  const std::string& m = kept[0].message;
  EXPECT_NE(m.find("Authentication-Results: test.portcullis; none\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("X-Spam-Status: Yes"), std::string::npos) << m;
  EXPECT_EQ(m.find("X-Spam-Flag: NO"), std::string::npos) << m;
  EXPECT_NE(m.find("X-Test-Envelope: id=QID2 "), std::string::npos) << m;
  EXPECT_NE(m.find("X-Spam-Flag: YES\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Subject: hold-me\r\n\r\nHello\r\n"), std::string::npos) << m;

  s->mail("<sender@sender.test>", {}, {});
  EXPECT_EQ(message(*s, "tag-me").result.status, MilterStatus::Accept);
  EXPECT_EQ(sink->kept().size(), 1u);
}

TEST_F(SessionTest, StoreModeAnswersTempfailWhenTheStoreFails) {
  MilterSettings settings;
  settings.quarantine = QuarantineMode::Store;
  auto sink = std::make_shared<RecordingSink>(FlowReply{451, "4.3.0", "Error: disk"});
  auto s = open({}, settings, sink);
  MessageActions a = message(*s, "hold-me");
  EXPECT_EQ(a.result.status, MilterStatus::TempFail);
  EXPECT_EQ(a.result.reply.code, 451);
  EXPECT_EQ(a.result.reply.enhanced, "4.3.0");
  EXPECT_EQ(sink->kept().size(), 1u);
}

TEST_F(SessionTest, StoreModeSendsACutBodyToTheHoldQueue) {
  MilterSettings settings;
  settings.quarantine = QuarantineMode::Store;
  settings.max_body_size = 1024;
  auto sink = std::make_shared<RecordingSink>(FlowReply{250, "2.0.0", "Ok: queued"});
  auto s = open({}, settings, sink);
  MessageActions a = message(*s, "hold-me", {}, std::string(5000, 'x'));
  EXPECT_EQ(a.result.status, MilterStatus::Accept);
  ASSERT_TRUE(a.quarantine);
  EXPECT_TRUE(sink->kept().empty());
}

TEST_F(SessionTest, RecipientChecksRunPerRecipient) {
  auto s = open();
  StageResult refused = await(s->recipient("<blocked@example.test>", {}));
  EXPECT_EQ(refused.status, MilterStatus::Reject);
  EXPECT_EQ(refused.reply.code, 550);
  EXPECT_EQ(refused.reply.enhanced, "5.1.1");
  EXPECT_EQ(await(s->recipient("<ok@example.test>", {"NOTIFY=NEVER"})).status,
            MilterStatus::Continue);
}

TEST_F(SessionTest, BodyBeyondTheLimitIsCutAndFlagged) {
  MilterSettings settings;
  settings.max_body_size = 1024;
  auto s = open({}, settings);
  std::string body(5000, 'x');
  MessageActions a = message(*s, "big", {}, body);
  std::string status = valueOf(a.append, "X-Spam-Status");
  EXPECT_NE(status.find("MILTER_BODY_TRUNCATED"), std::string::npos) << status;
  std::string envelope = valueOf(a.append, "X-Test-Envelope");
  // The checks saw the header section and the first 1024 body bytes.
  EXPECT_NE(
      envelope.find("size=" + std::to_string(1024 + std::string("Subject: big\r\n\r\n").size())),
      std::string::npos)
      << envelope;
}

TEST_F(SessionTest, ChecksOutlivingTheBoundedWaitGiveTempfailAndMayOutliveTheSession) {
  milter_test::TestContextOptions checks;
  checks.check_timeout = 5s;
  checks.slow_check = 2s;
  MilterSettings settings;
  settings.check_timeout = 50ms;  // the milter waits far less than the pipeline allows
  settings.wait_margin = 50ms;
  auto s = open(checks, settings);
  MessageActions a = message(*s, "slow-me");
  EXPECT_EQ(a.result.status, MilterStatus::TempFail);
  EXPECT_EQ(a.result.reply.code, 451);
  s.reset();  // the slow check still runs, on its own copy of the transaction
}

milter_test::TestContextOptions withPolicy(const std::vector<std::string>& deny_clients,
                                           const std::vector<std::string>& deny_senders,
                                           const std::vector<std::string>& deny_recipients) {
  milter_test::TestContextOptions options;
  for (const auto& e : deny_clients) EXPECT_TRUE(options.lists.deny_clients.add(e).ok()) << e;
  for (const auto& e : deny_senders) EXPECT_TRUE(options.lists.deny_senders.add(e).ok()) << e;
  for (const auto& e : deny_recipients) EXPECT_TRUE(options.lists.deny_recipients.add(e).ok()) << e;
  return options;
}

TEST_F(SessionTest, DenyListedSenderIsRefusedAtMailAndStartsNoTransaction) {
  auto options = withPolicy({}, {"spammer.test"}, {});
  EXPECT_TRUE(options.lists.allow_senders.add("crook@spammer.test").ok());  // deny beats allow
  auto s = connected(options);
  StageResult refused = s->mail("<crook@spammer.test>", {}, {});
  EXPECT_EQ(refused.status, MilterStatus::Reject);
  EXPECT_EQ(refused.reply.code, 550);
  EXPECT_EQ(refused.reply.enhanced, "5.7.1");
  EXPECT_EQ(refused.reply.text, "Sender address rejected by local policy");
  EXPECT_FALSE(s->inTransaction());

  EXPECT_EQ(s->mail("<sender@sender.test>", {}, {}).status, MilterStatus::Continue);
  EXPECT_TRUE(s->inTransaction());
  EXPECT_EQ(message(*s, "hello").result.status, MilterStatus::Accept);
}

TEST_F(SessionTest, DenyListedClientIsRefusedAtMailWhateverTheSender) {
  auto s = connected(withPolicy({"192.0.2.0/24"}, {}, {}));
  for (const char* sender : {"<sender@sender.test>", "<>"}) {
    StageResult refused = s->mail(sender, {}, {});
    EXPECT_EQ(refused.status, MilterStatus::Reject) << sender;
    EXPECT_EQ(refused.reply.code, 550);
    EXPECT_EQ(refused.reply.enhanced, "5.7.1");
    EXPECT_EQ(refused.reply.text, "Client host rejected by local policy");
    EXPECT_FALSE(s->inTransaction());
  }
}

TEST_F(SessionTest, DenyListedRecipientIsRefusedAtRcptAndTheOthersGetTheMessage) {
  auto s = open(withPolicy({}, {}, {"former@example.test"}));
  StageResult refused = await(s->recipient("<Former@Example.test>", {}));
  EXPECT_EQ(refused.status, MilterStatus::Reject);
  EXPECT_EQ(refused.reply.code, 550);
  EXPECT_EQ(refused.reply.enhanced, "5.7.1");
  EXPECT_EQ(refused.reply.text, "Recipient address rejected by local policy");
  EXPECT_EQ(await(s->recipient("<bob@example.test>", {})).status, MilterStatus::Continue);
  MessageActions a = content(*s, "hello");
  EXPECT_EQ(a.result.status, MilterStatus::Accept);
  std::string envelope = valueOf(a.append, "X-Test-Envelope");
  EXPECT_NE(envelope.find(" to=bob@example.test "), std::string::npos) << envelope;
}

TEST_F(SessionTest, RejectForcedAtConnectRefusesEveryRecipientWithItsOwnReply) {
  auto s = connected({}, {}, nullptr, milter_test::kListedClient);
  for (const char* sender : {"<sender@sender.test>", "<other@sender.test>"}) {
    ASSERT_EQ(s->mail(sender, {}, {}).status, MilterStatus::Continue) << sender;
    for (const char* rcpt : {"<a@example.test>", "<b@example.test>"}) {
      StageResult refused = await(s->recipient(rcpt, {}));
      EXPECT_EQ(refused.status, MilterStatus::Reject) << sender << " " << rcpt;
      EXPECT_EQ(refused.reply.code, 554);
      EXPECT_EQ(refused.reply.enhanced, "5.7.1");
      EXPECT_EQ(refused.reply.text,
                "Service unavailable; client [192.0.2.66] listed by test.portcullis");
    }
  }
}

TEST_F(SessionTest, RejectForcedAtMailRefusesTheRecipientsOfThatTransactionOnly) {
  auto s = connected();
  ASSERT_EQ(s->mail("<spf-fail@sender.test>", {}, {}).status, MilterStatus::Continue);
  StageResult refused = await(s->recipient("<a@example.test>", {}));
  EXPECT_EQ(refused.status, MilterStatus::Reject);
  EXPECT_EQ(refused.reply.code, 550);
  EXPECT_EQ(refused.reply.enhanced, "5.7.23");
  EXPECT_EQ(refused.reply.text, "SPF check failed");

  ASSERT_EQ(s->mail("<sender@sender.test>", {}, {}).status, MilterStatus::Continue);
  EXPECT_EQ(message(*s, "hello").result.status, MilterStatus::Accept);
}

// [[policy.domain]] lists.test: tagged at 8 (not 5) with another Subject prefix.
milter_test::TestContextOptions withListsDomain() {
  milter_test::TestContextOptions options;
  options.domains.push_back({"lists.test", PolicySettings{8.0, 1e9, 30.0, "[LIST-SPAM]", false}});
  return options;
}

TEST_F(SessionTest, RecipientWithAnotherDomainPolicyGets452AndTheFirstRecipientDecides) {
  auto s = open(withListsDomain());
  EXPECT_EQ(await(s->recipient("<a@example.test>", {})).status, MilterStatus::Continue);
  StageResult deferred = await(s->recipient("<dev@lists.test>", {}));
  EXPECT_EQ(deferred.status, MilterStatus::TempFail);
  EXPECT_EQ(deferred.reply.code, 452);
  EXPECT_EQ(deferred.reply.enhanced, "4.5.3");
  EXPECT_EQ(deferred.reply.text, policyDiffers().text);
  EXPECT_EQ(await(s->recipient("<c@example.test>", {})).status, MilterStatus::Continue);
  MessageActions main_domain = content(*s, "tag-me");
  EXPECT_EQ(main_domain.new_subject, "[SPAM] tag-me");
  EXPECT_NE(
      valueOf(main_domain.append, "X-Test-Envelope").find(" to=a@example.test,c@example.test "),
      std::string::npos);

  // The MTA sends the deferred recipient in a new transaction, where its own policy decides.
  ASSERT_EQ(s->mail("<sender@sender.test>", {}, {}).status, MilterStatus::Continue);
  EXPECT_EQ(await(s->recipient("<dev@lists.test>", {})).status, MilterStatus::Continue);
  EXPECT_EQ(await(s->recipient("<a@example.test>", {})).status, MilterStatus::TempFail);
  MessageActions list = content(*s, "tag-me");
  EXPECT_EQ(list.result.status, MilterStatus::Accept);
  EXPECT_FALSE(list.subject);
  EXPECT_TRUE(list.new_subject.empty());
  std::string status = valueOf(list.append, "X-Spam-Status");
  EXPECT_EQ(status.rfind("No, score=6.2 required=8.0 ", 0), 0u) << status;
  EXPECT_EQ(valueOf(list.append, "X-Spam-Flag"), "");

  // Tagged under the list policy, with its own prefix.
  ASSERT_EQ(s->mail("<sender@sender.test>", {}, {}).status, MilterStatus::Continue);
  EXPECT_EQ(await(s->recipient("<dev@lists.test>", {})).status, MilterStatus::Continue);
  MessageActions hold = content(*s, "hold-me");
  EXPECT_EQ(hold.result.status, MilterStatus::Accept);
  EXPECT_FALSE(hold.quarantine);
  EXPECT_EQ(hold.new_subject, "[LIST-SPAM] hold-me");
}

TEST_F(SessionTest, AbortedTransactionForgetsItsPolicy) {
  auto s = open(withListsDomain());
  EXPECT_EQ(await(s->recipient("<dev@lists.test>", {})).status, MilterStatus::Continue);
  s->abort();
  ASSERT_EQ(s->mail("<sender@sender.test>", {}, {}).status, MilterStatus::Continue);
  EXPECT_EQ(message(*s, "tag-me").new_subject, "[SPAM] tag-me");
}

TEST_F(SessionTest, AllowListedRecipientIsSplitFromOthersAndItsMailIsAccepted) {
  milter_test::TestContextOptions options;
  EXPECT_TRUE(options.lists.allow_recipients.add("abuse@example.test").ok());
  auto s = open(options);
  EXPECT_EQ(await(s->recipient("<a@example.test>", {})).status, MilterStatus::Continue);
  EXPECT_EQ(await(s->recipient("<abuse@example.test>", {})).status, MilterStatus::TempFail);
  MessageActions others = content(*s, "hold-me");
  ASSERT_TRUE(others.quarantine);

  ASSERT_EQ(s->mail("<sender@sender.test>", {}, {}).status, MilterStatus::Continue);
  EXPECT_EQ(await(s->recipient("<abuse@example.test>", {})).status, MilterStatus::Continue);
  MessageActions allowed = content(*s, "hold-me");
  EXPECT_EQ(allowed.result.status, MilterStatus::Accept);
  EXPECT_FALSE(allowed.quarantine);
  std::string status = valueOf(allowed.append, "X-Spam-Status");
  EXPECT_EQ(status.rfind("No, score=12.2 ", 0), 0u) << status;
  // A forced action still decides for allow-listed mail.
  ASSERT_EQ(s->mail("<sender@sender.test>", {}, {}).status, MilterStatus::Continue);
  EXPECT_EQ(await(s->recipient("<abuse@example.test>", {})).status, MilterStatus::Continue);
  EXPECT_EQ(content(*s, "reject-me").result.status, MilterStatus::Reject);
}

TEST_F(SessionTest, AllowListedSenderIsAcceptedWhateverTheScore) {
  milter_test::TestContextOptions options;
  EXPECT_TRUE(options.lists.allow_senders.add("partner.test").ok());
  auto s = connected(options);
  ASSERT_EQ(s->mail("<alice@partner.test>", {}, {}).status, MilterStatus::Continue);
  MessageActions allowed = message(*s, "hold-me");
  EXPECT_EQ(allowed.result.status, MilterStatus::Accept);
  EXPECT_FALSE(allowed.quarantine);
  EXPECT_EQ(valueOf(allowed.append, "X-Spam-Flag"), "");
}

TEST(MilterConfig, ReadsTheMilterTable) {
  auto doc = config::Document::parseString(
      "[milter]\nlisten = \"inet:8891@127.0.0.1\"\nmax_body_size = \"2M\"\n"
      "quarantine = \"hold\"\nmta_timeout = \"10m\"\nio_threads = 3\n",
      "test.toml");
  auto section = doc.root().sub("milter");
  ASSERT_TRUE(section);
  MilterConfig c = readMilterConfig(*section, 7s);
  EXPECT_EQ(c.listen, "inet:8891@127.0.0.1");
  EXPECT_EQ(c.settings.max_body_size, 2u << 20);
  EXPECT_EQ(c.settings.mta_timeout, 600s);
  EXPECT_EQ(c.settings.io_threads, 3u);
  EXPECT_EQ(c.settings.check_timeout, 7s);
  EXPECT_EQ(c.settings.quarantine, QuarantineMode::Hold);
}

TEST(MilterConfig, ReadsTheStoreQuarantineMode) {
  auto doc = config::Document::parseString(
      "[milter]\nlisten = \"unix:/run/p.sock\"\nquarantine = \"store\"\nstore_timeout = \"5s\"\n",
      "test.toml");
  auto section = doc.root().sub("milter");
  ASSERT_TRUE(section);
  MilterConfig c = readMilterConfig(*section, 7s);
  EXPECT_EQ(c.settings.quarantine, QuarantineMode::Store);
  EXPECT_EQ(c.settings.store_timeout, 5s);
}

TEST(MilterConfig, UnknownQuarantineModeNamesFileLineAndChoices) {
  auto doc = config::Document::parseString(
      "[milter]\nlisten = \"unix:/run/p.sock\"\n\nquarantine = \"keep\"\n", "bad.toml");
  auto section = doc.root().sub("milter");
  ASSERT_TRUE(section);
  try {
    readMilterConfig(*section, 1s);
    FAIL() << "accepted quarantine = \"keep\"";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.file(), "bad.toml");
    EXPECT_EQ(e.line(), 4);
    EXPECT_NE(e.message().find("\"keep\" is not one of \"hold\", \"store\""), std::string::npos)
        << e.what();
  }
}

TEST(MilterConfig, RefusesBadValuesWithTheirLine) {
  for (const char* text : {"[milter]\nlisten = \"tcp:8891\"\n",
                           "[milter]\nlisten = \"unix:/run/p.sock\"\nstore_timeout = \"0s\"\n",
                           "[milter]\nlisten = \"unix:/run/p.sock\"\nmax_body = 5\n",
                           "[milter]\nmax_body_size = \"1M\"\n"}) {
    auto doc = config::Document::parseString(text, "bad.toml");
    auto section = doc.root().sub("milter");
    ASSERT_TRUE(section);
    EXPECT_THROW(readMilterConfig(*section, 1s), config::ConfigError) << text;
  }
}

TEST(MilterConfig, ListenSpecifications) {
  EXPECT_TRUE(validListenSpec("inet:8891@127.0.0.1"));
  EXPECT_TRUE(validListenSpec("inet6:8891@[::1]"));
  EXPECT_TRUE(validListenSpec("unix:/run/portcullis/milter.sock"));
  EXPECT_FALSE(validListenSpec("inet:@127.0.0.1"));
  EXPECT_FALSE(validListenSpec("inet:70000@127.0.0.1"));
  EXPECT_FALSE(validListenSpec("unix:"));
  EXPECT_FALSE(validListenSpec("8891"));
}

}  // namespace
}  // namespace portcullis::milter
