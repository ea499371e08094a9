#include "gateway/core/network_list.h"

#include <boost/asio/ip/address.hpp>

namespace portcullis {

namespace ip = boost::asio::ip;

namespace {

// "192.0.2.7" → "192.0.2.7/32", so every entry parses as a network.
std::string withPrefix(std::string_view entry, bool v6) {
  std::string text(entry);
  if (text.find('/') == std::string::npos) text += v6 ? "/128" : "/32";
  return text;
}

}  // namespace

Status NetworkList::add(std::string_view entry) {
  std::string quoted = "\"" + std::string(entry) + "\"";
  if (entry.empty()) return Status::failure("an empty entry is not an address or network");
  bool v6 = entry.find(':') != std::string_view::npos;
  std::string text = withPrefix(entry, v6);
  boost::system::error_code ec;
  if (v6) {
    ip::network_v6 network = ip::make_network_v6(text, ec);
    if (ec)
      return Status::failure(quoted + " is not an IPv6 address or network (like 2001:db8::/32)");
    if (network.canonical() != network) {
      return Status::failure(quoted + " has bits set after the prefix; the network is " +
                             network.canonical().to_string());
    }
    v6_.push_back({network, std::string(entry)});
    return Status::success();
  }
  ip::network_v4 network = ip::make_network_v4(text, ec);
  if (ec) return Status::failure(quoted + " is not an IPv4 address or network (like 192.0.2.0/24)");
  if (network.canonical() != network) {
    return Status::failure(quoted + " has bits set after the prefix; the network is " +
                           network.canonical().to_string());
  }
  v4_.push_back({network, std::string(entry)});
  return Status::success();
}

std::optional<std::string> NetworkList::find(std::string_view address) const {
  boost::system::error_code ec;
  ip::address parsed = ip::make_address(address, ec);
  if (ec) return std::nullopt;
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) {
    parsed = ip::make_address_v4(ip::v4_mapped, parsed.to_v6());
  }
  if (parsed.is_v4()) {
    ip::network_v4 host(parsed.to_v4(), 32);
    for (const auto& e : v4_) {
      if (host == e.network || host.is_subnet_of(e.network)) return e.text;
    }
    return std::nullopt;
  }
  ip::network_v6 host(parsed.to_v6(), 128);
  for (const auto& e : v6_) {
    if (host == e.network || host.is_subnet_of(e.network)) return e.text;
  }
  return std::nullopt;
}

}  // namespace portcullis
