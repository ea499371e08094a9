#include "tests/integration/milter/test_checks.h"

#include <fmt/format.h>

#include <cstdio>
#include <stdexcept>

#include "gateway/base/text.h"

namespace portcullis::milter_test {

namespace {

std::string subjectOf(const std::string& message) {
  size_t end = message.find("\r\n\r\n");
  std::string_view headers(message.data(), end == std::string::npos ? message.size() : end);
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t eol = headers.find("\r\n", pos);
    std::string_view line = headers.substr(pos, eol == std::string::npos ? eol : eol - pos);
    if (istartsWith(line, "Subject:")) return std::string(line.substr(8));
    if (eol == std::string::npos) break;
    pos = eol + 2;
  }
  return {};
}

class StageMarker : public Check {
 public:
  StageMarker(Stage stage, std::string symbol) : stage_(stage), symbol_(std::move(symbol)) {}
  std::string_view name() const override { return symbol_; }
  Stage stage() const override { return stage_; }
  awaitable<void> run(const Transaction&, Report& report) const override {
    report.addSymbol({symbol_, 0.1, "stage reached"});
    co_return;
  }

 private:
  Stage stage_;
  std::string symbol_;
};

// A connect check that forces a reject of one client, as a DNS list zone with reject = true.
class ListedClient : public Check {
 public:
  explicit ListedClient(std::string listed) : listed_(std::move(listed)) {}
  std::string_view name() const override { return "test_listed_client"; }
  Stage stage() const override { return Stage::Connect; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    if (tx.client.address == listed_) {
      report.force(
          {Action::Reject, "listed client", "554", "5.7.1",
           fmt::format("Service unavailable; client [{}] listed by test.portcullis", listed_)});
    }
    co_return;
  }

 private:
  std::string listed_;
};

// A MAIL check that forces a reject of senders "spf-fail*", as SPF with reject_on_fail.
class FailingSender : public Check {
 public:
  std::string_view name() const override { return "test_failing_sender"; }
  Stage stage() const override { return Stage::MailFrom; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    if (istartsWith(tx.envelope.mail_from, "spf-fail")) {
      report.force({Action::Reject, "SPF fail", "550", "5.7.23", "SPF check failed"});
    }
    co_return;
  }
};

class RecipientBlocker : public Check {
 public:
  std::string_view name() const override { return "test_rcpt"; }
  Stage stage() const override { return Stage::Recipient; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    for (const auto& r : tx.envelope.recipients) {
      if (istartsWith(r.address, "blocked")) {
        report.force(
            {Action::Reject, "blocked recipient", "550", "5.1.1", "Error: no such user here"});
      }
    }
    co_return;
  }
};

class SubjectKeywords : public Check {
 public:
  SubjectKeywords(std::chrono::milliseconds slow, int generation)
      : slow_(slow), generation_(generation) {}
  std::string_view name() const override { return "test_subject"; }
  Stage stage() const override { return Stage::Message; }
  FailMode failMode() const override { return FailMode::TempFail; }
  awaitable<void> run(const Transaction& tx, Report& report) const override {
    std::string subject = subjectOf(tx.message);
    std::string rcpts;
    for (const auto& r : tx.envelope.recipients) rcpts += (rcpts.empty() ? "" : ",") + r.address;
    std::string tls = "none";
    if (tx.client.tls) {
      tls = fmt::format("{}/{}/{}", tx.client.tls->version, tx.client.tls->cipher,
                        tx.client.tls->bits);
    }
    report.addHeader(
        {"X-Test-Envelope", fmt::format("id={} client={} helo={} from={} to={} size={} tls={}",
                                        tx.id, tx.client.address, tx.client.helo,
                                        tx.envelope.mail_from, rcpts, tx.message.size(), tls)});
    report.addHeader({"X-Test-Generation", std::to_string(generation_)});
    if (subject.find("reject-me") != std::string::npos) report.force({Action::Reject, "test"});
    if (subject.find("tempfail-me") != std::string::npos) report.force({Action::TempFail, "test"});
    if (subject.find("discard-me") != std::string::npos) report.force({Action::Discard, "test"});
    if (subject.find("tag-me") != std::string::npos) report.addSymbol({"TEST_TAG", 6, "tag"});
    if (subject.find("hold-me") != std::string::npos) report.addSymbol({"TEST_HOLD", 12, "hold"});
    if (subject.find("throw-me") != std::string::npos) throw std::runtime_error("asked to fail");
    if (subject.find("slow-me") != std::string::npos) {
      std::fprintf(stderr, "slow check started id=%s\n", tx.id.c_str());
      std::fflush(stderr);
      asio::steady_timer timer(co_await asio::this_coro::executor, slow_);
      co_await timer.async_wait(use_awaitable);
    }
  }

 private:
  std::chrono::milliseconds slow_;
  int generation_;
};

}  // namespace

std::shared_ptr<smtp::SessionContext> makeTestContext(const TestContextOptions& options) {
  auto ctx = std::make_shared<smtp::SessionContext>();
  std::vector<std::shared_ptr<const Check>> checks = {
      std::make_shared<StageMarker>(Stage::Connect, "TEST_CONNECT_SEEN"),
      std::make_shared<StageMarker>(Stage::MailFrom, "TEST_MAIL_SEEN"),
      std::make_shared<ListedClient>(options.listed_client),
      std::make_shared<FailingSender>(),
      std::make_shared<RecipientBlocker>(),
      std::make_shared<SubjectKeywords>(options.slow_check, options.generation),
  };
  ctx->pipeline = std::make_shared<Pipeline>(std::move(checks), options.check_timeout);
  ctx->policy = std::make_shared<Policy>(PolicySettings{5.0, 10.0, 15.0, "[SPAM]", false},
                                         options.domains, options.lists);
  ctx->authentication_results = [](const Report&) -> std::optional<HeaderField> {
    return HeaderField{"Authentication-Results", "test.portcullis; none"};
  };
  ctx->remove_field = [](std::string_view name, std::string_view value) {
    auto trimmed = value.substr(std::min(value.find_first_not_of(" \t"), value.size()));
    return iequals(name, "Authentication-Results") && istartsWith(trimmed, "test.portcullis");
  };
  return ctx;
}

}  // namespace portcullis::milter_test
