// Turns a DNS response message (RFC 1035 wire format, as c-ares hands it over) into an Answer:
// the records of the asked type (following the CNAME chain the server included), the smallest
// TTL among them, and for negative answers the RFC 2308 negative TTL from the authority SOA.
// Also the RFC 1035 type code of each record type asked for.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gateway/dns/resolver.h"

namespace portcullis::dns {

uint16_t wireType(RrType type);

Answer parseResponse(const unsigned char* message, size_t length, RrType asked);

}  // namespace portcullis::dns
