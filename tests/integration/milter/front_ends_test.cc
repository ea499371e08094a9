// One decision table through both front ends: each row (client, sender, recipients, Subject) is
// sent to a real SMTP session over loopback and to a MilterSession as an MTA would call it, both
// against the same context (the test checks of test_checks.h, deny lists, a [[policy.domain]]),
// and both must reach the outcome the row expects: the answer to MAIL and to each RCPT, the fate
// of the message (delivered, quarantined, discarded or refused with its reply), its Subject and
// the header fields the gateway added. Since both front ends run the same transaction flow, a new
// policy feature is one change in pipeline/transaction_flow.cc and one row here.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <mutex>
#include <thread>

#include "gateway/base/text.h"
#include "gateway/milter/milter_session.h"
#include "gateway/smtp/server_session.h"
#include "tests/integration/milter/test_checks.h"

namespace portcullis {
namespace {

using namespace std::chrono_literals;

// What happened to a message, as a string both front ends can be compared by.
struct Outcome {
  std::vector<std::string> steps;  // "MAIL ok", "RCPT 550 5.7.1", ...
  std::string fate;                // "delivered", "quarantined", "discarded", "refused 554 5.7.1"
  std::string subject;             // as the message leaves (delivered or quarantined)
  std::vector<std::string> added;  // names of the header fields the gateway added, sorted
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Outcome& o) {
  out << "{";
  for (const auto& s : o.steps) out << s << "; ";
  out << o.fate << "; subject=" << o.subject << "; added=";
  for (const auto& a : o.added) out << a << ",";
  return out << "}";
}

std::string refusal(int code, const std::string& enhanced) {
  return std::to_string(code) + (enhanced.empty() ? "" : " " + enhanced);
}

// The message's Subject and the names of its fields not among `original`.
void describe(const std::string& message, Outcome& outcome,
              const std::vector<std::string>& original) {
  size_t end = message.find("\r\n\r\n");
  std::string_view headers(message.data(), end);
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t eol = headers.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = headers.size();
    std::string_view line = headers.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty() || line[0] == ' ' || line[0] == '\t') continue;
    std::string name(line.substr(0, line.find(':')));
    if (iequals(name, "Subject")) outcome.subject = std::string(trim(line.substr(8)));
    if (name != "Received" && std::find(original.begin(), original.end(), name) == original.end())
      outcome.added.push_back(name);
  }
  std::sort(outcome.added.begin(), outcome.added.end());
}

// Delivery and quarantine store of the SMTP session, and the milter's store: they record.
struct Sink {
  std::mutex mutex;
  std::vector<std::string> delivered;
  std::vector<std::string> kept;
};

class RecordingDelivery : public smtp::Delivery {
 public:
  explicit RecordingDelivery(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}
  std::unique_ptr<smtp::DeliveryTransaction> begin() override {
    return std::make_unique<Transaction>(sink_);
  }

 private:
  class Transaction : public smtp::DeliveryTransaction {
   public:
    explicit Transaction(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}
    awaitable<smtp::Reply> mail(const Envelope&) override { co_return smtp::Reply{250, "2.1.0"}; }
    awaitable<smtp::Reply> rcpt(const Recipient&) override { co_return smtp::Reply{250, "2.1.5"}; }
    awaitable<smtp::Reply> commit(const portcullis::Transaction&,
                                  std::string_view message) override {
      std::lock_guard lock(sink_->mutex);
      sink_->delivered.emplace_back(message);
      co_return smtp::Reply{250, "2.0.0", "Ok: queued"};
    }
    awaitable<void> abort() override { co_return; }

   private:
    std::shared_ptr<Sink> sink_;
  };
  std::shared_ptr<Sink> sink_;
};

