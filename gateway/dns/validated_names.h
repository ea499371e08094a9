// Forward-confirmed reverse DNS: the PTR names of an address whose own A or AAAA records include
// that address. An SMTP server records such a name as its client's (Postfix's "verified" name,
// the rdns of SpamAssassin's relay model); SPF's ptr mechanism and %{p} macro use them too
// (RFC 7208 section 5.5). Lookup errors skip a name; at most `max_names` PTR names are tried.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/dns/ip_address.h"
#include "gateway/dns/resolver.h"

namespace portcullis::dns {

// The validated names without their trailing dots, in the order the PTR answer gave them.
awaitable<std::vector<std::string>> validatedNames(Resolver& resolver, const IpAddress& address,
                                                   size_t max_names);

}  // namespace portcullis::dns
