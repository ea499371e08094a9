#include "gateway/smtp/command.h"

#include <charconv>

#include "gateway/base/text.h"

namespace portcullis::smtp {

namespace {

constexpr size_t kMaxLocalPart = 64;  // RFC 5321 §4.5.3.1.1
constexpr size_t kMaxDomain = 255;    // §4.5.3.1.2
constexpr size_t kMaxPath = 256;      // §4.5.3.1.3
constexpr size_t kMaxXtext = 100;     // RFC 3461 §4.4: ENVID at most 100 characters

bool isAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext, plus UTF-8 bytes when allowed.
bool isAtext(unsigned char c, bool utf8) {
  if (isAlnum(c)) return true;
  if (c >= 0x80) return utf8;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

bool isValidDotString(std::string_view s, bool utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (unsigned char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!isAtext(c, utf8)) {
      return false;
    }
    prev = static_cast<char>(c);
  }
  return true;
}

bool isValidQuotedString(std::string_view s, bool utf8) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;
      unsigned char next = s[++i];
      if (next < 32 || next > 126) return false;
    } else if (c == '"' || c < 32 || c == 127 || (c >= 0x80 && !utf8)) {
      return false;
    }
  }
  return true;
}

bool isValidAddressLiteral(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  std::string_view inner = s.substr(1, s.size() - 2);
  if (istartsWith(inner, "IPv6:")) {
    inner.remove_prefix(5);
    if (inner.empty()) return false;
    for (char c : inner) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    }
    return true;
  }
  auto parts = split(inner, '.');
  if (parts.size() != 4) return false;
  for (auto p : parts) {
    int v = -1;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || ptr != p.data() + p.size() || p.size() > 3 || v < 0 || v > 255) {
      return false;
    }
  }
  return true;
}

// Splits "KEY=VALUE KEY2" into parameters; the keys are uppercased.
struct Param {
  std::string key;
  std::string_view value;
  bool has_value;
};

std::vector<Param> splitParams(std::string_view s) {
  std::vector<Param> out;
  forEachPiece(s, ' ', [&out](std::string_view token) {
    if (token.empty()) return true;
    auto eq = token.find('=');
    if (eq == std::string_view::npos) {
      out.push_back({toUpper(token), {}, false});
    } else {
      out.push_back({toUpper(token.substr(0, eq)), token.substr(eq + 1), true});
    }
    return true;
  });
  return out;
}

// Extracts "<path>" from the start of an argument; returns the address and the rest.
std::optional<std::pair<std::string, std::string_view>> extractPath(std::string_view arg) {
  if (arg.empty() || arg.front() != '<') return std::nullopt;
  // A quoted local part may contain '>', so scan honouring quotes.
  bool quoted = false;
  size_t i = 1;
  for (; i < arg.size(); ++i) {
    char c = arg[i];
    if (quoted && c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == '>' && !quoted) break;
  }
  if (i >= arg.size()) return std::nullopt;
  std::string_view path = arg.substr(1, i - 1);
  std::string_view rest = arg.substr(i + 1);
  if (!rest.empty() && rest.front() != ' ') return std::nullopt;
  // RFC 5321 §4.1.2 source routes ("@a,@b:user@c") must be accepted and may be ignored.
  if (!path.empty() && path.front() == '@') {
    auto colon = path.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    path.remove_prefix(colon + 1);
  }
  return std::make_pair(std::string(path), trim(rest));
}

bool allDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Command parseCommand(std::string_view line) {
  Command cmd;
  auto space = line.find(' ');
  cmd.verb_text = line.substr(0, space);
  if (space != std::string_view::npos) {
    std::string_view arg = line.substr(space + 1);
    while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t')) arg.remove_suffix(1);
    cmd.argument = arg;
  }
  static const std::pair<std::string_view, Verb> kVerbs[] = {
      {"EHLO", Verb::Ehlo},         {"HELO", Verb::Helo}, {"MAIL", Verb::Mail},
      {"RCPT", Verb::Rcpt},         {"DATA", Verb::Data}, {"BDAT", Verb::Bdat},
      {"RSET", Verb::Rset},         {"NOOP", Verb::Noop}, {"QUIT", Verb::Quit},
      {"VRFY", Verb::Vrfy},         {"EXPN", Verb::Expn}, {"HELP", Verb::Help},
      {"STARTTLS", Verb::StartTls}, {"AUTH", Verb::Auth}};
  for (const auto& [name, verb] : kVerbs) {
    if (iequals(cmd.verb_text, name)) {
      cmd.verb = verb;
      break;
    }
  }
  return cmd;
}

bool isValidDomain(std::string_view domain, bool utf8) {
  if (domain.empty() || domain.size() > kMaxDomain) return false;
  if (domain.front() == '[') return isValidAddressLiteral(domain);
  // A leading, trailing or doubled dot makes an empty label.
  return forEachPiece(domain, '.', [utf8](std::string_view label) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label) {
      if (!(isAlnum(c) || c == '-' || (utf8 && c >= 0x80))) return false;
    }
    return true;
  });
}

bool isValidMailbox(std::string_view address, bool utf8) {
  if (address.size() > kMaxPath - 2) return false;
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view local = address.substr(0, at);
  std::string_view domain = address.substr(at + 1);
  if (local.size() > kMaxLocalPart) return false;
  bool local_ok =
      local.front() == '"' ? isValidQuotedString(local, utf8) : isValidDotString(local, utf8);
  return local_ok && isValidDomain(domain, utf8);
}

