#include "gateway/spool/dsn.h"

#include "gateway/base/mail_date.h"
#include "gateway/base/text.h"
#include "gateway/smtp/line_wrap.h"
#include "gateway/spool/queue_file.h"

namespace portcullis::spool {

namespace {

constexpr std::string_view kCrlf = "\r\n";
// The shortest line limit [relay] line_length_limit accepts (RFC 5322's recommended 78).
constexpr size_t kShortestLineLimit = 78;

// One header-safe line: controls (CR, LF, TAB, ...) become spaces, ends trimmed.
std::string oneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c < 0x20 || c == 0x7F ? ' ' : ch);
  }
  return std::string(trim(out));
}

// RFC 3461 xtext ("+2B" is '+'); malformed escapes are kept literally.
std::string decodeXtext(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool hasEightBit(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// The header block of a message, including the empty line that ends it when there is one.
std::string_view headersOf(std::string_view message) {
  auto end = message.find("\r\n\r\n");
  if (end != std::string_view::npos) return message.substr(0, end + 4);
  if (message.starts_with("\r\n")) return message.substr(0, 2);
  return message;
}

// At most `limit` bytes, cut after the last complete line that fits.
std::string_view capAtLine(std::string_view text, uint64_t limit) {
  if (text.size() <= limit) return text;
  auto cut = text.substr(0, limit).rfind('\n');
  return cut == std::string_view::npos ? std::string_view{} : text.substr(0, cut + 1);
}

std::string boundaryFor(const MessageMeta& meta, std::string_view kind, std::string_view original) {
  std::string boundary = "=_portcullis_" + meta.id + "_" + std::string(kind);
  for (int n = 0; original.find(boundary) != std::string_view::npos; ++n) {
    boundary += "_" + std::to_string(n);
  }
  return boundary;
}

std::string diagnosticText(const DsnRecipient& r) {
  return r.reply.empty() ? std::string("no reply from the next hop") : oneLine(r.reply);
}

}  // namespace

bool notifyWants(std::string_view notify, DsnKind kind) {
  if (trim(notify).empty()) return true;
  bool wants = false;
  for (auto item : split(notify, ',')) {
    item = trim(item);
    if (iequals(item, "NEVER")) return false;
    if (iequals(item, kind == DsnKind::Failure ? "FAILURE" : "DELAY")) wants = true;
  }
  return wants;
}

std::string statusFromReply(std::string_view reply, std::string_view fallback) {
  std::string_view text = trim(reply);
  if (text.size() >= 3 && (text[0] == '4' || text[0] == '5') && text[1] >= '0' && text[1] <= '9' &&
      text[2] >= '0' && text[2] <= '9') {
    std::string_view rest = trim(text.substr(3));
    if (!rest.empty() && (rest[0] == '-' || rest[0] == ' ')) rest = trim(rest.substr(1));
    auto end = rest.find_first_of(" \r\n");
    std::string_view code = rest.substr(0, end);
    auto parts = split(code, '.');
    bool enhanced = parts.size() == 3 && code[0] == text[0];
    for (auto part : parts) {
      if (part.empty() || part.size() > 3) enhanced = false;
      for (char c : part) {
        if (c < '0' || c > '9') enhanced = false;
      }
    }
    if (enhanced) return std::string(code);
    return std::string(1, text[0]) + ".0.0";
  }
  return std::string(fallback);
}

std::vector<DsnRecipient> selectDsnRecipients(const MessageMeta& meta, const DeliveryState& state,
                                              DsnKind kind) {
  std::vector<DsnRecipient> selected;
  size_t count = std::min(meta.envelope.recipients.size(), state.recipients.size());
  for (size_t i = 0; i < count; ++i) {
    const RecipientState& r = state.recipients[i];
    bool wanted = kind == DsnKind::Failure ? r.status == RecipientStatus::Failed && !r.notified
                                           : r.status == RecipientStatus::Delayed ||
                                                 r.status == RecipientStatus::Pending;
    if (!wanted) continue;
    selected.push_back(
        DsnRecipient{meta.envelope.recipients[i], r.reply, r.remote_mta, r.last_attempt, {}});
  }
  return selected;
}

std::optional<DsnMessage> makeDsn(const DsnSettings& settings, DsnKind kind,
                                  const MessageMeta& meta, std::string_view original_message,
                                  const std::vector<DsnRecipient>& recipients, TimePoint now,
                                  TimePoint will_retry_until) {
  if (meta.envelope.mail_from.empty()) return std::nullopt;
  std::vector<const DsnRecipient*> reported;
  for (const auto& r : recipients) {
    if (notifyWants(r.recipient.notify, kind)) reported.push_back(&r);
  }
  if (reported.empty()) return std::nullopt;

  const bool failure = kind == DsnKind::Failure;
  const std::string host = oneLine(settings.reporting_mta);
  const std::string sender = oneLine(meta.envelope.mail_from);

  // What of the original goes back: everything, or only the headers.
  std::string_view returned = original_message;
  bool headers_only = iequals(meta.envelope.params.ret, "HDRS") ||
                      iequals(meta.envelope.params.body, "BINARYMIME") ||
                      original_message.size() > settings.max_returned_size;
  if (headers_only) returned = capAtLine(headersOf(original_message), settings.max_returned_size);
  const bool returned_8bit = hasEightBit(returned);
  const size_t line_limit = settings.line_length_limit >= kShortestLineLimit &&
                                    settings.line_length_limit <= smtp::kRfcLineLengthLimit
                                ? settings.line_length_limit
                                : smtp::kRfcLineLengthLimit;
  const bool returned_wrapped = smtp::longestLine(returned) > line_limit;

  const std::string boundary = boundaryFor(meta, failure ? "failure" : "delay", returned);
  std::string m;
  m.reserve(returned.size() + 4096);
  auto header = [&](std::string_view name, std::string_view value) {
    m.append(name).append(": ").append(value).append(kCrlf);
  };
  header("From", "Mail Delivery System <MAILER-DAEMON@" + host + ">");
  header("To", "<" + sender + ">");
  header("Subject",
         failure ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)");
  header("Date", rfc5322Date(now));
  header("Message-ID", "<" + meta.id + "." + (failure ? "failure" : "delay") + "." +
                           std::to_string(toUnixMicros(now)) + "@" + host + ">");
  header("Auto-Submitted", "auto-replied");
  header("MIME-Version", "1.0");
  header("Content-Type",
         "multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"");
  m.append(kCrlf).append("This is a MIME-encapsulated message.").append(kCrlf).append(kCrlf);

  // Part 1: for people.
  m.append("--").append(boundary).append(kCrlf);
  header("Content-Description", "Notification");
  header("Content-Type", "text/plain; charset=us-ascii");
  m.append(kCrlf);
  m.append("This is the mail system at host ").append(host).append(".\r\n\r\n");
  if (failure) {
    m.append(
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients. It's attached below.\r\n\r\n");
  } else {
    m.append(
         "####################################################################\r\n"
         "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
         "####################################################################\r\n\r\n"
         "Your message could not be delivered yet to the recipients below.\r\n"
         "It will be retried until ")
        .append(rfc5322Date(will_retry_until))
        .append(".\r\n\r\n");
  }
  for (const DsnRecipient* r : reported) {
    m.append("<").append(oneLine(r->recipient.address)).append(">: ");
    m.append(diagnosticText(*r)).append(kCrlf);
  }
  if (headers_only && !iequals(meta.envelope.params.ret, "HDRS")) {
    m.append("\r\nOnly the headers of the message are returned.\r\n");
  }
  if (returned_wrapped) {
    m.append("\r\nLines longer than ")
        .append(std::to_string(line_limit))
        .append(
            " octets in the returned message\r\nwere broken, each continued on a line "
            "starting with a space.\r\n");
  }
  m.append(kCrlf);

  // Part 2: for programs (RFC 3464 §2.2 per-message, §2.3 per-recipient fields).
  m.append("--").append(boundary).append(kCrlf);
  header("Content-Description", "Delivery report");
  header("Content-Type", "message/delivery-status");
  m.append(kCrlf);
  header("Reporting-MTA", "dns; " + host);
  header("X-Portcullis-Queue-ID", meta.id);
  if (!meta.envelope.params.envid.empty()) {
    header("Original-Envelope-Id", oneLine(decodeXtext(meta.envelope.params.envid)));
  }
  header("Arrival-Date", rfc5322Date(meta.arrival));
  for (const DsnRecipient* r : reported) {
    m.append(kCrlf);
    header("Final-Recipient", "rfc822; " + oneLine(r->recipient.address));
    if (!r->recipient.orcpt.empty()) {
      header("Original-Recipient", oneLine(decodeXtext(r->recipient.orcpt)));
    }
    header("Action", failure ? "failed" : "delayed");
    std::string status =
        r->status.empty() ? statusFromReply(r->reply, failure ? "5.0.0" : "4.0.0") : r->status;
    header("Status", oneLine(status));
    if (!r->remote_mta.empty()) header("Remote-MTA", "dns; " + oneLine(r->remote_mta));
    if (!r->reply.empty()) header("Diagnostic-Code", "smtp; " + oneLine(r->reply));
    if (r->last_attempt != TimePoint{}) header("Last-Attempt-Date", rfc5322Date(r->last_attempt));
    if (!failure) header("Will-Retry-Until", rfc5322Date(will_retry_until));
  }
  m.append(kCrlf);

  // Part 3: the original, or its headers.
  m.append("--").append(boundary).append(kCrlf);
  header("Content-Description", headers_only
                                    ? "Undelivered Message Headers"
                                    : (failure ? "Undelivered Message" : "Delayed Message"));
  header("Content-Type", headers_only ? "text/rfc822-headers" : "message/rfc822");
  if (returned_8bit) header("Content-Transfer-Encoding", "8bit");
  m.append(kCrlf);
  m.append(returned);
  if (!returned.empty() && !returned.ends_with(kCrlf)) m.append(kCrlf);
  m.append(kCrlf).append("--").append(boundary).append("--").append(kCrlf);

  DsnMessage dsn;
  dsn.envelope.mail_from.clear();
  dsn.envelope.params.body = returned_8bit ? "8BITMIME" : "7BIT";
  dsn.envelope.params.smtputf8 = meta.envelope.params.smtputf8;
  dsn.envelope.recipients.push_back(Recipient{meta.envelope.mail_from, "NEVER", {}});
  dsn.message =
      smtp::longestLine(m) > line_limit ? smtp::wrapLongLines(m, line_limit) : std::move(m);
  return dsn;
}

}  // namespace portcullis::spool
