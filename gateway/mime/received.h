// The Received-field parser, with SpamAssassin's semantics
// (Mail::SpamAssassin::Message::Metadata::Received, parse_received_line): from one Received field
// value it reads the relay that handed the message on (ip, rdns, helo, by, ident, envfrom, id,
// auth) from the formats of the common MTAs (Sendmail, Postfix, qmail, Exim, Microsoft, Yahoo,
// Hotmail, Courier, CommuniGate, ...). A field is either a relay, a hop SpamAssassin deliberately
// skips (no TCP handover: local delivery, "from localhost", fetchmail, list software), or
// unparseable (it names a relay but its form is unknown). Pure and bounded: the value is cut at
// SpamAssassin's 8192-byte header limit and every pattern is matched in linear time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace portcullis::mime {

struct ReceivedRelay {
  std::string ip;    // IPv4 or IPv6 text; "" when the form had none
  std::string rdns;  // the reverse name the receiving MTA recorded, "" when none
  std::string helo;
  std::string by;
  std::string ident;
  std::optional<std::string> envfrom;  // envelope sender, when the field recorded one
  std::string id;
  std::string auth;  // how the client authenticated ("ESMTPA", "Sendmail", ...), "" when not
  bool no_reverse_dns = false;  // the MTA looks rDNS up and found none
  bool ip_private = false;      // SpamAssassin's IP_PRIVATE: RFC 1918, loopback, link-local, CGN

  // SpamAssassin's as_string: `[ ip=... rdns=... helo=... by=... ident=... envfrom=... intl=0
  // id=... auth=... msa=0 ]` with the given internal and msa flags.
  std::string asString(bool internal, bool msa) const;
};

struct ReceivedParse {
  enum class Kind { Relay, Skipped, Unparseable };
  Kind kind = Kind::Unparseable;
  ReceivedRelay relay;  // when kind is Relay
  // A mail fetcher's handover (fetchmail, getmail: "with POP3/IMAP"): skipped, and the relays
  // read so far (nearer to us) are the fetcher's own side.
  bool mail_fetcher = false;
  // qmail-scanner's extra field: skipped, but it carries the envelope sender of the handover
  // described by the next (older) field.
  bool qmail_scanner = false;
  std::optional<std::string> qmail_scanner_envfrom;
};

// One Received field value (as after "Received:", folded or not).
ReceivedParse parseReceived(std::string_view value);
// The same parse with every field read by SpamAssassin's patterns, none by the scanning shortcuts
// parseReceived takes for the simple fields and the common forms: the reference that tests hold
// parseReceived to.
ReceivedParse parseReceivedByPatterns(std::string_view value);

// A Received-like field SpamAssassin synthesises from an originating-IP header
// (X-Originating-IP and the like): "from X-Originating-IP: IP", or nullopt when `value` holds no
// IP address.
std::optional<std::string> originatingIpReceived(std::string_view value);

// A relay field as SpamAssassin keeps it: the bytes it strips (white space, NUL, '#', brackets,
// parentheses, angle brackets, '|') shown as '!'. For fields that do not come from a Received
// field (the client we saw ourselves), so that they read as the same field would.
std::string relayFieldText(std::string_view raw);

// SpamAssassin's IP_PRIVATE test on an address as a relay records it (a prefix test: "10.x",
// "192.168.x", "::ffff:127.x", "fe80:...", "::1").
bool isPrivateIp(std::string_view ip);
// IS_IP_PRIVATE: the whole text is a private address.
bool isWholePrivateIp(std::string_view ip);
// IS_IPV4_ADDRESS: the whole text is a dotted-quad IPv4 address.
bool isIpv4Address(std::string_view text);

}  // namespace portcullis::mime
