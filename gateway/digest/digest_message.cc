#include "gateway/digest/digest_message.h"

#include <fmt/format.h>
#include <time.h>

#include "gateway/base/mail_date.h"
#include "gateway/digest/digest_text.h"
#include "gateway/spool/dsn.h"

namespace portcullis::digest {

namespace {

constexpr size_t kMaxSubjectChars = 200;  // the digest's own Subject

// The host name as a Message-ID right-hand side: letters, digits, '-' and '.', else "localhost".
std::string idDomain(const std::string& hostname) {
  for (char c : hostname) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return "localhost";
  }
  return hostname.empty() ? "localhost" : hostname;
}

}  // namespace

std::string localTime(quarantine::TimePoint t, bool zone) {
  time_t seconds = quarantine::Clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buffer[64];
  size_t n = strftime(buffer, sizeof buffer, zone ? "%Y-%m-%d %H:%M %Z" : "%Y-%m-%d %H:%M", &tm);
  return std::string(buffer, n);
}

std::string composeDigest(const DigestTemplate& layout, const DigestHeader& header,
                          const DigestContent& content) {
  size_t width = header.max_field_length;
  Values digest = {
      {"recipient", listedText(content.recipient, width)},
      {"count", std::to_string(content.total)},
      {"listed", std::to_string(content.entries.size())},
      {"more", std::to_string(content.total - content.entries.size())},
      {"link", content.link},
      {"expires", localTime(content.link_expires, true)},
  };
  std::vector<Values> items;
  for (const auto& e : content.entries) {
    items.push_back({
        {"sender", listedText(e.sender.empty() ? "<>" : e.sender, width)},
        {"subject", listedText(e.details.subject, width)},
        {"date", localTime(e.arrival)},
        {"score", fmt::format("{:.1f}", e.details.score)},
    });
  }
  RenderedDigest rendered = layout.render(digest, items);
  bool plain = isPlain7bit(rendered.body);
  std::string message;
  message += "Date: " + rfc5322Date(header.date) + "\r\n";
  message += "From: <" + header.from + ">\r\n";
  message += "To: <" + content.recipient + ">\r\n";
  message += "Subject: " + headerText(listedText(rendered.subject, kMaxSubjectChars)) + "\r\n";
  message +=
      "Message-ID: <" + header.message_id_local + ".digest@" + idDomain(header.hostname) + ">\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=utf-8\r\n";
  message +=
      std::string("Content-Transfer-Encoding: ") + (plain ? "7bit" : "quoted-printable") + "\r\n";
  message += "Auto-Submitted: auto-generated\r\n";
  message += "X-Auto-Response-Suppress: All\r\n";
  message += "\r\n";
  message += plain ? rendered.body : quotedPrintable(rendered.body);
  return message;
}

}  // namespace portcullis::digest
