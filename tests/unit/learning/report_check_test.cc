// The report check on transactions: an authenticated client may report from anywhere (the milter
// passes {auth_authen}), a client in report_networks without authentication too, anyone else is
// refused; a report is learnt and discarded, mail to other addresses is not touched.
#include "filters/learning/learning_check.h"

#include <gtest/gtest.h>

#include "filters/classifier/sqlite_store.h"
#include "gateway/mime/message.h"
#include "tests/support/temp_dir.h"

namespace portcullis::learning {
namespace {

const std::string kReport =
    "From: Alice <alice@example.org>\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n"
    "\r\nFrom: Spammer <s@spam.test>\r\nSubject: pills\r\n\r\nCheap pills today.\r\n--b--\r\n";

class ReportCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = classifier::SqliteStore::open(dir_ / "c.db");
    ASSERT_TRUE(store.ok()) << store.error;
    store_ = *store;
    config_.spam_report_address = "spam-report@example.org";
    config_.ham_report_address = "ham-report@example.org";
    config_.report_networks = {"192.0.2.0/24"};
  }

  Report run(const std::string& client, const std::string& auth_user,
             const std::vector<std::string>& rcpts) {
    ReportCheck check(config_, std::make_shared<classifier::Classifier>(store_, config_.classify),
                      workers_);
    Transaction tx;
    tx.id = "TESTQID";
    tx.client.address = client;
    tx.client.auth_user = auth_user;
    tx.envelope.mail_from = "alice@example.org";
    for (const auto& r : rcpts) tx.envelope.recipients.push_back({r, "", ""});
    tx.message = kReport;
    tx.parsed = std::make_shared<const mime::Message>(mime::Message::parse(tx.message));
    Report report;
    asio::io_context io;
    asio::co_spawn(io, check.run(tx, report), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
    return report;
  }

  std::uint64_t learnt(classifier::MessageClass cls) {
    auto totals = store_->totals();
    EXPECT_TRUE(totals.ok()) << totals.error;
    return cls == classifier::MessageClass::Spam ? totals->spam_messages : totals->ham_messages;
  }

  test::TempDir dir_{"portcullis-report-check"};
  asio::thread_pool workers_{1};
  std::shared_ptr<classifier::SqliteStore> store_;
  classifier::ClassifierConfig config_;
};

TEST_F(ReportCheckTest, AnAuthenticatedClientReportsFromAnyNetwork) {
  Report report = run("203.0.113.9", "alice", {"Spam-Report@Example.org"});
  ASSERT_TRUE(report.forced().has_value());
  EXPECT_EQ(report.forced()->action, Action::Discard);
  EXPECT_EQ(report.forced()->reason, "spam report: 1 learnt, 0 already learnt, 0 relearnt");
  EXPECT_TRUE(report.hasSymbol("CLASSIFIER_SPAM_REPORT"));
  EXPECT_EQ(learnt(classifier::MessageClass::Spam), 1u);
}

TEST_F(ReportCheckTest, ATrustedNetworkNeedsNoAuthentication) {
  Report report = run("192.0.2.44", "", {"ham-report@example.org"});
  ASSERT_TRUE(report.forced().has_value());
  EXPECT_EQ(report.forced()->action, Action::Discard);
  EXPECT_EQ(learnt(classifier::MessageClass::Ham), 1u);
}

TEST_F(ReportCheckTest, AnyoneElseIsRefusedAndTeachesNothing) {
  Report report = run("203.0.113.9", "", {"ham-report@example.org"});
  ASSERT_TRUE(report.forced().has_value());
  EXPECT_EQ(report.forced()->action, Action::Reject);
  EXPECT_EQ(report.forced()->smtp_code, "550");
  EXPECT_EQ(report.forced()->enhanced, "5.7.1");
  EXPECT_EQ(learnt(classifier::MessageClass::Ham), 0u);
}

TEST_F(ReportCheckTest, OtherMailIsNotTouched) {
  Report report = run("203.0.113.9", "", {"bob@example.org"});
  EXPECT_FALSE(report.forced().has_value());
  EXPECT_TRUE(report.symbols().empty());
}

}  // namespace
}  // namespace portcullis::learning
