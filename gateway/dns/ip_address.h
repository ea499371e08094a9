// A parsed IPv4 or IPv6 address with the operations mail checks need: prefix (CIDR) matching,
// the reverse-lookup name (in-addr.arpa / ip6.arpa labels, also the DNSBL query prefix) and the
// RFC 5952 text form. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is treated as IPv4, as
// RFC 7208 section 5 requires.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portcullis::dns {

class IpAddress {
 public:
  // Parses a textual address ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"); nullopt if
  // malformed.
  static std::optional<IpAddress> parse(std::string_view text);
  // Parses IPv6 text only and keeps an IPv4-mapped address as IPv6 (an SPF ip6: network).
  static std::optional<IpAddress> parseIpv6(std::string_view text);

  bool isV4() const { return v4_; }
  // Loopback, private (RFC 1918, ULA), shared (RFC 6598), link-local or unspecified: addresses
  // that no public DNS list can say anything about.
  bool isLocal() const;
  // True when the first `prefix` bits equal those of `other` (same family only).
  bool matches(const IpAddress& other, int prefix) const;
  // "4.3.2.1" for 1.2.3.4; 32 dot-separated nibbles, least significant first, for IPv6.
  // `upper` chooses the case of the hex digits.
  std::string reversedLabels(bool upper = false) const;
  // The PTR query name: reversedLabels() + ".in-addr.arpa" or ".ip6.arpa".
  std::string reverseName() const;
  // Dotted quad, or RFC 5952 text for IPv6.
  std::string toString() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  bool v4_ = true;
  std::array<uint8_t, 16> bytes_{};  // IPv4 in the first four bytes
};

}  // namespace portcullis::dns
