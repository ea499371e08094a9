// DNSEval, URIDNSBL, Bayes and the network services (Mail::SpamAssassin::Plugin::DNSEval,
// ::URIDNSBL, ::Bayes, ::Razor2, ::Pyzor, ::DCC, ::HashBL, ::TxRep, ::AWL): eval functions by
// name. DNS list tests are answered from what the DNS list check ([checks.dnsbl], filters/dnsbl)
// reported: a SpamAssassin zone maps to the configured list of the same zone, and a sub-test
// (a returned address, a bit mask, a pattern) to the symbols of the list's return codes that it
// covers. The check looks up the connecting client, the MAIL FROM and HELO domains and the URI
// domains; a test that needs any other lookup, a list the site does not configure, or a service
// this gateway does not run is disabled with that reason.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "filters/content/eval/classifier_facts.h"
#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/families.h"
#include "gateway/base/result.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

std::string normalZone(std::string_view zone) {
  std::string z = toLower(trim(zone));
  while (!z.empty() && z.back() == '.') z.pop_back();
  return z;
}

std::string_view kindName(DnsList::Kind kind) {
  switch (kind) {
    case DnsList::Kind::Ip:
      return "ip";
    case DnsList::Kind::Domain:
      return "domain";
    case DnsList::Kind::Uri:
      return "uri";
  }
  return "?";
}

std::string notConfigured(const std::string& zone, DnsList::Kind kind) {
  return "needs DNS list " + zone + " (kind \"" + std::string(kindName(kind)) +
         "\"), which [checks.dnsbl] does not configure";
}

const DnsList* findList(const SiteServices& services, const std::string& zone, DnsList::Kind kind) {
  for (const auto& list : services.dns_lists) {
    if (list.kind == kind && list.zone == zone) return &list;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Sub-tests: which of a list's symbols a returned-address test covers

bool dottedQuad(const std::string& text, uint32_t* value) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    unsigned octet = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 3)
      octet = octet * 10 + static_cast<unsigned>(text[i++] - '0');
    if (i == start || octet > 255) return false;
    out = (out << 8) | octet;
    if (++parts < 4) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
  }
  if (i != text.size()) return false;
  if (value) *value = out;
  return true;
}

