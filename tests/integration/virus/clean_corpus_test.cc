// Clean mail passes the running gateway's ClamAV check: every message of the development corpus
// groups (SpamAssassin's easy-ham-1 and spam-1, none carrying malware) sent through the gateway
// with the shipped signatures is accepted, and no message log line names a ClamAV symbol.
#include <gtest/gtest.h>

#include <vector>

#include "tests/integration/virus/virus_gateway.h"

namespace portcullis::test {
namespace {

const std::filesystem::path kCorpus = PORTCULLIS_CORPUS_DIR;
constexpr size_t kMinimumGroupSize = 100;

// The message without the mbox "From " line the corpus files start with.
std::string withoutMboxLine(std::string text) {
  if (text.rfind("From ", 0) == 0) text.erase(0, text.find('\n') + 1);
  return text;
}

std::vector<std::filesystem::path> groupMessages(const std::filesystem::path& group) {
  std::vector<std::filesystem::path> messages;
  for (const auto& entry : std::filesystem::directory_iterator(group)) {
    if (entry.path().extension() == ".txt") messages.push_back(entry.path());
  }
  std::sort(messages.begin(), messages.end());
  return messages;
}

class CorpusGroup : public ::testing::TestWithParam<const char*> {};

TEST_P(CorpusGroup, EveryMessageAcceptedWithoutClamavSymbols) {
  const std::filesystem::path group = kCorpus / GetParam();
  ASSERT_TRUE(std::filesystem::is_directory(group))
      << group << " is missing: run tests/support/fetch-corpus.sh " << kCorpus.string();
  std::vector<std::filesystem::path> messages = groupMessages(group);
  ASSERT_GE(messages.size(), kMinimumGroupSize) << group << " is nearly empty";

  GatewaySettings settings;
  // Old mail has long lines; the corpus is about content, not about SMTP limits.
  settings.limits = "max_line_length = 1048576\n";
  settings.extra = clamavTable();
  VirusGateway env(std::move(settings));
  size_t accepted = 0;
  for (const auto& path : messages) {
    SmtpReply reply = sendMessage(env.gateway.port(), withoutMboxLine(readFile(path)));
    EXPECT_EQ(reply.code, 250) << path << ": " << reply.text;
    accepted += reply.code == 250;
  }
  EXPECT_EQ(accepted, messages.size());
  // A finding (CLAMAV_VIRUS, CLAMAV_LIMIT_*, CLAMAV_ENCRYPTED) or a failed scan
  // (CLAMAV_CHECK_FAILED) would be named in the message's log line.
  std::string log = env.gateway.log();
  auto symbol = log.find("CLAMAV");
  EXPECT_EQ(symbol, std::string::npos) << log.substr(log.rfind('\n', symbol) + 1, 600);
}

INSTANTIATE_TEST_SUITE_P(Groups, CorpusGroup, ::testing::Values("easy-ham-1", "spam-1"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace portcullis::test
