// The one log line per message (Postfix's lesson: one line per queue id tells the whole story):
// queue id, client address and name, HELO, TLS, envelope, size, action, score, symbols, the reply
// as the client got it ("550 5.7.1 Message rejected as spam") and the time spent in checks and
// delivery. Plain text by default, one JSON object per line when asked.
#pragma once

#include <chrono>
#include <string>

#include "gateway/core/transaction.h"
#include "gateway/core/verdict.h"

namespace portcullis {

struct MessageLogEntry {
  const Transaction& tx;
  const Verdict& verdict;
  int reply_code = 0;
  std::string reply_enhanced;  // "5.7.1"; empty when the reply has none
  std::string reply_text;
  uint64_t size = 0;
  std::chrono::nanoseconds checks_time{};
  std::chrono::nanoseconds delivery_time{};
};

enum class LogFormat { Text, Json };

std::string formatMessageLog(const MessageLogEntry& entry, LogFormat format);

}  // namespace portcullis
