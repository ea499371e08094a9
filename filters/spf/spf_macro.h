// SPF macro strings (RFC 7208 section 7): syntax checks for domain-specs and explanation strings,
// and expansion against the facts of one check_host() evaluation. Pure functions, no DNS: the
// caller resolves %{p} (the validated client name) beforehand when mentionsMacro(spec, 'p').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/dns/ip_address.h"

namespace portcullis::spf {

struct MacroContext {
  std::string local_part;     // l: local part of the sender ("postmaster" when it had none)
  std::string sender_domain;  // o: domain of the sender
  std::string domain;         // d: the domain whose record is being evaluated
  dns::IpAddress ip;          // i, c, v
  std::string helo;           // h
  std::string validated_name = "unknown";  // p
  std::string receiver = "unknown";        // r (explanations only)
  int64_t timestamp = 0;                   // t (explanations only)
};

enum class MacroUse {
  DomainSpec,   // a mechanism's or modifier's target: c, r and t are not allowed
  Explanation,  // the TXT text an exp= modifier points to: every letter is allowed
};

// True when `text` is a valid macro-string for `use` (every '%' starts a valid macro-expand).
bool isValidMacroString(std::string_view text, MacroUse use);
// True when `text` is a valid domain-spec: a macro-string ending in a macro-expand or in
// "." toplabel ["."] (RFC 7208 section 7.1).
bool isValidDomainSpec(std::string_view text);
// Whether `text` uses the macro letter `letter` (case-insensitive).
bool mentionsMacro(std::string_view text, char letter);
// Expands `text`; nullopt on a syntax error.
std::optional<std::string> expandMacros(std::string_view text, const MacroContext& context,
                                        MacroUse use);

}  // namespace portcullis::spf