bool allDigits(const std::string& text) {
  return !text.empty() && text.size() <= 10 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// SpamAssassin's check_subtest: a dotted quad is compared as text, digits are a bit mask over the
// address, anything else is a pattern searched in the address.
class SubTest {
 public:
  explicit SubTest(const std::string& text) : text_(text) {
    if (dottedQuad(text, nullptr)) {
      kind_ = Kind::Address;
    } else if (allDigits(text)) {
      kind_ = Kind::Mask;
      mask_ = static_cast<uint32_t>(std::stoull(text));
    } else {
      kind_ = Kind::Pattern;
      RE2::Options options;
      options.set_log_errors(false);
      pattern_ = std::make_unique<RE2>(text, options);
    }
  }

  bool valid() const { return kind_ != Kind::Pattern || pattern_->ok(); }

  bool matches(const std::string& address) const {
    switch (kind_) {
      case Kind::Address:
        return address == text_;
      case Kind::Mask: {
        uint32_t value = 0;
        return dottedQuad(address, &value) && (value & mask_) != 0;
      }
      case Kind::Pattern:
        return RE2::PartialMatch(address, *pattern_);
    }
    return false;
  }

  // Whether every listing a code reports is one this test accepts.
  bool covers(const DnsListCode& code) const {
    if (!code.addresses.empty()) {
      return std::all_of(code.addresses.begin(), code.addresses.end(),
                         [this](const std::string& a) { return matches(a); });
    }
    return kind_ == Kind::Mask && code.mask != 0 && (code.mask & ~mask_) == 0;
  }

 private:
  enum class Kind { Address, Mask, Pattern };
  std::string text_;
  Kind kind_ = Kind::Address;
  uint32_t mask_ = 0;
  std::unique_ptr<RE2> pattern_;
};

// The symbols of `list` that answer a test (every symbol when there is no sub-test), or why none
// can.
Result<std::vector<std::string>> symbolsFor(const DnsList& list, const std::string* subtest) {
  using R = Result<std::vector<std::string>>;
  std::vector<std::string> symbols;
  if (!subtest) {
    if (!list.symbol.empty()) symbols.push_back(list.symbol);
    for (const auto& code : list.codes) symbols.push_back(code.symbol);
    return R::success(std::move(symbols));
  }
  SubTest test(*subtest);
  if (!test.valid()) return R::failure("sub-test '" + *subtest + "' is not a valid pattern");
  for (const auto& code : list.codes) {
    if (test.covers(code)) symbols.push_back(code.symbol);
  }
  if (symbols.empty()) {
    return R::failure("needs the answers '" + *subtest + "' of DNS list " + list.zone +
                      ", which [checks.dnsbl] reports under no symbol of their own (add a "
                      "[[checks.dnsbl.zone.code]] for them)");
  }
  return R::success(std::move(symbols));
}

EvalTest listedTest(std::vector<std::string> symbols, std::string zone) {
  return [symbols, zone](const EvalInput& in, std::string* evidence) {
    if (!in.external) return false;
    for (const auto& symbol : symbols) {
      if (!in.external(symbol)) continue;
      if (evidence) *evidence = "DNS list " + zone + ": [checks.dnsbl] reported " + symbol;
      return true;
    }
    return false;
  };
}

EvalBuild listTest(const DnsList& list, const std::string* subtest) {
  auto symbols = symbolsFor(list, subtest);
  if (!symbols) return EvalBuild::failure(symbols.error);
  return EvalBuild::success(listedTest(std::move(*symbols), list.zone));
}

// ---------------------------------------------------------------------------------------------
// DNSEval: check_rbl and friends

// What a set name (the first argument) stands for, as the rules that name its zone say; the
// check_rbl_sub rules of the set read it. SpamAssassin keeps the same relation per set name.
struct RblSet {
  const DnsList* list = nullptr;  // null: the set cannot run
  std::string reason;             // why not
};

struct RblSets {
  std::shared_ptr<std::map<std::string, RblSet>> sets =
      std::make_shared<std::map<std::string, RblSet>>();
};

std::map<std::string, RblSet>& rblSets(EvalBuildContext& context) {
  return *context.shared<RblSets>("network_eval.rbl_sets", [] { return RblSets{}; })->sets;
}

// check_rbl(set, zone[, subtest]) and the other tests that name a zone: `lookup` says what is
// looked up, `supported` whether the DNS list check looks that up.
EvalBuild zoneTest(const std::string& name, const std::vector<std::string>& args,
                   EvalBuildContext& context, DnsList::Kind kind, bool supported,
                   const std::string& lookup) {
  if (args.size() < 2 || args.size() > 3) return evalArgumentError(name, "(set, zone[, subtest])");
  const std::string zone = normalZone(args[1]);
  RblSet set;
  set.list = findList(context.services(), zone, kind);
  if (!set.list) {
    set.reason = notConfigured(zone, kind);
  } else if (!supported) {
    set.list = nullptr;
    set.reason = "needs " + lookup + " looked up in DNS list " + zone +
                 ", which the DNS list check ([checks.dnsbl]) does not do";
  }
  rblSets(context)[args[0]] = set;
  if (!set.list) return EvalBuild::failure(set.reason);
  return listTest(*set.list, args.size() == 3 ? &args[2] : nullptr);
}

void registerZoneTest(EvalRegistry& registry, const std::string& name, DnsList::Kind kind,
                      bool supported, const std::string& lookup) {
  registry.add(name,
               [name, kind, supported, lookup](const std::vector<std::string>& args,
                                               EvalBuildContext& context) -> EvalBuild {
                 return zoneTest(name, args, context, kind, supported, lookup);
               });
}

void registerDnsEvals(EvalRegistry& registry) {
  // The DNS list check looks up the connecting client: SpamAssassin's last external relay. For
  // sets that also look further back (plain, -untrusted, -notfirsthop) only that one is known.
  registerZoneTest(registry, "check_rbl", DnsList::Kind::Ip, true, "");
  registry.add("check_rbl_txt",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() == 3) {
                   const std::string reason =
                       "needs the TXT answer of DNS list " + normalZone(args[1]) +
                       ", which the DNS list check ([checks.dnsbl]) does not fetch";
                   rblSets(context)[args[0]] = RblSet{nullptr, reason};
                   return EvalBuild::failure(reason);
                 }
                 return zoneTest("check_rbl_txt", args, context, DnsList::Kind::Ip, true, "");
               });
  registry.add("check_rbl_sub",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() != 2) return evalArgumentError("check_rbl_sub", "(set, subtest)");
                 auto& sets = rblSets(context);
                 auto it = sets.find(args[0]);
                 if (it == sets.end())
                   return EvalBuild::failure("names DNS list set '" + args[0] +
                                             "', which no check_rbl rule before it defines");
                 if (!it->second.list) return EvalBuild::failure(it->second.reason);
                 return listTest(*it->second.list, &args[1]);
               });
  registry.add("check_rbl_envfrom",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 const DnsList* list =
                     args.size() >= 2
                         ? findList(context.services(), normalZone(args[1]), DnsList::Kind::Domain)
                         : nullptr;
                 return zoneTest("check_rbl_envfrom", args, context, DnsList::Kind::Domain,
                                 list && list->check_sender, "the envelope sender's domain");
               });
  registerZoneTest(registry, "check_rbl_from_host", DnsList::Kind::Domain, false,
                   "the From address's host");
  registerZoneTest(registry, "check_rbl_from_domain", DnsList::Kind::Domain, false,
                   "the From address's domain");
  registerZoneTest(registry, "check_rbl_ns_from", DnsList::Kind::Ip, false,
                   "the address of the From domain's name server");
  registerZoneTest(registry, "check_rbl_rcvd", DnsList::Kind::Domain, false,
                   "the host names of the Received fields");
  registry.add("check_rbl_headers",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() < 2)
                   return evalArgumentError("check_rbl_headers", "(set, zone, ...)");
                 const std::vector<std::string> zone_args(args.begin(), args.begin() + 2);
                 return zoneTest("check_rbl_headers", zone_args, context, DnsList::Kind::Domain,
                                 false, "the domains of named header fields");
               });
  registry.add("check_rbl_accreditor",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() < 2)
                   return evalArgumentError("check_rbl_accreditor", "(set, zone, ...)");
                 const std::vector<std::string> zone_args(args.begin(), args.begin() + 2);
                 return zoneTest("check_rbl_accreditor", zone_args, context, DnsList::Kind::Ip,
                                 false, "the client of an accredited message");
               });
  registry.add("check_dns_sender", [](const std::vector<std::string>&, auto&) -> EvalBuild {
    return EvalBuild::failure(
        "needs A and MX lookups of the From domain, which no configured check does");
  });
}

