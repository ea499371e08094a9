#include "gateway/dns/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <span>

namespace portcullis::dns {

namespace {
constexpr std::array<uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);
  IpAddress ip;
  if (inet_pton(AF_INET, copy.c_str(), ip.bytes_.data()) == 1) return ip;
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, copy.c_str(), v6.data()) != 1) return std::nullopt;
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), v6.begin())) {
    std::copy(v6.begin() + 12, v6.end(), ip.bytes_.begin());
    return ip;
  }
  ip.v4_ = false;
  ip.bytes_ = v6;
  return ip;
}

std::optional<IpAddress> IpAddress::parseIpv6(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);
  IpAddress ip;
  ip.v4_ = false;
  if (inet_pton(AF_INET6, copy.c_str(), ip.bytes_.data()) != 1) return std::nullopt;
  return ip;
}

bool IpAddress::isLocal() const {
  struct Net {
    const char* network;
    int prefix;
  };
  static const Net v4[] = {{"0.0.0.0", 8},     {"10.0.0.0", 8},     {"100.64.0.0", 10},
                           {"127.0.0.0", 8},   {"169.254.0.0", 16}, {"172.16.0.0", 12},
                           {"192.168.0.0", 16}};
  static const Net v6[] = {{"::", 127}, {"fe80::", 10}, {"fc00::", 7}};
  for (const auto& net : v4_ ? std::span<const Net>(v4) : std::span<const Net>(v6)) {
    auto network = v4_ ? parse(net.network) : parseIpv6(net.network);
    if (network && matches(*network, net.prefix)) return true;
  }
  return false;
}

bool IpAddress::matches(const IpAddress& other, int prefix) const {
  if (v4_ != other.v4_) return false;
  int bits = v4_ ? 32 : 128;
  prefix = std::clamp(prefix, 0, bits);
  int whole = prefix / 8;
  if (!std::equal(bytes_.begin(), bytes_.begin() + whole, other.bytes_.begin())) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (bytes_[whole] & mask) == (other.bytes_[whole] & mask);
}

std::string IpAddress::reversedLabels(bool upper) const {
  std::string out;
  if (v4_) {
    for (int i = 3; i >= 0; --i) {
      out += std::to_string(bytes_[i]);
      if (i) out += '.';
    }
    return out;
  }
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += digits[bytes_[i] & 0xf];
    out += '.';
    out += digits[bytes_[i] >> 4];
    if (i) out += '.';
  }
  return out;
}

std::string IpAddress::reverseName() const {
  return reversedLabels() + (v4_ ? ".in-addr.arpa" : ".ip6.arpa");
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

}  // namespace portcullis::dns
