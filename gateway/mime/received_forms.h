// Recognises the commonest Received forms by plain scanning, so that the parser in received.cc
// can skip its sequence of patterns for them. Each form is a strict template (fixed words, host
// tokens of [A-Za-z0-9._-], a dotted-quad IPv4 address, no word any earlier pattern of the
// sequence looks for); for a text that fits one, the answer is exactly what the sequence of
// patterns concludes (tests/unit/mime/received_forms_test.cc compares the two). A text that fits
// none is left to the patterns.
#pragma once

#include <optional>
#include <string_view>

namespace portcullis::mime {

struct CommonForm {
  enum class Kind {
    Relay,        // a TCP handover: the fields below
    MailFetcher,  // fetchmail's "from HOST [IP] by HOST with IMAP|POP3 (...) for ADDR": skipped
  };
  Kind kind = Kind::Relay;
  // Views into the text, as the patterns capture them (before SpamAssassin's clean-up).
  std::string_view helo, rdns, ip, by, ident, auth;
  bool looked_up_dns = true;  // the form says the receiving host looks rDNS up (Exim's does not)
};

// `text`: the normalised field as the pattern sequence sees it after the date is cut off (the
// relay forms begin "from ").
//   from HELO (RDNS [IP]) by BY (COMMENT) with PROTOCOL id ID [for <ADDR>]   (Postfix, Sendmail)
//   from HELO (RDNS [IP] (may be forged)) by BY (COMMENT) with ...            (Sendmail)
//   from HELO ([IP]) by BY (COMMENT) with PROTOCOL id ID [for <ADDR>]        (Sendmail, no rDNS)
//   from HOST [IP] by HOST with IMAP|POP3 (COMMENT) for ADDR [(NOTE)]        (fetchmail)
//   from RDNS ([IP] helo=HELO) by BY with PROTOCOL (Exim VERSION[ #N][ (NOTE)]) id ID
//        [for [<]ADDR[>]], also without " helo=HELO", and from [IP] (helo=HELO) by ...   (Exim)
//   from NAME (HELO ARG) (IP) by BY with SMTP|QMQP, also without "(HELO ARG) "        (qmail)
//   from [IP] by BY with PROTOCOL                                             (Yahoo Groups)
// each optionally ending in a date the date pattern left ("; Mon, 2 Sep 2002 07:19:11 -0400
// (EDT)").
std::optional<CommonForm> recogniseCommonForm(std::string_view text);

}  // namespace portcullis::mime