class RecordingStore : public QuarantineStore {
 public:
  explicit RecordingStore(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}
  awaitable<FlowReply> keep(const Transaction&, std::string_view message, const Verdict&) override {
    std::lock_guard lock(sink_->mutex);
    sink_->kept.emplace_back(message);
    co_return FlowReply{250, "2.0.0", "Ok: quarantined"};
  }

 private:
  std::shared_ptr<Sink> sink_;
};

struct Row {
  std::string name;
  std::string client;  // a loopback address, which the SMTP client binds to
  std::string sender;
  std::vector<std::string> recipients;
  std::string subject;
  Outcome expected;
};

const std::vector<std::string> kOriginalFields = {"From", "Subject"};

const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      {"clean",
       "127.0.0.7",
       "sender@sender.test",
       {"user@example.test"},
       "hello",
       {{"MAIL ok", "RCPT ok"},
        "delivered",
        "hello",
        {"Authentication-Results", "X-Spam-Score", "X-Spam-Status", "X-Test-Envelope",
         "X-Test-Generation"}}},
      {"tagged",
       "127.0.0.7",
       "sender@sender.test",
       {"user@example.test"},
       "tag-me",
       {{"MAIL ok", "RCPT ok"},
        "delivered",
        "[SPAM] tag-me",
        {"Authentication-Results", "X-Spam-Flag", "X-Spam-Score", "X-Spam-Status",
         "X-Test-Envelope", "X-Test-Generation"}}},
      {"quarantined",
       "127.0.0.7",
       "sender@sender.test",
       {"user@example.test"},
       "hold-me",
       {{"MAIL ok", "RCPT ok"},
        "quarantined",
        "hold-me",
        {"Authentication-Results", "X-Spam-Flag", "X-Spam-Score", "X-Spam-Status",
         "X-Test-Envelope", "X-Test-Generation"}}},
      {"discarded",
       "127.0.0.7",
       "sender@sender.test",
       {"user@example.test"},
       "discard-me",
       {{"MAIL ok", "RCPT ok"}, "discarded", "", {}}},
      {"rejected",
       "127.0.0.7",
       "sender@sender.test",
       {"user@example.test"},
       "reject-me",
       {{"MAIL ok", "RCPT ok"}, "refused 550 5.7.1", "", {}}},
      {"tempfailed",
       "127.0.0.7",
       "sender@sender.test",
       {"user@example.test"},
       "tempfail-me",
       {{"MAIL ok", "RCPT ok"}, "refused 451 4.7.1", "", {}}},
      {"deny-listed client",
       "127.0.0.99",
       "sender@sender.test",
       {"user@example.test"},
       "hello",
       {{"MAIL 550 5.7.1"}, "none", "", {}}},
      {"deny-listed sender",
       "127.0.0.7",
       "spammer@bad.test",
       {"user@example.test"},
       "hello",
       {{"MAIL 550 5.7.1"}, "none", "", {}}},
      {"deny-listed recipient",
       "127.0.0.7",
       "sender@sender.test",
       {"denied@example.test", "user@example.test"},
       "hello",
       {{"MAIL ok", "RCPT 550 5.7.1", "RCPT ok"},
        "delivered",
        "hello",
        {"Authentication-Results", "X-Spam-Score", "X-Spam-Status", "X-Test-Envelope",
         "X-Test-Generation"}}},
      {"reject forced at connect",
       "127.0.0.66",
       "sender@sender.test",
       {"user@example.test", "other@example.test"},
       "hello",
       {{"MAIL ok", "RCPT 554 5.7.1", "RCPT 554 5.7.1"}, "none", "", {}}},
      {"reject forced at MAIL",
       "127.0.0.7",
       "spf-fail@sender.test",
       {"user@example.test"},
       "hello",
       {{"MAIL ok", "RCPT 550 5.7.23"}, "none", "", {}}},
      {"recipient check",
       "127.0.0.7",
       "sender@sender.test",
       {"blocked@example.test"},
       "hello",
       {{"MAIL ok", "RCPT 550 5.1.1"}, "none", "", {}}},
      {"policy split",
       "127.0.0.7",
       "sender@sender.test",
       {"user@example.test", "user@strict.test", "second@example.test"},
       "hello",
       {{"MAIL ok", "RCPT ok", "RCPT 452 4.5.3", "RCPT ok"},
        "delivered",
        "hello",
        {"Authentication-Results", "X-Spam-Score", "X-Spam-Status", "X-Test-Envelope",
         "X-Test-Generation"}}},
      {"first recipient's policy decides",
       "127.0.0.7",
       "sender@sender.test",
       {"user@strict.test"},
       "tag-me",
       {{"MAIL ok", "RCPT ok"}, "refused 550 5.7.1", "", {}}},
  };
  return rows;
}

