// The transaction flow without a front end or a socket: every decision it makes, branch by branch
// (deny lists, early rejection, the policy split with 452, the front end's own envelope steps,
// Recipient checks, each verdict's disposition and header changes, the bounded waits), and the
// message it composes.
#include "gateway/pipeline/transaction_flow.h"

#include <gtest/gtest.h>

#include <boost/asio/use_future.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gateway/base/text.h"
#include "gateway/pipeline/message_changes.h"

namespace portcullis {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kListedClient = "192.0.2.66";

// A connect check that forces a reject of kListedClient, as a DNS list zone with reject = true.
class ListedClient : public Check {
 public:
  std::string_view name() const override { return "listed_client"; }
  Stage stage() const override { return Stage::Connect; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    if (tx.client.address == kListedClient) {
      report.force({Action::Reject, "listed client", "554", "5.7.1", "client listed"});
    }
    co_return;
  }
};

// A MAIL check that forces a reject of senders "spf-fail*", as SPF with reject_on_fail.
class FailingSender : public Check {
 public:
  std::string_view name() const override { return "failing_sender"; }
  Stage stage() const override { return Stage::MailFrom; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    if (istartsWith(tx.envelope.mail_from, "spf-fail")) {
      report.force({Action::Reject, "SPF fail", "550", "5.7.23", "SPF check failed"});
    }
    co_return;
  }
};

// A Recipient check: "blocked*" is rejected, "later*" tempfailed, "slow*" takes an hour.
class RecipientRules : public Check {
 public:
  std::string_view name() const override { return "recipient_rules"; }
  Stage stage() const override { return Stage::Recipient; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    const std::string& address = tx.envelope.recipients.at(0).address;
    if (istartsWith(address, "blocked")) {
      report.force({Action::Reject, "blocked", "550", "5.1.1", "no such user here"});
    }
    if (istartsWith(address, "later")) {
      report.force({Action::TempFail, "later", "450", "4.2.1", "try later"});
    }
    if (istartsWith(address, "slow")) {
      asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
      co_await timer.async_wait(use_awaitable);
    }
  }
};

// A Message check scoring by keywords in the message: reject-me, tempfail-me, discard-me,
// tag-me (6), hold-me (12), slow-me (an hour).
class Keywords : public Check {
 public:
  std::string_view name() const override { return "keywords"; }
  Stage stage() const override { return Stage::Message; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    const std::string& m = tx.message;
    report.addHeader({"X-Test-Seen", "yes"});
    if (m.find("reject-me") != std::string::npos) report.force({Action::Reject, "test"});
    if (m.find("tempfail-me") != std::string::npos) report.force({Action::TempFail, "test"});
    if (m.find("discard-me") != std::string::npos) report.force({Action::Discard, "test"});
    if (m.find("tag-me") != std::string::npos) report.addSymbol({"TAG", 6, ""});
    if (m.find("hold-me") != std::string::npos) report.addSymbol({"HOLD", 12, ""});
    if (m.find("slow-me") != std::string::npos) {
      asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
      co_await timer.async_wait(use_awaitable);
    }
  }
};

// The SMTP front end's own steps, scripted: "nobody*" is not ours (554 5.7.1), "busy*" is
// refused downstream (451 4.3.0). Records what it was asked.
class ScriptedSteps : public EnvelopeSteps {
 public:
  awaitable<std::optional<FlowReply>> admitRecipient(const Recipient& recipient) override {
    admitted.push_back(recipient.address);
    if (istartsWith(recipient.address, "nobody")) co_return FlowReply{554, "5.7.1", "relay denied"};
    co_return std::nullopt;
  }
  awaitable<std::optional<FlowReply>> forwardRecipient(const Recipient& recipient) override {
    forwarded.push_back(recipient.address);
    if (istartsWith(recipient.address, "busy"))
      co_return FlowReply{451, "4.3.0", "downstream busy"};
    co_return std::nullopt;
  }
  std::vector<std::string> admitted;
  std::vector<std::string> forwarded;
};

std::shared_ptr<FilterContext> makeContext() {
  auto ctx = std::make_shared<FilterContext>();
  ctx->hostname = "gateway.test";
  ctx->pipeline = std::make_shared<Pipeline>(
      std::vector<std::shared_ptr<const Check>>{
          std::make_shared<ListedClient>(), std::make_shared<FailingSender>(),
          std::make_shared<RecipientRules>(), std::make_shared<Keywords>()},
      50ms);
  AccessLists lists;
  EXPECT_TRUE(lists.deny_clients.add("192.0.2.99").ok());
  EXPECT_TRUE(lists.deny_senders.add("spammer@bad.test").ok());
  EXPECT_TRUE(lists.deny_recipients.add("denied@example.test").ok());
  EXPECT_TRUE(lists.allow_senders.add("friend@partner.test").ok());
  std::vector<DomainPolicy> domains = {{"strict.test", {1.0, 2.0, 3.0, "[STRICT]", false}}};
  ctx->policy = std::make_shared<Policy>(PolicySettings{5.0, 10.0, 15.0, "[SPAM]", false},
                                         std::move(domains), std::move(lists));
  ctx->authentication_results = [](const Report&) -> std::optional<HeaderField> {
    return HeaderField{"Authentication-Results", "gateway.test; none"};
  };
  ctx->remove_field = [](std::string_view name, std::string_view value) {
    return iequals(name, "Authentication-Results") && value.find("gateway.test") != value.npos;
  };
  return ctx;
}

class FlowTest : public ::testing::Test {
 protected:
  // A flow for a connection from `client`, connected.
  TransactionFlow& connect(std::string_view client = "192.0.2.7", EnvelopeSteps* steps = nullptr,
                           std::optional<WaitBounds> bounds = std::nullopt) {
    flow_.emplace(context_, io_.get_executor(), FlowOptions{bounds, steps, ""});
    ClientInfo info;
    info.address = std::string(client);
    info.helo = "client.test";
    flow_->onConnect(info);
    return *flow_;
  }

