// Fuzzes the SMTP command parser and protocol state machine (gateway/smtp/command.cc,
// session_state.cc, reply.cc): the input is a sequence of command lines fed to a SessionState,
// whose requests are answered the way the server session answers them on success. The first byte
// chooses the settings (TLS offered/required, error and recipient limits, extensions).
// Invariants: every reply is well formed on the wire and parses back; codes are 2xx-5xx; the
// envelope never exceeds the recipient limit and only holds syntactically valid recipients; a
// transaction needs MAIL first; nothing follows a closing reply.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/smtp/command.h"
#include "gateway/smtp/reply.h"
#include "gateway/smtp/session_state.h"

using namespace portcullis::smtp;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void checkWire(const Reply& reply) {
  check(reply.code >= 200 && reply.code <= 599);
  std::string wire = reply.wire();
  check(wire.size() >= 5 && wire.ends_with("\r\n"));
  size_t pos = 0;
  bool seen_last = false;
  while (pos < wire.size()) {
    size_t eol = wire.find("\r\n", pos);
    check(eol != std::string::npos);
    std::string_view line(wire.data() + pos, eol - pos);
    check(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
    int code = 0;
    bool last = false;
    std::string_view text;
    check(!seen_last);
    check(parseReplyLine(line, code, last, text));
    check(code == reply.code);
    seen_last = last;
    pos = eol + 2;
  }
  check(seen_last);
}

constexpr size_t kMaxLine = 1000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  ProtocolSettings settings;
  settings.hostname = "mx.example.org";
  settings.tls_available = flags & 1;
  settings.tls_required = flags & 2;
  settings.max_errors = 1 + ((flags >> 2) & 7);
  settings.max_recipients = 1 + ((flags >> 5) & 3);
  settings.extensions.smtputf8 = !(flags & 0x80);
  SessionState state(settings);
  checkWire(state.greeting());

  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!input.empty()) {
    size_t eol = input.find('\n');
    std::string_view line = input.substr(0, eol);
    input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);

    // The parsers on their own, as the server calls them.
    Command cmd = parseCommand(line);
    if (cmd.verb == Verb::Mail) (void)parseMailFrom(cmd.argument, settings.extensions);
    if (cmd.verb == Verb::Rcpt) (void)parseRcptTo(cmd.argument, settings.extensions);
    if (cmd.verb == Verb::Bdat) (void)parseBdat(cmd.argument);
    if (cmd.verb == Verb::Ehlo || cmd.verb == Verb::Helo) (void)validateHelo(cmd.argument);

    const bool had_mail = state.inTransaction();
    SessionState::Step step = line.size() > kMaxLine ? state.onLineTooLong() : state.onLine(line);
    checkWire(step.reply);
    switch (step.request) {
      case SessionState::Request::Reply:
      case SessionState::Request::BdatDiscard:
        break;
      case SessionState::Request::Mail:
        check(!had_mail);
        state.mailAccepted(step.mail);
        check(state.envelope().mail_from == step.mail.address);
        break;
      case SessionState::Request::Rcpt:
        check(had_mail);
        check(isValidMailbox(step.recipient.address, true) || step.recipient.address.empty() ||
              step.recipient.address.find('@') == std::string::npos);
        state.recipientAccepted(step.recipient);
        break;
      case SessionState::Request::Data:
        check(had_mail && !state.envelope().recipients.empty());
        state.transactionFinished();
        break;
      case SessionState::Request::Bdat:
        check(had_mail);
        if (step.bdat.last) state.transactionFinished();
        break;
      case SessionState::Request::StartTls:
        check(settings.tls_available && !state.tlsActive());
        state.tlsStarted();
        break;
    }
    check(state.envelope().recipients.size() <= settings.max_recipients);
    if (step.close) break;
  }
  return 0;
}
