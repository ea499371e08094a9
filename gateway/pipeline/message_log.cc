#include "gateway/pipeline/message_log.h"

#include <fmt/format.h>

#include "gateway/core/text.h"

namespace portcullis {

namespace {

// Text values are printed bare unless they contain characters that would confuse a reader.
std::string textValue(std::string_view s) {
  if (!s.empty() && s.find_first_of(" \"=\\\r\n") == std::string_view::npos) return std::string(s);
  return jsonQuoted(s);
}

// "550 5.7.1 Message rejected as spam", as the client read it.
std::string replyLine(const MessageLogEntry& e) {
  std::string line = std::to_string(e.reply_code);
  if (!e.reply_enhanced.empty()) line += " " + e.reply_enhanced;
  return line + " " + e.reply_text;
}

double ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

std::string formatMessageLog(const MessageLogEntry& e, LogFormat format) {
  const auto& tx = e.tx;
  std::string rcpts, symbols;
  if (format == LogFormat::Json) {
    for (const auto& r : tx.envelope.recipients) {
      rcpts += (rcpts.empty() ? "" : ",") + jsonQuoted(r.address);
    }
    for (const auto& s : e.verdict.symbols) {
      symbols += fmt::format("{}{{\"name\":{},\"score\":{:.2f}}}", symbols.empty() ? "" : ",",
                             jsonQuoted(s.name), s.score);
    }
    return fmt::format(
        "{{\"queue_id\":\"{}\",\"client_ip\":{},\"client_name\":{},\"helo\":{},"
        "\"tls\":{},\"from\":{},\"rcpt\":[{}],\"size\":{},\"action\":\"{}\","
        "\"score\":{:.2f},\"reason\":{},\"symbols\":[{}],\"reply\":{},"
        "\"checks_ms\":{:.3f},\"delivery_ms\":{:.3f}}}",
        tx.id, jsonQuoted(tx.client.address), jsonQuoted(tx.client.hostname),
        jsonQuoted(tx.client.helo), jsonQuoted(tx.client.tls ? tx.client.tls->version : ""),
        jsonQuoted(tx.envelope.mail_from), rcpts, e.size, toString(e.verdict.action),
        e.verdict.score, jsonQuoted(e.verdict.reason), symbols, jsonQuoted(replyLine(e)),
        ms(e.checks_time), ms(e.delivery_time));
  }
  for (const auto& r : tx.envelope.recipients) rcpts += (rcpts.empty() ? "" : ",") + r.address;
  for (const auto& s : e.verdict.symbols) {
    symbols += fmt::format("{}{}({:.1f})", symbols.empty() ? "" : ",", s.name, s.score);
  }
  return fmt::format(
      "{}: client={}[{}] helo={} tls={} from=<{}> to=<{}> size={} action={} score={:.1f} "
      "reason={} symbols={} reply={} checks={:.1f}ms delivery={:.1f}ms",
      tx.id, tx.client.hostname.empty() ? "unknown" : tx.client.hostname, tx.client.address,
      textValue(tx.client.helo), tx.client.tls ? tx.client.tls->version : "none",
      tx.envelope.mail_from, rcpts, e.size, toString(e.verdict.action), e.verdict.score,
      textValue(e.verdict.reason), symbols.empty() ? "none" : symbols, textValue(replyLine(e)),
      ms(e.checks_time), ms(e.delivery_time));
}

}  // namespace portcullis