  Decision mail(std::string_view sender) {
    Transaction tx;
    tx.id = "QID1";
    tx.client.address = "192.0.2.7";
    tx.client.helo = "client.test";
    tx.envelope.mail_from = std::string(sender);
    Decision decision = flow_->onMail(std::move(tx));
    if (!decision.refused()) flow_->mailAccepted();
    return decision;
  }

  Decision rcpt(std::string_view address) {
    Recipient recipient;
    recipient.address = std::string(address);
    return run(flow_->onRcpt(std::move(recipient)));
  }

  MessageDecision message(std::string_view subject) {
    flow_->transaction().message =
        "From: a@sender.test\r\nAuthentication-Results: gateway.test; forged\r\nSubject: " +
        std::string(subject) + "\r\n\r\nbody\r\n";
    return run(flow_->onMessage());
  }

  // Runs `step` and the checks on the io_context until it has finished.
  template <typename T>
  T run(awaitable<T> step) {
    auto result = asio::co_spawn(io_, std::move(step), asio::use_future);
    io_.restart();
    while (result.wait_for(0s) != std::future_status::ready) io_.run_one();
    return result.get();
  }

  std::vector<std::string> recipients() {
    std::vector<std::string> out;
    for (const auto& r : flow_->transaction().envelope.recipients) out.push_back(r.address);
    return out;
  }

