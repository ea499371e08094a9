#include "gateway/mime/received_forms.h"

#include <array>
#include <bit>
#include <cstdint>

#include "gateway/base/text.h"

namespace portcullis::mime {
namespace {

bool isHostByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}
bool isReverseNameByte(char c) {  // Sendmail records "ident@host" there
  return isHostByte(c) || c == '@';
}
bool isCommentByte(char c) {  // "8.11.6/8.11.6", "Postfix", "fetchmail-5.9.0"
  return isHostByte(c) || c == '/';
}
bool isAddressByte(char c) {
  return isHostByte(c) || c == '@' || c == '+';
}
bool isDottedQuadByte(char c) {
  return (c >= '0' && c <= '9') || c == '.';
}

// Reads a text left to right: fixed words and runs of allowed bytes.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool word(std::string_view fixed) {
    if (text_.substr(at_, fixed.size()) != fixed) return false;
    at_ += fixed.size();
    return true;
  }
  // The run of bytes from here that satisfy `allowed` ("" when there is none).
  template <typename Pred>
  std::string_view run(Pred allowed) {
    const size_t start = at_;
    while (at_ < text_.size() && allowed(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }
  bool atEnd() const { return at_ == text_.size(); }
  std::string_view rest() const { return text_.substr(at_); }

 private:
  std::string_view text_;
  size_t at_ = 0;
};

// SpamAssassin's IPv4 form: four decimal numbers 0-255 without leading zeros.
bool isDottedQuad(std::string_view text) {
  int parts = 0;
  for (size_t at = 0; at <= text.size(); ++parts) {
    size_t end = at;
    while (end < text.size() && text[end] != '.') ++end;
    const std::string_view part = text.substr(at, end - at);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    at = end + 1;
  }
  return parts == 4;
}

// Words that some pattern tried before the form's own looks for (a mail system's name, an
// authentication or envelope note, HTTP, HELO, ...): a text that holds any of them, in any case,
// is left to the patterns.
bool holdsPatternWord(std::string_view text) {
  static constexpr std::array<std::string_view, 24> kWords = {
      "envelope-", "return-path",   "squirrelmail",  "nasmail",    "smtpsvc",
      "mapi",      "microsoft",     "xmail",         "ecelerity",  "exim",
      "scalix",    "lotus",         "domino",        "qmail",      "hotmail.msn.com",
      "auth:",     "authenticated", "gmx",           "http",       "helo",
      "ehlo",      "lhlo",          "mx.google.com", "communigate"};
  // The words by their first two letters (every word begins with two), each letter numbered 1 to
  // 26 in either case (0 for any other byte): bit i for kWords[i].
  static const auto letters = [] {
    std::array<uint8_t, 256> table{};
    for (int c = 'a'; c <= 'z'; ++c) {
      table[c] = table[c - 'a' + 'A'] = static_cast<uint8_t>(c - 'a' + 1);
    }
    return table;
  }();
  static const auto words_by_pair = [] {
    std::array<std::array<uint32_t, 27>, 27> table{};
    for (size_t i = 0; i < kWords.size(); ++i)
      table[letters[static_cast<uint8_t>(kWords[i][0])]]
           [letters[static_cast<uint8_t>(kWords[i][1])]] |= 1u << i;
    return table;
  }();
  uint8_t previous = 0;
  for (size_t at = 0; at < text.size(); ++at) {
    const uint8_t letter = letters[static_cast<uint8_t>(text[at])];
    for (uint32_t candidates = words_by_pair[previous][letter]; candidates != 0;
         candidates &= candidates - 1) {
      if (istartsWith(text.substr(at - 1), kWords[std::countr_zero(candidates)])) return true;
    }
    previous = letter;
  }
  return false;
}

// The qmail form tried before the Sendmail forms without rDNS matches a protocol or queue id that
// begins "SMTP" or "QMQP", unless it is exactly the protocol word followed by " id ".
bool looksLikeQmail(std::string_view protocol, std::string_view id) {
  auto qmailish = [](std::string_view w) {
    return w.substr(0, 4) == "SMTP" || w.substr(0, 4) == "QMQP";
  };
  return (qmailish(protocol) && protocol != "SMTP" && protocol != "QMQP") || qmailish(id);
}

// The protocol words by which SpamAssassin reads an authenticated submission (case-insensitive).
bool isAuthenticatedProtocol(std::string_view protocol) {
  static constexpr std::array<std::string_view, 12> kWords = {
      "ESMTPA",    "ESMTPSA",    "LMTPA", "LMTPSA", "UTF8SMTPA", "UTF8SMTPSA",
      "UTF8LMTPA", "UTF8LMTPSA", "ASMTP", "HTTP",   "HTTPS",     "HTTPU"};
  for (std::string_view w : kWords) {
    if (iequals(protocol, w)) return true;
  }
  return false;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool isOneOf(std::string_view word, std::string_view names) {
  for (size_t at = 0; at + 3 <= names.size(); at += 4) {
    if (word == names.substr(at, 3)) return true;
  }
  return false;
}

// The end of the text: nothing, or a date the date pattern did not cut off (one with a zone name
// after it): "; [Day, ]D Mon YYYY HH:MM[:SS] ZONE[ (NAME)]", ZONE being +hhmm, -hhmm or up to
// three capitals and NAME up to five.
bool readEnd(Cursor& in) {
  if (in.atEnd()) return true;
  if (!in.word("; ")) return false;
  const std::string_view first = in.run([](char c) { return !isDigit(c) && c != ' '; });
  if (!first.empty() &&
      (first.size() != 4 || first.back() != ',' ||
       !isOneOf(first.substr(0, 3), "Mon Tue Wed Thu Fri Sat Sun") || !in.word(" "))) {
    return false;
  }
  const std::string_view day = in.run(isDigit);
  if (day.empty() || day.size() > 2 || !in.word(" ")) return false;
  if (!isOneOf(in.run(isAsciiAlpha), "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")) {
    return false;
  }
  if (!in.word(" ")) return false;
  const std::string_view year = in.run(isDigit);
  if (year.empty() || year.size() > 4 || !in.word(" ")) return false;
  if (in.run([](char c) { return c == ':' || isDigit(c); }).empty() || !in.word(" ")) return false;
  if (in.word("+") || in.word("-")) {
    if (in.run(isDigit).size() != 4) return false;
  } else if (const size_t letters = in.run(isUpper).size(); letters == 0 || letters > 3) {
    return false;
  }
  if (in.word(" (")) {
    const size_t letters = in.run(isUpper).size();
    if (letters == 0 || letters > 5 || !in.word(")")) return false;
  }
  return in.atEnd();
}

// After "from HELO (RDNS [IP]) by " or "from HELO ([IP]) by ": "BY (COMMENT) with PROTOCOL id ID"
// and an optional " for <ADDR>", to the end.
bool readRelayTail(Cursor& in, CommonForm& form, std::string_view& comment) {
  form.by = in.run(isHostByte);
  if (form.by.empty() || !in.word(" (")) return false;
  comment = in.run(isCommentByte);
  if (comment.empty() || !in.word(") with ")) return false;
  const std::string_view protocol = in.run(isHostByte);
  if (protocol.empty() || !in.word(" id ")) return false;
  const std::string_view id = in.run(isHostByte);
  if (id.empty() || looksLikeQmail(protocol, id)) return false;
  if (in.word(" for <") && (in.run(isAddressByte).empty() || !in.word(">"))) return false;
  if (!readEnd(in)) return false;
  if (isAuthenticatedProtocol(protocol)) form.auth = protocol;
  return true;
}

// "from HOST [IP] by HOST with IMAP|POP3 (COMMENT) for ADDR [(NOTE)]", after "from HOST [".
bool readFetcherTail(Cursor& in) {
  if (!isDottedQuad(in.run(isDottedQuadByte)) || !in.word("] by ")) return false;
  if (in.run(isHostByte).empty() || !in.word(" with ")) return false;
  if (!in.word("IMAP") && !in.word("POP3")) return false;
  if (!in.word(" (") || in.run(isCommentByte).empty() || !in.word(") for ")) return false;
  if (in.run(isAddressByte).empty()) return false;
  if (in.word(" (") && (in.run(isHostByte).empty() || !in.word(")"))) return false;
  return readEnd(in);
}

// Exim's forms (received_forms.h), which the patterns read in their Exim branch: the rDNS name and
// the HELO argument, or the name twice, and no rDNS lookup. Only "helo=" and "Exim" among the
// words holdsPatternWord looks for are the form's own, and no word it looks for spans a separator
// of the form, so the variable parts are checked one by one.
std::optional<CommonForm> recogniseEximForm(std::string_view text) {
  Cursor in(text);
  if (!in.word("from ")) return std::nullopt;
  CommonForm form;
  form.looked_up_dns = false;
  if (in.word("[")) {
    form.ip = in.run(isDottedQuadByte);
    if (!in.word("] (helo=")) return std::nullopt;
    form.helo = in.run(isHostByte);
    if (!in.word(") by ")) return std::nullopt;
  } else {
    form.rdns = form.helo = in.run(isHostByte);
    if (!in.word(" ([")) return std::nullopt;
    form.ip = in.run(isDottedQuadByte);
    if (in.word("] helo=")) {
      form.helo = in.run(isHostByte);
      if (!in.word(") by ")) return std::nullopt;
    } else if (!in.word("]) by ")) {
      return std::nullopt;
    }
  }
  if (form.helo.empty() || !isDottedQuad(form.ip)) return std::nullopt;
  form.by = in.run(isHostByte);
  if (form.by.empty() || !in.word(" with ")) return std::nullopt;
  // "with local" is Exim's local delivery, which the patterns skip.
  const std::string_view protocol = in.run(isHostByte);
  if (protocol.empty() || protocol.substr(0, 5) == "local" || !in.word(" (Exim ")) {
    return std::nullopt;
  }
  const std::string_view version = in.run(isHostByte);
  if (version.empty()) return std::nullopt;
  if (in.word(" #") && in.run(isDigit).empty()) return std::nullopt;
  std::string_view note;
  if (in.word(" (") && ((note = in.run(isHostByte)).empty() || !in.word(")"))) return std::nullopt;
  if (!in.word(") id ")) return std::nullopt;
  const std::string_view id = in.run(isHostByte);
  if (id.empty()) return std::nullopt;
  std::string_view address;
  if (in.word(" for ")) {
    const bool angle = in.word("<");
    address = in.run(isAddressByte);
    if (address.empty() || (angle && !in.word(">"))) return std::nullopt;
  }
  const std::string_view end = in.rest();
  if (!readEnd(in)) return std::nullopt;
  for (std::string_view part :
       {form.rdns, form.helo, form.by, protocol, version, note, id, address, end}) {
    if (holdsPatternWord(part)) return std::nullopt;
  }
  if (isAuthenticatedProtocol(protocol)) form.auth = protocol;
  return form;
}

// The short forms (received_forms.h): qmail's, which the patterns read with their qmail forms
// (the name twice when there is no HELO argument; "unknown" is no name), and the bracketed
// address, which they read with their form for it alone. As for Exim's, the form's own words aside
// ("HELO"), the variable parts are checked one by one.
std::optional<CommonForm> recogniseShortForm(std::string_view text) {
  Cursor in(text);
  if (!in.word("from ")) return std::nullopt;
  CommonForm form;
  std::string_view name;
  bool qmail = false;
  if (in.word("[")) {
    form.ip = in.run(isDottedQuadByte);
    if (!in.word("] by ")) return std::nullopt;
    form.looked_up_dns = false;
  } else {
    name = form.helo = in.run(isHostByte);
    if (name.empty() || !in.word(" (")) return std::nullopt;
    if (in.word("HELO ")) {
      form.helo = in.run(isHostByte);
      if (form.helo.empty() || !in.word(") (")) return std::nullopt;
    }
    form.ip = in.run(isDottedQuadByte);
    if (!in.word(") by ")) return std::nullopt;
    qmail = true;
    form.looked_up_dns = name != "unknown";
    if (form.looked_up_dns) form.rdns = name;
  }
  if (!isDottedQuad(form.ip)) return std::nullopt;
  form.by = in.run(isHostByte);
  if (form.by.empty() || !in.word(" with ")) return std::nullopt;
  const std::string_view protocol = in.run(isHostByte);
  if (protocol.empty() || (qmail && protocol != "SMTP" && protocol != "QMQP")) return std::nullopt;
  const std::string_view end = in.rest();
  if (!readEnd(in)) return std::nullopt;
  for (std::string_view part : {name, form.helo, form.by, protocol, end}) {
    if (holdsPatternWord(part)) return std::nullopt;
  }
  if (isAuthenticatedProtocol(protocol)) form.auth = protocol;
  return form;
}

// "from HELO (RDNS [IP]) by ...", "from HELO ([IP]) by ..." and fetchmail's form.
std::optional<CommonForm> recogniseRelayForm(std::string_view text) {
  Cursor in(text);
  if (!in.word("from ")) return std::nullopt;
  CommonForm form;
  form.helo = in.run(isHostByte);
  if (form.helo.empty()) return std::nullopt;
  std::string_view comment;
  bool forged = false;  // Sendmail's "(may be forged)" after the address
  if (in.word(" [")) {
    if (!readFetcherTail(in) || holdsPatternWord(text)) return std::nullopt;
    return CommonForm{CommonForm::Kind::MailFetcher, {}, {}, {}, {}, {}, {}};
  }
  if (in.word(" ([")) {
    form.ip = in.run(isDottedQuadByte);
    if (!in.word("]) by ")) return std::nullopt;
  } else if (in.word(" (")) {
    form.rdns = in.run(isReverseNameByte);
    if (form.rdns.empty() || !in.word(" [")) return std::nullopt;
    form.ip = in.run(isDottedQuadByte);
    forged = in.word("] (may be forged)) by ");
    if (!forged && !in.word("]) by ")) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!isDottedQuad(form.ip) || !readRelayTail(in, form, comment) || holdsPatternWord(text)) {
    return std::nullopt;
  }
  // Postfix's form keeps "ident@host" whole; Sendmail's (and the Postfix form with Sendmail's
  // "(may be forged)", which only Sendmail's pattern reads) moves the ident out.
  const bool keeps_ident = comment == "Postfix" && !forged;
  if (const size_t at = form.rdns.find('@'); at != std::string_view::npos && !keeps_ident) {
    form.ident = form.rdns.substr(0, at);
    form.rdns.remove_prefix(at + 1);
  }
  return form;
}

}  // namespace

std::optional<CommonForm> recogniseCommonForm(std::string_view text) {
  if (text.find("(Exim ") != std::string_view::npos) return recogniseEximForm(text);
  if (auto form = recogniseRelayForm(text)) return form;
  return recogniseShortForm(text);
}

}  // namespace portcullis::mime
