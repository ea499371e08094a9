// A list of client networks for the policy's allow and deny lists: single addresses
// ("192.0.2.7", "2001:db8::1") and CIDR prefixes ("192.0.2.0/24", "2001:db8::/32"). add() says
// exactly what is wrong with a malformed entry; find() tells which entry holds an address. An
// IPv4-mapped IPv6 client (::ffff:192.0.2.7) matches the IPv4 entries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "gateway/base/result.h"

namespace portcullis {

class NetworkList {
 public:
  // Adds one entry, or says why it is malformed (then nothing is added).
  Status add(std::string_view entry);
  // The entry as written that contains `address` (textual IP); nullopt when none does or when
  // `address` is not an IP address.
  std::optional<std::string> find(std::string_view address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  template <typename Network>
  struct Entry {
    Network network;
    std::string text;
  };
  std::vector<Entry<boost::asio::ip::network_v4>> v4_;
  std::vector<Entry<boost::asio::ip::network_v6>> v6_;
};

}  // namespace portcullis
