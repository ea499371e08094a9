#include "filters/dnsbl/listing.h"

#include <cmath>
#include <map>

namespace portcullis::dnsbl {

namespace {

bool codeMatches(const ReturnCode& code, const dns::IpAddress& returned) {
  for (const auto& address : code.addresses) {
    if (address == returned) return true;
  }
  return code.mask != 0 && (returned.bytes()[3] & code.mask) != 0;
}

std::string fill(std::string text, const Listing& listing) {
  for (auto [marker, value] : {std::pair{"%s", &listing.subject}, std::pair{"%z", &listing.zone}}) {
    for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
      text.replace(at, 2, *value);
      at += value->size();
    }
  }
  return text;
}

}  // namespace

std::string queryName(const dns::IpAddress& address, const Zone& zone) {
  return address.reversedLabels() + "." + zone.zone;
}

std::string queryName(std::string_view domain, const Zone& zone) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  return std::string(domain) + "." + zone.zone;
}

std::vector<Listing> interpret(const Zone& zone, const dns::Answer& answer,
                               const std::string& subject) {
  static const auto loopback = *dns::IpAddress::parse("127.0.0.0");
  static const auto errors = *dns::IpAddress::parse("127.255.255.0");
  std::vector<Listing> listings;
  if (!answer.ok()) return listings;
  for (const auto& text : answer.records) {
    auto returned = dns::IpAddress::parse(text);
    if (!returned || !returned->isV4() || !returned->matches(loopback, 8) ||
        returned->matches(errors, 24))
      continue;
    bool claimed = false;
    for (const auto& code : zone.codes) {
      if (!codeMatches(code, *returned)) continue;
      claimed = true;
      listings.push_back({code.symbol, code.score, code.reject, zone.zone, subject, text});
    }
    if (!claimed)
      listings.push_back({zone.symbol, zone.score, zone.reject, zone.zone, subject, text});
  }
  return listings;
}

void report(const std::vector<Listing>& listings, const DnsblSettings& settings, Report& report) {
  struct Merged {
    double score = 0;
    std::string detail;
  };
  std::map<std::string, Merged> symbols;
  const Listing* rejecting = nullptr;
  for (const auto& listing : listings) {
    auto& merged = symbols[listing.symbol];
    if (std::abs(listing.score) > std::abs(merged.score)) merged.score = listing.score;
    std::string entry = listing.subject + " in " + listing.zone + " (" + listing.code + ")";
    if (merged.detail.find(entry) == std::string::npos)
      merged.detail += (merged.detail.empty() ? "" : ", ") + entry;
    if (listing.reject && !rejecting) rejecting = &listing;
  }
  for (auto& [symbol, merged] : symbols) report.addSymbol({symbol, merged.score, merged.detail});
  if (rejecting) {
    report.force({Action::Reject,
                  rejecting->symbol + " " + rejecting->subject + " in " + rejecting->zone, "554",
                  "5.7.1", fill(settings.reject_text, *rejecting)});
  }
}

}  // namespace portcullis::dnsbl
