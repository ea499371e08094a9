// An SPF record parsed into its terms (RFC 7208 sections 4.6, 5, 6 and 12's grammar). Parsing is
// strict and complete: any syntax error anywhere in the record is reported before anything is
// evaluated, as section 4.6 requires. Pure; no DNS.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/dns/ip_address.h"

namespace portcullis::spf {

enum class Qualifier { Pass, Fail, SoftFail, Neutral };
enum class MechanismKind { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists };

struct Mechanism {
  Qualifier qualifier = Qualifier::Pass;
  MechanismKind kind = MechanismKind::All;
  std::string domain_spec;  // macro string; empty when the mechanism names none (a, mx, ptr)
  int cidr4 = 32;
  int cidr6 = 128;
  std::optional<dns::IpAddress> network;  // ip4 / ip6
  std::string text;                       // the term as written, for logs and symbols

  // Whether evaluating it costs one of the ten DNS-querying terms (section 4.6.4).
  bool queriesDns() const {
    return kind != MechanismKind::All && kind != MechanismKind::Ip4 && kind != MechanismKind::Ip6;
  }
};

struct SpfRecord {
  std::vector<Mechanism> mechanisms;
  std::optional<std::string> redirect;     // domain-spec
  std::optional<std::string> explanation;  // exp= domain-spec
};

// True when a TXT string is an SPF version 1 record: "v=spf1" (any case) then a space or the end.
bool isSpfRecord(std::string_view txt);
// Parses a record for which isSpfRecord() holds, or says why it is a permerror.
Result<SpfRecord> parseRecord(std::string_view text);

}  // namespace portcullis::spf
