#include "filters/learning/reported_messages.h"

#include <string_view>

#include "gateway/base/text.h"
#include "gateway/mime/transfer_decoding.h"

namespace portcullis::learning {

namespace {

// An attached message as its sender wrote it: the part's body, transfer-decoded if it was encoded
// (RFC 2046 forbids that for message/rfc822, but mail programs do it).
std::string attachedMessage(const mime::Part& part) {
  std::string out;
  const size_t max = part.raw_body.size() + 1;
  if (part.transfer_encoding == "base64") {
    mime::decodeBase64(part.raw_body, out, max);
  } else if (part.transfer_encoding == "quoted-printable") {
    mime::decodeQuotedPrintable(part.raw_body, out, max);
  } else {
    out.assign(part.raw_body);
  }
  return out;
}

bool insideMessage(const mime::Message& report, const mime::Part& part) {
  for (int p = part.parent; p >= 0; p = report.parts()[p].parent) {
    if (report.parts()[p].is_message()) return true;
  }
  return false;
}

// Where the forwarded message starts in an inline forward: after the line mail programs put
// before it, or at the start when there is none.
std::string_view forwardedPart(std::string_view text) {
  const std::string lower = toLower(text);
  for (std::string_view marker : {"forwarded message", "original message"}) {
    const size_t at = lower.find(marker);
    if (at == std::string::npos) continue;
    const size_t eol = text.find('\n', at);
    return eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  }
  return text;
}

// Whether `text` starts with a header field ("Name: value"); if not, it is all body.
bool startsWithHeaderField(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (char c : text.substr(0, colon)) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

std::string inlineForward(const mime::Message& report) {
  for (const auto& part : report.parts()) {
    if (!part.children.empty() || part.content_type.rfind("text/", 0) != 0) continue;
    std::string_view text = forwardedPart(part.text);
    while (!text.empty() && (text.front() == '\n' || text.front() == '\r' || text.front() == ' '))
      text.remove_prefix(1);
    if (text.empty()) return {};
    return startsWithHeaderField(text) ? std::string(text) : "\n" + std::string(text);
  }
  return {};
}

}  // namespace

std::vector<std::string> reportedMessages(const mime::Message& report, std::size_t max_messages) {
  std::vector<std::string> messages;
  for (const auto& part : report.parts()) {
    if (messages.size() >= max_messages) break;
    if (&part == &report.parts().front() || !part.is_message() || insideMessage(report, part))
      continue;
    std::string message = attachedMessage(part);
    if (!message.empty()) messages.push_back(std::move(message));
  }
  if (messages.empty() && max_messages > 0) {
    std::string forwarded = inlineForward(report);
    if (!forwarded.empty()) messages.push_back(std::move(forwarded));
  }
  return messages;
}

}  // namespace portcullis::learning