// ---------------------------------------------------------------------------------------------
// URIDNSBL: check_uridnsbl(RULE) reads the uridnsbl / urirhsbl / urirhssub / uridnssub setting
// that names the rule.

EvalBuild uriListTest(const std::string& rule, EvalBuildContext& context) {
  for (const auto& setting : context.settings()) {
    const std::string& kind = setting.name;
    if (kind != "urirhsbl" && kind != "urirhssub" && kind != "uridnsbl" && kind != "uridnssub" &&
        kind != "urifullnsrhssub")
      continue;
    std::vector<std::string> words;
    for (auto word : split(setting.value, ' ')) {
      for (auto piece : split(word, '\t'))
        if (!trim(piece).empty()) words.emplace_back(trim(piece));
    }
    if (words.empty() || words[0] != rule) continue;
    if (words.size() < 3) return EvalBuild::failure(kind + " " + rule + " lacks a zone");
    const std::string zone = normalZone(words[1]);
    if (kind == "uridnsbl" || kind == "uridnssub" || kind == "urifullnsrhssub") {
      return EvalBuild::failure(
          "needs the name servers of the message's URI domains looked up in DNS list " + zone +
          ", which the DNS list check ([checks.dnsbl]) does not do");
    }
    const DnsList* list = findList(context.services(), zone, DnsList::Kind::Uri);
    if (!list) return EvalBuild::failure(notConfigured(zone, DnsList::Kind::Uri));
    if (kind == "urirhssub") {
      if (words.size() < 4) return EvalBuild::failure("urirhssub " + rule + " lacks its sub-test");
      return listTest(*list, &words[3]);
    }
    return listTest(*list, nullptr);
  }
  return EvalBuild::failure("no uridnsbl, urirhsbl or urirhssub setting names " + rule);
}

// ---------------------------------------------------------------------------------------------
// Services this gateway does not run

void registerUnavailable(EvalRegistry& registry, std::initializer_list<const char*> names,
                         const std::string& reason) {
  for (const char* name : names) {
    registry.add(name, [reason](const std::vector<std::string>&, auto&) -> EvalBuild {
      return EvalBuild::failure(reason);
    });
  }
}

}  // namespace

void registerNetworkEvals(EvalRegistry& registry) {
  registerDnsEvals(registry);
  registry.add("check_uridnsbl",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() != 1) return evalArgumentError("check_uridnsbl", "(rule)");
                 return uriListTest(args[0], context);
               });
  registry.add(
      "check_bayes",
      [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
        double min = 0, max = 0;
        const bool unbounded = args.size() == 2 && args[1] == "undef";
        if (args.size() != 2 || !evalNumber(args[0], min) ||
            (!unbounded && !evalNumber(args[1], max)))
          return evalArgumentError("check_bayes", "(min, max)");
        if (!context.services().classifier)
          return EvalBuild::failure("needs the classifier (not configured)");
        return EvalBuild::success(bayesTest(context.services().classifier, min,
                                            unbounded ? std::nullopt : std::optional<double>(max)));
      });
  registerUnavailable(registry, {"check_razor2", "check_razor2_range"},
                      "needs the Razor2 network service, which this gateway does not run");
  registerUnavailable(registry, {"check_pyzor"},
                      "needs the Pyzor network service, which this gateway does not run");
  registerUnavailable(registry, {"check_dcc", "check_dcc_reputation_range"},
                      "needs the DCC network service, which this gateway does not run");
  registerUnavailable(registry,
                      {"check_hashbl_emails", "check_hashbl_uris", "check_hashbl_bodyre",
                       "check_hashbl_tag", "check_hashbl_attachments"},
                      "needs hashed DNS list lookups (HashBL), which this gateway does not do");
  registerUnavailable(registry, {"check_senders_reputation"},
                      "needs the sender reputation database (TxRep), which this gateway does "
                      "not keep");
  registerUnavailable(registry, {"check_from_in_auto_welcomelist", "check_from_in_auto_whitelist"},
                      "needs the auto-welcomelist database (AWL), which this gateway does not "
                      "keep");
}

}  // namespace portcullis::content