class FrontEndsTest : public ::testing::Test {
 protected:
  FrontEndsTest()
      : work_(io_.get_executor()),
        acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}),
        thread_([this] { io_.run(); }) {
    milter_test::TestContextOptions options;
    options.listed_client = "127.0.0.66";
    options.domains = {{"strict.test", {1.0, 50.0, 3.0, "[STRICT]", false}}};
    EXPECT_TRUE(options.lists.deny_clients.add("127.0.0.99").ok());
    EXPECT_TRUE(options.lists.deny_senders.add("spammer@bad.test").ok());
    EXPECT_TRUE(options.lists.deny_recipients.add("denied@example.test").ok());
    auto ctx = milter_test::makeTestContext(options);
    ctx->hostname = "gateway.test";
    ctx->protocol.hostname = "gateway.test";
    ctx->recipients = std::make_shared<smtp::RecipientPolicy>(
        std::vector<std::string>{"example.test", "strict.test"}, std::vector<std::string>{},
        smtp::VerifyMode::None, nullptr);
    ctx->delivery = std::make_shared<RecordingDelivery>(sink_);
    ctx->quarantine = std::make_shared<RecordingStore>(sink_);
    context_ = ctx;
  }
  ~FrontEndsTest() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  // Takes what the sink recorded since the last call: the fate of an accepted message.
  void fate(Outcome& outcome) {
    std::lock_guard lock(sink_->mutex);
    if (!sink_->delivered.empty()) {
      outcome.fate = "delivered";
      describe(sink_->delivered.back(), outcome, kOriginalFields);
    } else if (!sink_->kept.empty()) {
      outcome.fate = "quarantined";
      describe(sink_->kept.back(), outcome, kOriginalFields);
    } else {
      outcome.fate = "discarded";
    }
    sink_->delivered.clear();
    sink_->kept.clear();
  }

  Outcome throughSmtp(const Row& row) {
    asio::io_context client_io;
    asio::ip::tcp::socket client(client_io);
    client.open(asio::ip::tcp::v4());
    client.bind({asio::ip::make_address(row.client), 0});
    client.connect(acceptor_.local_endpoint());
    asio::ip::tcp::socket served = acceptor_.accept();
    asio::co_spawn(io_, smtp::runSession(std::move(served), context_), asio::detached);
    asio::streambuf buffer;
    auto reply = [&]() -> std::pair<int, std::string> {
      while (true) {
        asio::read_until(client, buffer, "\r\n");
        std::istream in(&buffer);
        std::string line;
        std::getline(in, line);
        if (line.size() >= 4 && line[3] == ' ') {
          std::string text = line.substr(4, line.size() - 5);
          std::string enhanced = text.substr(0, text.find(' '));
          if (enhanced.empty() || !std::isdigit(static_cast<unsigned char>(enhanced[0])))
            enhanced.clear();
          return {std::stoi(line.substr(0, 3)), enhanced};
        }
      }
    };
    auto command = [&](const std::string& line) {
      asio::write(client, asio::buffer(line + "\r\n"));
      return reply();
    };
    Outcome outcome;
    reply();
    command("EHLO client.test");
    auto [mail_code, mail_enhanced] = command("MAIL FROM:<" + row.sender + ">");
    outcome.steps.push_back(mail_code == 250 ? "MAIL ok"
                                             : "MAIL " + refusal(mail_code, mail_enhanced));
    bool any = false;
    if (mail_code == 250) {
      for (const auto& r : row.recipients) {
        auto [code, enhanced] = command("RCPT TO:<" + r + ">");
        any = any || code == 250;
        outcome.steps.push_back(code == 250 ? "RCPT ok" : "RCPT " + refusal(code, enhanced));
      }
    }
    outcome.fate = "none";
    if (any) {
      command("DATA");
      auto [code, enhanced] =
          command("From: a@sender.test\r\nSubject: " + row.subject + "\r\n\r\nbody\r\n.");
      if (code == 250) {
        fate(outcome);
      } else {
        outcome.fate = "refused " + refusal(code, enhanced);
      }
    }
    command("QUIT");
    return outcome;
  }

  Outcome throughMilter(const Row& row) {
    milter::MilterSettings settings;
    settings.quarantine = milter::QuarantineMode::Store;
    milter::MilterSession session(context_, io_.get_executor(), settings);
    ClientInfo client;
    client.address = row.client;
    session.connect(client);
    session.helo("client.test");
    Outcome outcome;
    milter::StageResult mail =
        session.mail("<" + row.sender + ">", {}, {"", "gateway.test", "", {}});
    bool mail_ok = mail.status == milter::MilterStatus::Continue;
    outcome.steps.push_back(mail_ok ? "MAIL ok"
                                    : "MAIL " + refusal(mail.reply.code, mail.reply.enhanced));
    bool any = false;
    if (mail_ok) {
      for (const auto& r : row.recipients) {
        auto step = await(session.recipient("<" + r + ">", {}));
        bool ok = step.status == milter::MilterStatus::Continue;
        any = any || ok;
        outcome.steps.push_back(ok ? "RCPT ok"
                                   : "RCPT " + refusal(step.reply.code, step.reply.enhanced));
      }
    }
    outcome.fate = "none";
    if (any) {
      session.header("From", "a@sender.test");
      session.header("Subject", row.subject);
      session.endOfHeaders();
      session.body("body\r\n");
      milter::MessageActions actions = await(session.endOfMessage(""));
      switch (actions.result.status) {
        case milter::MilterStatus::Accept:
          outcome.fate = actions.quarantine ? "held" : "delivered";
          outcome.subject = actions.new_subject.empty() ? row.subject : actions.new_subject;
          for (const auto& f : actions.insert_at_top) outcome.added.push_back(f.name);
          for (const auto& f : actions.append) outcome.added.push_back(f.name);
          std::sort(outcome.added.begin(), outcome.added.end());
          break;
        case milter::MilterStatus::Discard:
          fate(outcome);
          break;
        case milter::MilterStatus::Reject:
        case milter::MilterStatus::TempFail:
          outcome.fate =
              "refused " + refusal(actions.result.reply.code, actions.result.reply.enhanced);
          break;
        case milter::MilterStatus::Continue:
          outcome.fate = "continue";
          break;
      }
    }
    session.abort();
    return outcome;
  }

  template <typename T>
  T await(awaitable<T> stage) {
    return asio::co_spawn(io_, std::move(stage), asio::use_future).get();
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::shared_ptr<Sink> sink_ = std::make_shared<Sink>();
  std::shared_ptr<const smtp::SessionContext> context_;
};

TEST_F(FrontEndsTest, BothFrontEndsReachTheSameOutcomeForEveryRow) {
  for (const Row& row : table()) {
    SCOPED_TRACE(row.name);
    Outcome smtp = throughSmtp(row);
    Outcome milter = throughMilter(row);
    EXPECT_EQ(smtp, row.expected);
    EXPECT_EQ(milter, row.expected);
  }
}

}  // namespace
}  // namespace portcullis
