// SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463), and the gateway's table of
// standard replies, so every place that answers a client says the same thing the same way.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;  // "2.1.0"; empty for the greeting, EHLO lines and replies without one
  std::string text;      // may hold several lines separated by '\n' (sent as a multi-line reply)
  // Set by the SMTP client on a reply it made up because the server gave none: it could not be
  // reached, the connection failed or timed out, TLS failed, or what came back was no SMTP reply.
  bool connection_failed = false;

  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
  // The reply as sent: "250-first\r\n250 2.1.0 last\r\n"; control characters in the text
  // (which may quote client input) are sent as '?'.
  std::string wire() const;
};

// Parses one reply line as a client receives it ("250-text" or "250 text", without CRLF): the
// code, whether it is the last line of the reply, and the text. False when malformed.
bool parseReplyLine(std::string_view line, int& code, bool& last, std::string_view& text);

namespace replies {
Reply ok(std::string text = "Ok");
Reply senderOk();
Reply recipientOk();
Reply startData();
Reply closing(std::string_view hostname);
Reply syntaxError(std::string text = "Error: command not recognized");
Reply argumentSyntax(std::string text);
Reply badSequence(std::string text);
Reply notImplemented(std::string text = "Error: command not implemented");
Reply lineTooLong();
Reply tooManyRecipients();
Reply messageTooBig();
Reply relayDenied();
Reply unknownUser();
Reply tooManyErrors(std::string_view hostname);
Reply timeout(std::string_view hostname);
Reply shuttingDown(std::string_view hostname);
Reply tooManyConnections(std::string_view hostname);
Reply localError();
Reply bareLineEnd();
Reply cannotVrfy();
Reply needsTls();
Reply tlsNotAvailable();
Reply readyForTls();
Reply parameterNotRecognized(std::string_view param);
}  // namespace replies

}  // namespace portcullis::smtp
