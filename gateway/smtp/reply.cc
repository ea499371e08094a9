#include "gateway/smtp/reply.h"

#include <algorithm>

#include "gateway/base/text.h"

namespace portcullis::smtp {

std::string Reply::wire() const {
  const std::string code_str = std::to_string(code);
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::string out;
  out.reserve(text.size() + lines * (code_str.size() + enhanced.size() + 4));
  // One wire line per line of the text (an empty text, or one ending in LF, has an empty line).
  for (size_t start = 0;;) {
    const size_t end = text.find('\n', start);
    const bool last = end == std::string::npos;
    out += code_str;
    out += last ? ' ' : '-';
    if (!enhanced.empty()) {
      out += enhanced;
      out += ' ';
    }
    // Reply text may quote what the client sent: control characters never reach the wire.
    for (size_t i = start; i < (last ? text.size() : end); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    out += "\r\n";
    if (last) return out;
    start = end + 1;
  }
}

bool parseReplyLine(std::string_view line, int& code, bool& last, std::string_view& text) {
  if (line.size() < 3) return false;
  for (int i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
  }
  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) {
    last = true;
    text = {};
    return true;
  }
  if (line[3] != ' ' && line[3] != '-') return false;
  last = line[3] == ' ';
  text = line.substr(4);
  return true;
}

namespace replies {
Reply ok(std::string text) {
  return {250, "2.0.0", std::move(text)};
}
Reply senderOk() {
  return {250, "2.1.0", "Ok"};
}
Reply recipientOk() {
  return {250, "2.1.5", "Ok"};
}
Reply startData() {
  return {354, "", "End data with <CR><LF>.<CR><LF>"};
}
Reply closing(std::string_view hostname) {
  return {221, "2.0.0", std::string(hostname) + " closing connection"};
}
Reply syntaxError(std::string text) {
  return {500, "5.5.2", std::move(text)};
}
Reply argumentSyntax(std::string text) {
  return {501, "5.5.4", std::move(text)};
}
Reply badSequence(std::string text) {
  return {503, "5.5.1", std::move(text)};
}
Reply notImplemented(std::string text) {
  return {502, "5.5.1", std::move(text)};
}
Reply lineTooLong() {
  return {500, "5.5.6", "Error: line too long"};
}
Reply tooManyRecipients() {
  return {452, "4.5.3", "Error: too many recipients"};
}
Reply messageTooBig() {
  return {552, "5.3.4", "Error: message exceeds fixed maximum message size"};
}
Reply relayDenied() {
  return {554, "5.7.1", "Error: relay access denied"};
}
Reply unknownUser() {
  return {550, "5.1.1", "Error: recipient address rejected: user unknown"};
}
Reply tooManyErrors(std::string_view hostname) {
  return {421, "4.7.0", std::string(hostname) + " Error: too many errors"};
}
Reply timeout(std::string_view hostname) {
  return {421, "4.4.2", std::string(hostname) + " Error: timeout exceeded"};
}
Reply shuttingDown(std::string_view hostname) {
  return {421, "4.3.2", std::string(hostname) + " Service shutting down, try again later"};
}
Reply tooManyConnections(std::string_view hostname) {
  return {421, "4.7.0", std::string(hostname) + " Error: too many connections, try again later"};
}
Reply localError() {
  return {451, "4.3.0", "Error: local error in processing, try again later"};
}
Reply bareLineEnd() {
  return {550, "5.5.2", "Error: message contains a bare <CR> or <LF> (RFC 5321 section 2.3.8)"};
}
Reply cannotVrfy() {
  return {252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"};
}
Reply needsTls() {
  return {530, "5.7.0", "Must issue a STARTTLS command first"};
}
Reply tlsNotAvailable() {
  return {454, "4.7.0", "TLS not available due to local problem"};
}
Reply readyForTls() {
  return {220, "2.0.0", "Ready to start TLS"};
}
Reply parameterNotRecognized(std::string_view param) {
  return {555, "5.5.4", "Error: unsupported parameter \"" + std::string(param) + "\""};
}
}  // namespace replies

}  // namespace portcullis::smtp