bool isValidXtext(std::string_view text) {
  if (text.size() > kMaxXtext * 3) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    if (c == '+') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return false;
      }
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return false;
    }
  }
  return true;
}

Parsed<MailFrom> parseMailFrom(std::string_view argument, const Extensions& ext) {
  if (!istartsWith(argument, "FROM:")) {
    return replies::argumentSyntax("Syntax: MAIL FROM:<address>");
  }
  std::string_view rest = argument.substr(5);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // tolerated in the wild
  auto path = extractPath(rest);
  if (!path) return replies::argumentSyntax("Syntax: MAIL FROM:<address>");
  MailFrom mail;
  mail.address = std::move(path->first);
  for (const auto& p : splitParams(path->second)) {
    if (p.key == "SIZE" && p.has_value && allDigits(p.value)) {
      uint64_t v = 0;
      std::from_chars(p.value.data(), p.value.data() + p.value.size(), v);
      mail.params.size = v;
    } else if (p.key == "BODY" && p.has_value) {
      std::string body = toUpper(p.value);
      if (body != "7BIT" && body != "8BITMIME" && !(body == "BINARYMIME" && ext.chunking)) {
        return Reply{501, "5.5.4", "Error: unsupported BODY type \"" + std::string(p.value) + "\""};
      }
      mail.params.body = body;
    } else if (p.key == "SMTPUTF8" && !p.has_value && ext.smtputf8) {
      mail.params.smtputf8 = true;
    } else if (p.key == "RET" && p.has_value && ext.dsn) {
      std::string ret = toUpper(p.value);
      if (ret != "FULL" && ret != "HDRS")
        return replies::argumentSyntax("Error: bad RET parameter");
      mail.params.ret = ret;
    } else if (p.key == "ENVID" && p.has_value && ext.dsn) {
      if (!isValidXtext(p.value)) return replies::argumentSyntax("Error: bad ENVID parameter");
      mail.params.envid = std::string(p.value);
    } else {
      return replies::parameterNotRecognized(p.key);
    }
  }
  if (!mail.address.empty() && !isValidMailbox(mail.address, mail.params.smtputf8)) {
    return Reply{501, "5.1.7", "Error: bad sender address syntax"};
  }
  return mail;
}

Parsed<Recipient> parseRcptTo(std::string_view argument, const Extensions& ext) {
  if (!istartsWith(argument, "TO:")) return replies::argumentSyntax("Syntax: RCPT TO:<address>");
  std::string_view rest = argument.substr(3);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  auto path = extractPath(rest);
  if (!path) return replies::argumentSyntax("Syntax: RCPT TO:<address>");
  Recipient rcpt;
  rcpt.address = std::move(path->first);
  for (const auto& p : splitParams(path->second)) {
    if (p.key == "NOTIFY" && p.has_value && ext.dsn) {
      std::string notify = toUpper(p.value);
      bool never = false, other = false;
      for (auto v : split(notify, ',')) {
        if (v == "NEVER")
          never = true;
        else if (v == "SUCCESS" || v == "FAILURE" || v == "DELAY")
          other = true;
        else
          return replies::argumentSyntax("Error: bad NOTIFY parameter");
      }
      if (never && other) return replies::argumentSyntax("Error: NOTIFY=NEVER cannot be combined");
      rcpt.notify = notify;
    } else if (p.key == "ORCPT" && p.has_value && ext.dsn) {
      auto semi = p.value.find(';');
      if (semi == std::string_view::npos || semi == 0 || !isValidXtext(p.value.substr(semi + 1))) {
        return replies::argumentSyntax("Error: bad ORCPT parameter");
      }
      rcpt.orcpt = std::string(p.value);
    } else {
      return replies::parameterNotRecognized(p.key);
    }
  }
  // <postmaster> without a domain is valid (RFC 5321 §4.1.1.3).
  if (!iequals(rcpt.address, "postmaster") && !isValidMailbox(rcpt.address, true)) {
    return Reply{501, "5.1.3", "Error: bad recipient address syntax"};
  }
  return rcpt;
}

Parsed<BdatArgs> parseBdat(std::string_view argument) {
  auto parts = split(argument, ' ');
  if (parts.empty() || parts.size() > 2 || !allDigits(parts[0])) {
    return replies::argumentSyntax("Syntax: BDAT size [LAST]");
  }
  BdatArgs args;
  auto [ptr, ec] = std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), args.size);
  if (ec != std::errc()) return replies::argumentSyntax("Syntax: BDAT size [LAST]");
  if (parts.size() == 2) {
    if (!iequals(parts[1], "LAST")) return replies::argumentSyntax("Syntax: BDAT size [LAST]");
    args.last = true;
  }
  return args;
}

std::optional<Reply> validateHelo(std::string_view argument) {
  // Real clients send all kinds of names here (bare words, underscores); only what cannot be a
  // name at all is refused, as Postfix does by default.
  if (argument.empty()) return replies::argumentSyntax("Syntax: EHLO hostname");
  if (argument.size() > kMaxDomain + 2) return Reply{501, "5.5.4", "Error: EHLO argument too long"};
  for (unsigned char c : argument) {
    if (c < 33 || c == 127) return Reply{501, "5.5.4", "Error: invalid character in EHLO argument"};
  }
  return std::nullopt;
}

}  // namespace portcullis::smtp
