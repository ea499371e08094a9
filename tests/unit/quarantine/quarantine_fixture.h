// A scratch quarantine directory per test, with helpers to make queued messages.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "gateway/core/queue_id.h"
#include "gateway/quarantine/quarantine.h"

namespace portcullis::quarantine::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class QuarantineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "portcullis-quarantine-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path dir() const { return root_ / "quarantine"; }

  std::unique_ptr<Quarantine> openQuarantine(
      spool::SpoolAccess access = spool::SpoolAccess::Owner) {
    auto opened = Quarantine::open(dir(), access);
    EXPECT_TRUE(opened) << opened.error;
    return opened ? std::move(*opened) : nullptr;
  }

  static spool::MessageMeta meta(std::string sender, std::vector<std::string> rcpts,
                                 TimePoint arrival = Clock::now()) {
    spool::MessageMeta m;
    m.id = newQueueId();
    m.arrival = arrival;
    m.client.address = "192.0.2.7";
    m.client.helo = "mail.example.net";
    m.envelope.mail_from = std::move(sender);
    for (auto& r : rcpts) m.envelope.recipients.push_back({std::move(r), "FAILURE", ""});
    return m;
  }

  static std::string message(std::string_view subject) {
    return "From: a@example.net\r\nSubject: " + std::string(subject) +
           "\r\nMessage-ID: <1@example.net>\r\n\r\nBody line\r\nsecond line\r\n";
  }

  static Details details(std::string subject, double score = 12.5) {
    return Details{std::move(subject),
                   score,
                   {{"GTUBE", 10.0, "Generic Test for Unsolicited Bulk Email"}, {"SPF_FAIL", 2.5}},
                   "score 12.5 >= 10"};
  }

  // Adds a message and returns its id.
  std::string addMessage(Quarantine& q, std::string sender, std::vector<std::string> rcpts,
                         std::string subject, TimePoint arrival = Clock::now()) {
    auto m = meta(std::move(sender), std::move(rcpts), arrival);
    auto added = q.add(m, message(subject), details(subject));
    EXPECT_TRUE(added) << added.error;
    return m.id;
  }

  static std::vector<std::string> ids(const Result<std::vector<Entry>>& listed) {
    std::vector<std::string> out;
    if (listed) {
      for (const auto& e : *listed) out.push_back(e.id);
    }
    return out;
  }

  fs::path root_;
};

}  // namespace portcullis::quarantine::testing
