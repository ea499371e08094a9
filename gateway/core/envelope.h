// The SMTP envelope and the connection facts a transaction carries: who connected (address, reverse
// name, HELO, TLS, authenticated user), the sender with its MAIL parameters and every recipient
// with its RCPT parameters (DSN NOTIFY/ORCPT are carried through to the relay unchanged).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace portcullis {

struct TlsInfo {
  std::string version;  // e.g. "TLSv1.3"
  std::string cipher;   // e.g. "TLS_AES_256_GCM_SHA384"
  int bits = 0;
};

struct ClientInfo {
  std::string address;  // textual IP address of the peer ("192.0.2.1", "2001:db8::1")
  uint16_t port = 0;
  std::string hostname;  // verified reverse name, or empty when unknown
  std::string helo;      // argument of EHLO/HELO
  bool esmtp = false;    // EHLO rather than HELO
  std::optional<TlsInfo> tls;
  std::string auth_user;  // authenticated identity (milter {auth_authen}); empty when none
};

// DSN and other MAIL FROM parameters (RFC 3461, 1870, 6152, 6531).
struct MailParams {
  std::optional<uint64_t> size;
  std::string body;  // "7BIT", "8BITMIME", "BINARYMIME" or empty
  bool smtputf8 = false;
  std::string ret;    // DSN RET: "FULL", "HDRS" or empty
  std::string envid;  // DSN ENVID (xtext as received)
};

struct Recipient {
  std::string address;  // as given in RCPT TO, without angle brackets
  std::string notify;   // DSN NOTIFY as received ("SUCCESS,FAILURE", "NEVER", ...) or empty
  std::string orcpt;    // DSN ORCPT as received ("rfc822;user@example.org") or empty
};

struct Envelope {
  std::string mail_from;  // empty for the null reverse-path <>
  MailParams params;
  std::vector<Recipient> recipients;
};

// The domain part of an address (after the last '@'), lowercased; empty when there is none.
std::string domainOf(std::string_view address);
// The local part of an address (before the last '@').
std::string localPartOf(std::string_view address);

}  // namespace portcullis
