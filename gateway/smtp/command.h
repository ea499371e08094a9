// Parsing of SMTP command lines (RFC 5321 §4.1) into verbs and validated arguments: mailbox
// syntax, MAIL and RCPT parameters (SIZE, BODY, SMTPUTF8, DSN's RET/ENVID/NOTIFY/ORCPT). Pure
// functions without I/O; every rejection carries the reply the client gets.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gateway/core/envelope.h"
#include "gateway/smtp/reply.h"

namespace portcullis::smtp {

enum class Verb {
  Ehlo,
  Helo,
  Mail,
  Rcpt,
  Data,
  Bdat,
  Rset,
  Noop,
  Quit,
  Vrfy,
  Expn,
  Help,
  StartTls,
  Auth,
  Unknown
};

struct Command {
  Verb verb = Verb::Unknown;
  std::string_view verb_text;  // as sent, for error messages
  std::string_view argument;   // everything after the verb and one space, trailing blanks removed
};

// Splits a command line (CRLF already removed).
Command parseCommand(std::string_view line);

struct MailFrom {
  std::string address;  // empty for <>
  MailParams params;
};

struct BdatArgs {
  uint64_t size = 0;
  bool last = false;
};

// What the server offers, which decides which parameters are acceptable.
struct Extensions {
  bool smtputf8 = true;
  bool dsn = true;
  bool chunking = true;
};

template <typename T>
using Parsed = std::variant<T, Reply>;

Parsed<MailFrom> parseMailFrom(std::string_view argument, const Extensions& ext);
Parsed<Recipient> parseRcptTo(std::string_view argument, const Extensions& ext);
Parsed<BdatArgs> parseBdat(std::string_view argument);
// The EHLO/HELO argument: a domain or an address literal.
std::optional<Reply> validateHelo(std::string_view argument);

// RFC 5321 Mailbox syntax (local-part "@" domain or address literal); UTF-8 allowed when
// `utf8` (RFC 6531). Enforces the length limits of §4.5.3.1.
bool isValidMailbox(std::string_view address, bool utf8);
bool isValidDomain(std::string_view domain, bool utf8);
// RFC 3461 xtext.
bool isValidXtext(std::string_view text);

}  // namespace portcullis::smtp
