#include "gateway/pipeline/message_log.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace portcullis {
namespace {

Transaction hostileTransaction() {
  Transaction tx;
  tx.id = "J18Q4G9LHG00024OI1";
  tx.client.address = "192.0.2.7";
  tx.client.helo = "evil\" \"injected=1\nline";
  tx.envelope.mail_from = "a@b.test";
  tx.envelope.recipients = {{"c@d.test", "", ""}, {"e@f.test", "", ""}};
  return tx;
}

TEST(MessageLog, JsonLineEscapesClientInputAndStaysOneLine) {
  Transaction tx = hostileTransaction();
  Verdict v;
  v.action = Action::Reject;
  v.score = 7.5;
  v.reason = "score";
  v.symbols = {{"GTUBE", 7.5, ""}};
  std::string line =
      formatMessageLog({tx, v, 550, "5.7.1", "rejected", 42, {}, {}}, LogFormat::Json);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  const boost::json::object entry = boost::json::parse(line).as_object();
  EXPECT_EQ(entry.at("helo"), "evil\" \"injected=1\nline") << line;
  EXPECT_EQ(entry.at("rcpt"), (boost::json::array{"c@d.test", "e@f.test"})) << line;
  EXPECT_EQ(entry.at("symbols"), (boost::json::array{{{"name", "GTUBE"}, {"score", 7.5}}})) << line;
  EXPECT_EQ(entry.at("reply"), "550 5.7.1 rejected") << line;
  EXPECT_EQ(entry.at("tls"), "") << line;
}

TEST(MessageLog, TextLineQuotesValuesThatWouldConfuseAReader) {
  Transaction tx = hostileTransaction();
  Verdict v;
  std::string line = formatMessageLog({tx, v, 250, "2.0.0", "Ok", 42, {}, {}}, LogFormat::Text);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(line.find("helo=\"evil\\\" \\\"injected=1\\nline\""), std::string::npos) << line;
  EXPECT_NE(line.find("to=<c@d.test,e@f.test>"), std::string::npos) << line;
  EXPECT_NE(line.find(" reply=\"250 2.0.0 Ok\" "), std::string::npos) << line;
}

TEST(MessageLog, ReplyCarriesTheEnhancedStatusCodeWhenThereIsOne) {
  Transaction tx = hostileTransaction();
  Verdict v;
  v.action = Action::Reject;
  std::string rejected = formatMessageLog(
      {tx, v, 550, "5.7.1", "Message rejected as spam", 42, {}, {}}, LogFormat::Text);
  EXPECT_NE(rejected.find(" reply=\"550 5.7.1 Message rejected as spam\" "), std::string::npos)
      << rejected;
  std::string bare = formatMessageLog({tx, v, 421, "", "closing", 42, {}, {}}, LogFormat::Json);
  EXPECT_EQ(boost::json::parse(bare).at("reply"), "421 closing") << bare;
}

}  // namespace
}  // namespace portcullis
