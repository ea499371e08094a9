// Which subjects of a message's URIs a URIBL is asked about: the registered domain (public suffix
// + 1 label, by libpsl) of every URI host, or the address of an IP-literal host. Subjects are
// deduplicated in order of appearance and capped per message.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/dns/ip_address.h"

namespace portcullis::dnsbl {

// The host of a URI ("http://user@www.Example.com:8080/x" -> "www.example.com", "[2001:db8::1]"
// -> "2001:db8::1", "mailto:a@b.example" -> "b.example"), lowercased; empty when there is none.
std::string uriHost(std::string_view uri);

struct UriSubject {
  std::string domain;                     // registered domain, when the host is a name
  std::optional<dns::IpAddress> address;  // when the host is an IP literal
};

// Holds the public suffix list (libpsl's newest: the system file or the built-in copy).
class RegisteredDomains {
 public:
  RegisteredDomains();
  ~RegisteredDomains();
  RegisteredDomains(const RegisteredDomains&) = delete;
  RegisteredDomains& operator=(const RegisteredDomains&) = delete;

  // "www.example.co.uk" -> "example.co.uk"; empty for public suffixes and non-names.
  std::string of(std::string_view host) const;

  std::vector<UriSubject> subjects(const std::vector<std::string>& uris, size_t limit) const;

 private:
  struct Psl;
  std::unique_ptr<Psl> psl_;
};

}  // namespace portcullis::dnsbl