  asio::io_context io_;
  std::shared_ptr<FilterContext> context_ = makeContext();
  std::optional<TransactionFlow> flow_;
};

TEST_F(FlowTest, DenyListedClientIsRefusedAtMail) {
  connect("192.0.2.99");
  Decision decision = mail("someone@sender.test");
  EXPECT_EQ(decision.answer, Answer::Reject);
  EXPECT_EQ(decision.reply.code, 550);
  EXPECT_EQ(decision.reply.enhanced, "5.7.1");
  EXPECT_FALSE(flow_->inTransaction());
}

TEST_F(FlowTest, DenyListedSenderIsRefusedAtMail) {
  connect();
  Decision decision = mail("spammer@bad.test");
  EXPECT_EQ(decision.answer, Answer::Reject);
  EXPECT_EQ(decision.reply.code, 550);
  EXPECT_FALSE(flow_->inTransaction());
  EXPECT_FALSE(mail("someone@sender.test").refused());
  EXPECT_TRUE(flow_->inTransaction());
}

TEST_F(FlowTest, DenyListedRecipientIsRefusedAndOthersAccepted) {
  connect();
  mail("someone@sender.test");
  Decision denied = rcpt("denied@example.test");
  EXPECT_EQ(denied.answer, Answer::Reject);
  EXPECT_EQ(denied.reply.code, 550);
  EXPECT_EQ(denied.reply.enhanced, "5.7.1");
  EXPECT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  EXPECT_EQ(recipients(), std::vector<std::string>{"user@example.test"});
}

TEST_F(FlowTest, RejectForcedAtConnectRefusesEveryRecipientWithItsReply) {
  connect(kListedClient);
  ASSERT_FALSE(mail("someone@sender.test").refused());
  for (auto address : {"user@example.test", "other@example.test"}) {
    Decision decision = rcpt(address);
    EXPECT_EQ(decision.answer, Answer::Reject);
    EXPECT_EQ(decision.reply.code, 554);
    EXPECT_EQ(decision.reply.enhanced, "5.7.1");
    EXPECT_EQ(decision.reply.text, "client listed");
  }
  EXPECT_TRUE(recipients().empty());
}

TEST_F(FlowTest, RejectForcedAtMailRefusesEveryRecipientOfThatTransactionOnly) {
  connect();
  ASSERT_FALSE(mail("spf-fail@sender.test").refused());
  Decision decision = rcpt("user@example.test");
  EXPECT_EQ(decision.answer, Answer::Reject);
  EXPECT_EQ(decision.reply.code, 550);
  EXPECT_EQ(decision.reply.enhanced, "5.7.23");
  ASSERT_FALSE(mail("someone@sender.test").refused());
  EXPECT_EQ(rcpt("user@example.test").answer, Answer::Continue);
}

TEST_F(FlowTest, RecipientWithAnotherPolicyIsDeferredWith452AndNotAdded) {
  connect();
  mail("someone@sender.test");
  ASSERT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  Decision other = rcpt("user@strict.test");
  EXPECT_EQ(other.answer, Answer::Defer);
  EXPECT_EQ(other.reply.code, 452);
  EXPECT_EQ(other.reply.enhanced, "4.5.3");
  EXPECT_EQ(rcpt("second@example.test").answer, Answer::Continue);
  EXPECT_EQ(recipients(), (std::vector<std::string>{"user@example.test", "second@example.test"}));
  // In a transaction of its own the deferred recipient is accepted.
  mail("someone@sender.test");
  EXPECT_EQ(rcpt("user@strict.test").answer, Answer::Continue);
}

TEST_F(FlowTest, AllowListedSenderSplitsFromNothing) {
  connect();
  mail("friend@partner.test");
  EXPECT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  EXPECT_EQ(rcpt("user@strict.test").answer, Answer::Defer);
}

TEST_F(FlowTest, RecipientChecksRejectAndTempfail) {
  connect();
  mail("someone@sender.test");
  Decision blocked = rcpt("blocked@example.test");
  EXPECT_EQ(blocked.answer, Answer::Reject);
  EXPECT_EQ(blocked.reply.code, 550);
  EXPECT_EQ(blocked.reply.enhanced, "5.1.1");
  Decision later = rcpt("later@example.test");
  EXPECT_EQ(later.answer, Answer::TempFail);
  EXPECT_EQ(later.reply.code, 450);
  EXPECT_TRUE(recipients().empty());
}

TEST_F(FlowTest, FrontEndStepsRunInTheirPlaces) {
  ScriptedSteps steps;
  connect("192.0.2.7", &steps);
  mail("someone@sender.test");
  // Admission comes before the deny lists: its reply wins, and nothing goes downstream.
  Decision nobody = rcpt("nobody@elsewhere.test");
  EXPECT_EQ(nobody.answer, Answer::Reject);
  EXPECT_EQ(nobody.reply.code, 554);
  EXPECT_EQ(rcpt("denied@example.test").reply.code, 550);
  EXPECT_TRUE(steps.forwarded.empty());
  // A downstream 4xx is a TempFail.
  Decision busy = rcpt("busy@example.test");
  EXPECT_EQ(busy.answer, Answer::TempFail);
  EXPECT_EQ(busy.reply.text, "downstream busy");
  ASSERT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  // A deferred recipient is not forwarded.
  EXPECT_EQ(rcpt("user@strict.test").answer, Answer::Defer);
  EXPECT_EQ(steps.admitted.size(), 5u);
  EXPECT_EQ(steps.forwarded, (std::vector<std::string>{"busy@example.test", "user@example.test"}));
}

TEST_F(FlowTest, RecipientsOurChecksRefuseNeverGoDownstream) {
  ScriptedSteps steps;
  connect("192.0.2.7", &steps);
  mail("someone@sender.test");
  EXPECT_EQ(rcpt("blocked@example.test").answer, Answer::Reject);
  EXPECT_EQ(rcpt("later@example.test").answer, Answer::TempFail);
  ASSERT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  EXPECT_EQ(steps.forwarded, (std::vector<std::string>{"user@example.test"}));
}

TEST_F(FlowTest, EarlyRejectionComesBeforeTheFrontEndSteps) {
  ScriptedSteps steps;
  connect(kListedClient, &steps);
  mail("someone@sender.test");
  EXPECT_EQ(rcpt("user@example.test").reply.code, 554);
  EXPECT_TRUE(steps.admitted.empty());
}

struct VerdictRow {
  std::string subject;
  Disposition disposition;
  Answer refusal;
  std::string subject_prefix;
};

TEST_F(FlowTest, EachVerdictHasItsDisposition) {
  const std::vector<VerdictRow> rows = {
      {"hello", Disposition::Deliver, Answer::Continue, ""},
      {"tag-me", Disposition::Deliver, Answer::Continue, "[SPAM]"},
      {"hold-me", Disposition::Quarantine, Answer::Continue, ""},
      {"discard-me", Disposition::Discard, Answer::Continue, ""},
      {"reject-me", Disposition::Refuse, Answer::Reject, ""},
      {"tempfail-me", Disposition::Refuse, Answer::TempFail, ""},
  };
  connect();
  for (const auto& row : rows) {
    SCOPED_TRACE(row.subject);
    mail("someone@sender.test");
    ASSERT_EQ(rcpt("user@example.test").answer, Answer::Continue);
    MessageDecision decision = message(row.subject);
    EXPECT_FALSE(flow_->inTransaction());
    EXPECT_TRUE(decision.checks_finished);
    EXPECT_EQ(decision.disposition, row.disposition);
    EXPECT_EQ(decision.refusal.answer, row.refusal);
    if (row.refusal != Answer::Continue) {
      EXPECT_EQ(decision.refusal.reply.code, decision.verdict.smtp_code);
      continue;
    }
    if (row.disposition == Disposition::Discard) continue;
    EXPECT_EQ(decision.changes.subject_prefix, row.subject_prefix);
    ASSERT_TRUE(decision.changes.authentication_results);
    EXPECT_EQ(decision.changes.authentication_results->value, "gateway.test; none");
    ASSERT_FALSE(decision.changes.added.empty());
    EXPECT_EQ(decision.changes.added.front().name, "X-Test-Seen");
    EXPECT_TRUE(decision.changes.remove("Authentication-Results", "gateway.test; forged"));
    EXPECT_TRUE(decision.changes.remove("X-Spam-Status", "Yes"));
    EXPECT_FALSE(decision.changes.remove("Authentication-Results", "elsewhere.test; pass"));
  }
}

TEST_F(FlowTest, TheFirstRecipientsPolicyDecides) {
  connect();
  mail("someone@sender.test");
  ASSERT_EQ(rcpt("user@strict.test").answer, Answer::Continue);
  // Score 6 is past strict.test's reject threshold (3), where [policy] would only tag.
  MessageDecision decision = message("tag-me");
  EXPECT_EQ(decision.disposition, Disposition::Refuse);
  EXPECT_EQ(decision.refusal.answer, Answer::Reject);
}

TEST_F(FlowTest, ComposedMessageCarriesTheChanges) {
  connect();
  mail("someone@sender.test");
  ASSERT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  MessageDecision decision = message("tag-me");
  std::string composed = composeMessage(decision.changes, *decision.transaction, "gateway.test");
  EXPECT_TRUE(composed.starts_with("Received: from client.test"));
  HeaderField received =
      receivedField(*decision.transaction, "gateway.test", std::chrono::system_clock::now());
  EXPECT_NE(received.value.find("by gateway.test (Portcullis) with SMTP id QID1"),
            std::string::npos);
  EXPECT_NE(received.value.find("for <user@example.test>"), std::string::npos);
  EXPECT_NE(composed.find("Authentication-Results: gateway.test; none\r\n"), std::string::npos);
  EXPECT_EQ(composed.find("forged"), std::string::npos);
  EXPECT_NE(composed.find("X-Test-Seen: yes\r\n"), std::string::npos);
  EXPECT_NE(composed.find("Subject: [SPAM] tag-me\r\n"), std::string::npos);
  EXPECT_TRUE(composed.ends_with("\r\n\r\nbody\r\n"));
}

TEST_F(FlowTest, BoundedWaitsAnswerTempfailWhenChecksOutlastThem) {
  connect("192.0.2.7", nullptr, WaitBounds{5ms, 5ms});
  mail("someone@sender.test");
  Decision slow = rcpt("slow@example.test");
  EXPECT_EQ(slow.answer, Answer::TempFail);
  EXPECT_EQ(slow.reply.code, 451);
  EXPECT_EQ(slow.reply.enhanced, "4.7.1");
  ASSERT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  MessageDecision decision = message("slow-me");
  EXPECT_FALSE(decision.checks_finished);
  EXPECT_EQ(decision.disposition, Disposition::Refuse);
  EXPECT_EQ(decision.refusal.answer, Answer::TempFail);
  EXPECT_EQ(decision.refusal.reply.code, 451);
}

TEST_F(FlowTest, UnboundedWaitsLastUntilTheChecksDeadline) {
  connect();
  mail("someone@sender.test");
  // The check outlives the pipeline's deadline (50 ms): recipient_rules fails neutral.
  EXPECT_EQ(rcpt("slow@example.test").answer, Answer::Continue);
}

TEST_F(FlowTest, AbortEndsTheTransaction) {
  connect();
  mail("someone@sender.test");
  ASSERT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  flow_->abort();
  EXPECT_FALSE(flow_->inTransaction());
  EXPECT_EQ(rcpt("user@example.test").answer, Answer::Continue);
  EXPECT_FALSE(flow_->inTransaction());
}

}  // namespace
}  // namespace portcullis
