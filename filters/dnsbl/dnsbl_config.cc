#include "filters/dnsbl/dnsbl_config.h"

#include <algorithm>

#include "filters/dnsbl/dnsbl_check.h"
#include "gateway/base/text.h"
#include "gateway/config/section.h"

namespace portcullis::dnsbl {

namespace {

bool isSymbolName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string symbolFor(config::Section& section, const std::string& fallback) {
  std::string symbol = section.getString("symbol", fallback);
  if (!isSymbolName(symbol)) section.fail("symbol", "symbol must be A-Z, 0-9 and _");
  return symbol;
}

ReturnCode readCode(config::Section& section, const Zone& zone) {
  ReturnCode code;
  for (const auto& text : section.getStrings("addresses", {})) {
    auto address = dns::IpAddress::parse(text);
    if (!address || !address->isV4())
      section.fail("addresses", "\"" + text + "\" is not an IPv4 address");
    code.addresses.push_back(*address);
  }
  code.mask = static_cast<uint8_t>(section.getInt("mask", 0, 0, 255));
  if (code.addresses.empty() == (code.mask == 0))
    section.fail("addresses", "a code needs either addresses or a mask");
  code.symbol = symbolFor(section, zone.symbol);
  code.score = section.getDouble("score", zone.score, -100, 100);
  code.reject = section.getBool("reject", zone.reject);
  if (code.reject && code.score < 0) section.fail("reject", "an allowlist code cannot reject");
  section.finish();
  return code;
}

Zone readZone(config::Section& section) {
  Zone zone;
  zone.zone = toLower(section.getString("zone", ""));
  if (!zone.zone.empty() && zone.zone.back() == '.') zone.zone.pop_back();
  if (zone.zone.empty() || zone.zone.find('.') == std::string::npos)
    section.fail("zone", "zone must be a DNS zone such as \"zen.spamhaus.org\"");
  zone.kind = section.choice<ZoneKind>(
      "kind", ZoneKind::Ip,
      {{"ip", ZoneKind::Ip}, {"domain", ZoneKind::Domain}, {"uri", ZoneKind::Uri}});
  zone.symbol = symbolFor(section, "");
  zone.score = section.getDouble("score", 1.0, -100, 100);
  zone.reject = section.getBool("reject", false);
  if (zone.reject && zone.score < 0) section.fail("reject", "an allowlist zone cannot reject");
  if (zone.kind == ZoneKind::Domain) {
    zone.check_helo = section.getBool("check_helo", true);
    zone.check_sender = section.getBool("check_sender", true);
  }
  for (auto& code : section.subArray("code")) zone.codes.push_back(readCode(code, zone));
  section.finish();
  return zone;
}

}  // namespace

bool DnsblSettings::has(ZoneKind kind) const {
  return std::any_of(zones.begin(), zones.end(), [kind](const Zone& z) { return z.kind == kind; });
}

DnsblSettings readDnsblSettings(config::Section& section) {
  DnsblSettings s;
  s.max_uri_lookups =
      static_cast<size_t>(section.getInt("max_uri_lookups", s.max_uri_lookups, 0, 1000));
  s.skip_local = section.getBool("skip_local", s.skip_local);
  s.reject_text = section.getString("reject_text", s.reject_text);
  s.fail_mode = *parseFailMode(section.getChoice("fail_mode", "neutral", {"neutral", "tempfail"}));
  for (auto& zone : section.subArray("zone")) s.zones.push_back(readZone(zone));
  section.finish();
  return s;
}

CheckFactory dnsblCheckFactory() {
  return {"dnsbl", [](config::Section& section, const CheckDeps& deps) {
            DnsblSettings settings = readDnsblSettings(section);
            if (!deps.resolver) return std::vector<std::shared_ptr<const Check>>{};
            return makeDnsblChecks(std::move(settings), *deps.resolver);
          }};
}

}  // namespace portcullis::dnsbl
