// SPF, DKIM and DMARC (Mail::SpamAssassin::Plugin::SPF, ::DKIM, ::DMARC): eval functions answered
// from the results of our own checks (view.auth, filled by filters/spf, filters/dkim and
// filters/dmarc), never by verifying again. Without first-hand results (a file scanned offline)
// they behave as SpamAssassin does without DNS: an SPF result is taken only from a
// Received-SPF or Authentication-Results field that an internal relay added, and no DKIM or DMARC
// test hits, because SpamAssassin then verifies no signature at all.
#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/header_values.h"
#include "filters/content/eval/message_facts.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

// ---------------------------------------------------------------------------------------------
// Address lists (welcomelist_from_spf, welcomelist_auth, welcomelist_from_dkim, ...)

// Every address pattern of the settings named `names` (each line a list of addresses).
std::vector<std::string> addressList(const EvalBuildContext& context,
                                     std::initializer_list<std::string_view> names) {
  std::vector<std::string> out;
  for (auto name : names) {
    for (auto value : context.values(name)) {
      for (auto& word : splitAsciiSpace(value)) out.push_back(toLower(word));
    }
  }
  return out;
}

// `patterns` are lowercased when read.
bool inList(const std::vector<std::string>& patterns, std::string_view address) {
  const std::string lower = toLower(address);
  return std::any_of(patterns.begin(), patterns.end(),
                     [&lower](const std::string& p) { return globMatches(p, lower); });
}

// welcomelist_from_dkim ADDRESS [SIGNING-DOMAIN]: an empty domain means the author's own.
struct DkimListEntry {
  std::string address;
  std::string signer;
};

std::vector<DkimListEntry> dkimList(const EvalBuildContext& context,
                                    std::initializer_list<std::string_view> names) {
  std::vector<DkimListEntry> out;
  for (auto name : names) {
    for (auto value : context.values(name)) {
      auto parts = splitAsciiSpace(value);
      if (parts.empty() || parts.size() > 2) continue;
      out.push_back({toLower(parts[0]), parts.size() == 2 ? toLower(parts[1]) : ""});
    }
  }
  return out;
}

// The domain of an address, also when it comes bracketed ("<a@b.example>").
std::string domainOf(std::string_view address) {
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos) return "";
  std::string_view domain = address.substr(at + 1);
  domain = domain.substr(0, domain.find_first_of(" \t\r\n>;)"));
  return toLower(domain);
}

// The author addresses: every address of the From fields, lowercased (SpamAssassin's from:addr).
std::vector<std::string> authorAddresses(const ContentView& view) {
  std::vector<std::string> out;
  auto text = headerText(view, "From", HeaderForm::Addr);
  if (!text) return out;
  for (auto line : split(*text, '\n')) {
    if (!trim(line).empty()) out.push_back(toLower(trim(line)));
  }
  return out;
}

// SpamAssassin's "domain or, with a leading '.' or '*.', any subdomain of it".
bool domainMatches(std::string_view pattern, const std::string& domain) {
  std::string p = toLower(pattern);
  if (p.starts_with("*.") || p.starts_with(".")) {
    p.erase(0, p.find('.') + 1);
    return domain == p || (domain.size() > p.size() && domain.ends_with("." + p));
  }
  return domain == p;
}

bool anyDomainMatches(const std::vector<std::string>& patterns, const std::string& domain) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&domain](const std::string& p) { return domainMatches(p, domain); });
}

// ---------------------------------------------------------------------------------------------
// SPF

enum class SpfScope { MailFrom, Helo };

struct SpfFinding {
  std::string result;  // RFC 8601 keyword
  std::string source;  // for evidence
};

struct SpfOptions {
  bool ignore_headers = false;  // ignore_received_spf_header
  bool newest_first = false;    // use_newest_received_spf_header
};

bool settingOn(const EvalBuildContext& context, std::string_view name) {
  auto values = context.values(name);
  return !values.empty() && trim(values.back()) != "0";
}

const std::set<std::string_view> kSpfResults = {"pass",     "neutral",   "none",     "fail",
                                                "softfail", "temperror", "permerror"};

std::string leadingWord(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && std::isalpha(static_cast<unsigned char>(text[n]))) ++n;
  return toLower(text.substr(0, n));
}

// The identity named after the last "identity=" of a Received-SPF field, if any.
std::optional<std::string> receivedSpfIdentity(std::string_view value) {
  const std::string lower = toLower(value);
  size_t at = lower.rfind("identity=");
  while (at != std::string::npos && at > 0 && isAsciiWordChar(lower[at - 1]))
    at = lower.rfind("identity=", at - 1);
  if (at == std::string::npos) return std::nullopt;
  size_t end = at + 9;
  while (end < lower.size() && !std::isspace(static_cast<unsigned char>(lower[end])) &&
         lower[end] != ';')
    ++end;
  return lower.substr(at + 9, end - at - 9);
}

// "pass" (and the scope) from a Received-SPF value, as SpamAssassin reads it.
std::optional<std::pair<SpfScope, std::string>> readReceivedSpf(std::string_view value) {
  value = trim(value);
  std::string result = leadingWord(value);
  if (!kSpfResults.count(result) ||
      (result.size() < value.size() && isAsciiWordChar(value[result.size()])))
    return std::nullopt;
  auto identity = receivedSpfIdentity(value);
  if (!identity || *identity == "mfrom" || *identity == "mailfrom")
    return std::make_pair(SpfScope::MailFrom, result);
  if (*identity == "helo") return std::make_pair(SpfScope::Helo, result);
  return std::nullopt;
}

// The spf= result of an Authentication-Results value (the last "; spf=" of it).
std::optional<std::pair<SpfScope, std::string>> readAuthResultsSpf(std::string_view value) {
  const std::string lower = toLower(value);
  size_t found = std::string::npos;
  for (size_t semi = lower.find(';'); semi != std::string::npos; semi = lower.find(';', semi + 1)) {
    size_t i = semi + 1;
    while (i < lower.size() && std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
    if (lower.compare(i, 3, "spf") != 0) continue;
    i += 3;
    while (i < lower.size() && std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
    if (i < lower.size() && lower[i] == '=') found = i + 1;
  }
  if (found == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(lower).substr(found);
  rest = rest.substr(0, rest.find(';'));
  rest = trim(rest);
  std::string result;
  for (std::string_view word :
       {"pass", "neutral", "hardfail", "softfail", "fail", "temperror", "permerror", "none"}) {
    if (rest.starts_with(word)) {
      result = word == "hardfail" ? "fail" : std::string(word);
      break;
    }
  }
  if (result.empty()) return std::nullopt;
  const size_t smtp = rest.find("smtp.");
  if (smtp == std::string_view::npos || (smtp > 0 && isAsciiWordChar(rest[smtp - 1])))
    return std::make_pair(SpfScope::MailFrom, result);
  std::string_view property = rest.substr(smtp + 5);
  property = property.substr(0, property.find('='));
  property = trim(property);
  if (property == "mailfrom" || property == "mfrom")
    return std::make_pair(SpfScope::MailFrom, result);
  if (property == "helo") return std::make_pair(SpfScope::Helo, result);
  return std::nullopt;
}

// The SPF results SpamAssassin re-uses from fields internal relays added: every field from the
// top down to the Received field of the first relay that is not internal.
struct SpfFromHeaders {
  std::optional<SpfFinding> mailfrom, helo;
};

SpfFromHeaders spfFromHeaders(const ContentView& view, MessageFacts& facts, SpfOptions options) {
  SpfFromHeaders out;
  if (options.ignore_headers) return out;
  const size_t last_received = facts.relays().internal.size();
  std::vector<const ViewHeader*> internal;
  size_t received = 0;
  for (const auto& h : view.headers) {
    internal.push_back(&h);
    if (iequals(h.name, "Received") && received++ == last_received) break;
  }
  if (!options.newest_first) std::reverse(internal.begin(), internal.end());
  for (const ViewHeader* h : internal) {
    std::optional<std::pair<SpfScope, std::string>> found;
    if (iequals(h->name, "Received-SPF")) {
      found = readReceivedSpf(h->decoded);
    } else if (iequals(h->name, "Authentication-Results") ||
               iequals(h->name, "ARC-Authentication-Results")) {
      found = readAuthResultsSpf(h->decoded);
    }
    if (!found) continue;
    auto& slot = found->first == SpfScope::Helo ? out.helo : out.mailfrom;
    if (!slot)
      slot = SpfFinding{found->second, std::string(h->name) + " field of an internal relay"};
    if (out.helo && out.mailfrom) break;
  }
  return out;
}

std::optional<SpfFinding> spfResult(const EvalInput& in, SpfScope scope, SpfOptions options) {
  const AuthResults* auth = in.view.auth;
  if (auth && auth->spf) {
    const bool helo = auth->spf->identity == "helo";
    if (helo != (scope == SpfScope::Helo)) return std::nullopt;
    return SpfFinding{auth->spf->result,
                      "our SPF check of " + auth->spf->identity + " " + auth->spf->domain};
  }
  // With a live client and no SPF result, the site runs no SPF check; the fields above the
  // first Received field then came from the client itself and prove nothing.
  if (in.view.client) return std::nullopt;
  const auto& found =
      in.facts.get<SpfFromHeaders>([&] { return spfFromHeaders(in.view, in.facts, options); });
  return scope == SpfScope::Helo ? found.helo : found.mailfrom;
}

void registerSpfResult(EvalRegistry& registry, const std::string& name, SpfScope scope,
                       const std::string& result) {
  registry.add(name,
               [name, scope, result](const std::vector<std::string>& args,
                                     EvalBuildContext& context) -> EvalBuild {
                 if (!args.empty()) return evalArgumentError(name, "no arguments");
                 SpfOptions options{settingOn(context, "ignore_received_spf_header"),
                                    settingOn(context, "use_newest_received_spf_header")};
                 return EvalBuild::success(
                     [scope, result, options](const EvalInput& in, std::string* evidence) {
                       auto found = spfResult(in, scope, options);
                       if (!found || found->result != result) return false;
                       if (evidence) *evidence = "SPF " + result + " (" + found->source + ")";
                       return true;
                     });
               });
}

// "<a@b.example>" or " a@b.example " as "a@b.example", lowercased.
std::string bareAddress(std::string_view text) {
  text = trim(text);
  if (const size_t open = text.find('<'); open != std::string_view::npos) {
    text.remove_prefix(open + 1);
    text = text.substr(0, text.find('>'));
  }
  return toLower(trim(text));
}

// The envelope sender SpamAssassin's SPF plugin uses, lowercased ("" when unknown).
std::string spfSender(const EvalInput& in) {
  if (in.view.envelope_from) return bareAddress(*in.view.envelope_from);
  const RelayModel& relays = in.facts.relays();
  if (!relays.external.empty() && !relays.external.front().envfrom.empty())
    return bareAddress(relays.external.front().envfrom);
  if (!relays.trusted.empty()) return "";
  return bareAddress(relays.envelope_from);
}

void registerSpfWelcomelist(EvalRegistry& registry, const std::string& name, bool is_default) {
  registry.add(
      name,
      [name, is_default](const std::vector<std::string>& args,
                         EvalBuildContext& context) -> EvalBuild {
        if (!args.empty()) return evalArgumentError(name, "no arguments");
        const auto list =
            is_default ? addressList(context, {"def_welcomelist_from_spf", "def_whitelist_from_spf",
                                               "def_welcomelist_auth", "def_whitelist_auth"})
                       : addressList(context, {"welcomelist_from_spf", "whitelist_from_spf",
                                               "welcomelist_auth", "whitelist_auth"});
        SpfOptions options{settingOn(context, "ignore_received_spf_header"),
                           settingOn(context, "use_newest_received_spf_header")};
        return EvalBuild::success([list, options](const EvalInput& in, std::string* evidence) {
          if (list.empty()) return false;
          const std::string sender = spfSender(in);
          if (sender.empty() || !inList(list, sender)) return false;
          auto found = spfResult(in, SpfScope::MailFrom, options);
          if (!found || found->result != "pass") return false;
          if (evidence) *evidence = sender + " is listed and passed SPF (" + found->source + ")";
          return true;
        });
      });
}

// ---------------------------------------------------------------------------------------------
// DKIM

// The signing identity SpamAssassin compares: the domain of i= when there is one, else d=.
std::string signer(const DkimOutcome& sig) {
  if (sig.identity.find('@') != std::string::npos) return domainOf(sig.identity);
  return toLower(sig.domain);
}

bool valid(const DkimOutcome& sig) {
  return sig.result == "pass";
}

const std::vector<DkimOutcome>& signatures(const ContentView& view) {
  static const std::vector<DkimOutcome> none;
  return view.auth ? view.auth->dkim : none;
}

// Whether our DKIM check has had its say, with DNS: SpamAssassin's dkim_signatures_ready.
bool dkimChecked(const ContentView& view) {
  return view.auth && (view.client || !view.auth->dkim.empty());
}

struct AuthorDomains {
  std::vector<std::string> addresses;
  std::set<std::string> domains;
};

const AuthorDomains& authors(const EvalInput& in) {
  return in.facts.get<AuthorDomains>([&] {
    AuthorDomains a;
    a.addresses = authorAddresses(in.view);
    for (const auto& address : a.addresses) {
      std::string domain = domainOf(address);
      if (!domain.empty()) a.domains.insert(domain);
    }
    return a;
  });
}

std::string describe(const DkimOutcome& sig) {
  std::string text = "DKIM " + sig.result + " d=" + sig.domain;
  if (!sig.selector.empty()) text += " s=" + sig.selector;
  return text;
}

// The first signature that is (valid, when asked) by a signer the patterns accept.
const DkimOutcome* signedBy(const EvalInput& in, bool must_be_valid, bool must_be_author,
                            const std::vector<std::string>& patterns) {
  for (const auto& sig : signatures(in.view)) {
    if (must_be_valid && !valid(sig)) continue;
    if (patterns.empty() && !must_be_author) return &sig;  // even one without a usable d=
    const std::string sdid = signer(sig);
    if (sdid.empty()) continue;
    if (must_be_author && !authors(in).domains.count(sdid)) continue;
    if (patterns.empty() || anyDomainMatches(patterns, sdid)) return &sig;
  }
  return nullptr;
}

EvalTest signatureTest(bool must_be_valid, bool must_be_author, std::vector<std::string> domains) {
  return [must_be_valid, must_be_author, domains](const EvalInput& in, std::string* evidence) {
    const DkimOutcome* sig = signedBy(in, must_be_valid, must_be_author, domains);
    if (sig && evidence) *evidence = describe(*sig);
    return sig != nullptr;
  };
}

// adsp_override DOMAIN [PRACTICE]: the practice letter per domain (N U A D 1 2 3).
std::vector<std::pair<std::string, char>> adspOverrides(const EvalBuildContext& context) {
  std::vector<std::pair<std::string, char>> out;
  for (auto value : context.values("adsp_override")) {
    auto parts = splitAsciiSpace(value);
    if (parts.empty() || parts.size() > 2) continue;
    std::string domain = toLower(parts[0]);
    if (domain.starts_with("@")) domain.erase(0, 1);
    const std::string practice = parts.size() == 2 ? toLower(parts[1]) : "discardable";
    char letter = 0;
    if (practice == "custom_low")
      letter = '1';
    else if (practice == "custom_med")
      letter = '2';
    else if (practice == "custom_high")
      letter = '3';
    else if (practice == "nxdomain" || practice == "unknown" || practice == "all" ||
             practice == "discardable")
      letter = static_cast<char>(std::toupper(static_cast<unsigned char>(practice[0])));
    if (letter) out.emplace_back(domain, letter);
  }
  return out;
}

// The practice for an author domain: the domain itself, then *.parent, *.grandparent, ...
char adspFor(const std::vector<std::pair<std::string, char>>& overrides,
             const std::string& domain) {
  auto lookup = [&overrides](const std::string& key) -> char {
    char found = 0;
    for (const auto& [d, letter] : overrides)
      if (d == key) found = letter;  // the last setting wins
    return found;
  };
  if (char c = lookup(domain)) return c;
  for (size_t dot = domain.find('.'); dot != std::string::npos; dot = domain.find('.', dot + 1)) {
    if (char c = lookup("*" + domain.substr(dot))) return c;
  }
  return 0;
}

bool plausibleDomain(const std::string& domain) {
  const size_t dot = domain.rfind('.');
  if (dot == std::string::npos || dot == 0 || domain.size() - dot - 1 < 2) return false;
  return std::all_of(domain.begin() + static_cast<long>(dot) + 1, domain.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '-';
  });
}

EvalBuild adspTest(const std::string& name, const std::vector<std::string>& args,
                   EvalBuildContext& context) {
  if (args.empty()) return evalArgumentError(name, "(practices, [author domains...])");
  std::string practices = args[0] == "*" ? "NAD123" : args[0];
  const std::vector<std::string> domains(args.begin() + 1, args.end());
  const auto overrides = adspOverrides(context);
  return EvalBuild::success(
      [practices, domains, overrides](const EvalInput& in, std::string* evidence) {
        if (!dkimChecked(in.view)) return false;
        std::set<std::string> valid_author, tempfailed;
        for (const auto& sig : signatures(in.view)) {
          const std::string sdid = signer(sig);
          if (!authors(in).domains.count(sdid)) continue;
          if (valid(sig)) valid_author.insert(sdid);
          if (sig.result == "temperror") tempfailed.insert(sdid);
        }
        // ADSP (RFC 5617) is historic and our DKIM check looks no practices up: only the
        // adsp_override settings give an author domain its practice.
        for (const auto& domain : authors(in).domains) {
          if (!plausibleDomain(domain) || valid_author.count(domain) || tempfailed.count(domain))
            continue;
          const char practice = adspFor(overrides, domain);
          if (!practice || practices.find(practice) == std::string::npos) continue;
          if (!domains.empty() && !anyDomainMatches(domains, domain)) continue;
          if (evidence)
            *evidence = "author domain " + domain + " has ADSP '" + std::string(1, practice) +
                        "' (adsp_override) and no valid author signature";
          return true;
        }
        return false;
      });
}

void registerDkimWelcomelist(EvalRegistry& registry, const std::string& name, bool is_default) {
  registry.add(
      name,
      [name, is_default](const std::vector<std::string>& args,
                         EvalBuildContext& context) -> EvalBuild {
        if (!args.empty()) return evalArgumentError(name, "no arguments");
        auto entries =
            is_default ? dkimList(context, {"def_welcomelist_from_dkim", "def_whitelist_from_dkim"})
                       : dkimList(context, {"welcomelist_from_dkim", "whitelist_from_dkim"});
        for (auto& address :
             is_default ? addressList(context, {"def_welcomelist_auth", "def_whitelist_auth"})
                        : addressList(context, {"welcomelist_auth", "whitelist_auth"}))
          entries.push_back({address, ""});
        return EvalBuild::success([entries](const EvalInput& in, std::string* evidence) {
          if (entries.empty()) return false;
          for (const auto& sig : signatures(in.view)) {
            if (!valid(sig)) continue;
            const std::string sdid = signer(sig);
            for (const auto& author : authors(in).addresses) {
              for (const auto& entry : entries) {
                if (!globMatches(entry.address, toLower(author))) continue;
                bool matches;
                if (entry.signer.empty()) {
                  matches = sdid == domainOf(author);
                } else {
                  std::string accepted = entry.signer.substr(entry.signer.rfind('@') + 1);
                  if (accepted.starts_with("*.") || accepted.starts_with(".")) {
                    accepted.erase(0, accepted.find('.'));
                    matches = sdid.ends_with(accepted);
                  } else {
                    matches = sdid == accepted;
                  }
                }
                if (!matches) continue;
                if (evidence) *evidence = author + " is listed and " + describe(sig);
                return true;
              }
            }
          }
          return false;
        });
      });
}

// ---------------------------------------------------------------------------------------------
// DMARC

void registerDmarc(EvalRegistry& registry, const std::string& name, const std::string& result,
                   const std::string& policy) {
  registry.add(
      name,
      [name, result, policy](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        if (!args.empty()) return evalArgumentError(name, "no arguments");
        return EvalBuild::success([result, policy](const EvalInput& in, std::string* evidence) {
          if (!in.view.auth || !in.view.auth->dmarc) return false;
          const DmarcOutcome& dmarc = *in.view.auth->dmarc;
          if (dmarc.result != result || (!policy.empty() && dmarc.policy != policy)) return false;
          if (evidence) {
            *evidence = "DMARC " + dmarc.result + " for " + dmarc.header_from_domain;
            if (dmarc.result != "none") *evidence += ", policy " + dmarc.policy;
          }
          return true;
        });
      });
}

}  // namespace

void registerAuthEvals(EvalRegistry& registry) {
  for (const std::string result :
       {"pass", "neutral", "none", "fail", "softfail", "permerror", "temperror"}) {
    registerSpfResult(registry, "check_for_spf_" + result, SpfScope::MailFrom, result);
    registerSpfResult(registry, "check_for_spf_helo_" + result, SpfScope::Helo, result);
  }
  registerSpfWelcomelist(registry, "check_for_spf_welcomelist_from", false);
  registerSpfWelcomelist(registry, "check_for_spf_whitelist_from", false);
  registerSpfWelcomelist(registry, "check_for_def_spf_welcomelist_from", true);
  registerSpfWelcomelist(registry, "check_for_def_spf_whitelist_from", true);

  registry.add("check_dkim_signed", [](const std::vector<std::string>& args, auto&) -> EvalBuild {
    return EvalBuild::success(signatureTest(false, false, args));
  });
  for (const char* name : {"check_dkim_valid", "check_dkim_verified"}) {
    registry.add(name, [](const std::vector<std::string>& args, auto&) -> EvalBuild {
      return EvalBuild::success(signatureTest(true, false, args));
    });
  }
  registry.add("check_dkim_valid_author_sig",
               [](const std::vector<std::string>& args, auto&) -> EvalBuild {
                 return EvalBuild::success(signatureTest(true, true, args));
               });
  registry.add("check_dkim_valid_envelopefrom",
               [](const std::vector<std::string>& args, auto&) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_dkim_valid_envelopefrom", "no arguments");
                 return EvalBuild::success([](const EvalInput& in, std::string* evidence) {
                   std::string sender = in.view.envelope_from
                                            ? *in.view.envelope_from
                                            : in.facts.pseudoHeader("EnvelopeFrom").value_or("");
                   const std::string domain = domainOf(sender);
                   if (domain.empty()) return false;
                   for (const auto& sig : signatures(in.view)) {
                     if (!valid(sig) || signer(sig) != domain) continue;
                     if (evidence) *evidence = describe(sig) + ", the envelope sender's domain";
                     return true;
                   }
                   return false;
                 });
               });
  registry.add("check_dkim_dependable", [](const std::vector<std::string>&, auto&) -> EvalBuild {
    // Our DKIM check always verifies the whole message: nothing is cut short.
    return EvalBuild::success(
        [](const EvalInput& in, std::string*) { return dkimChecked(in.view); });
  });
  registry.add("check_dkim_adsp",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 return adspTest("check_dkim_adsp", args, context);
               });
  registry.add("check_dkim_signall",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (!args.empty()) return evalArgumentError("check_dkim_signall", "no arguments");
                 return adspTest("check_dkim_signall", {"A"}, context);
               });
  registry.add("check_dkim_signsome", [](const std::vector<std::string>&, auto&) -> EvalBuild {
    // "Signs some" is true of every domain (RFC 5617); SpamAssassin answers false so that
    // the legacy rule never fires.
    return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
  });
  registry.add("check_dkim_testing", [](const std::vector<std::string>&, auto&) -> EvalBuild {
    return EvalBuild::failure(
        "needs the DKIM key's testing flag (t=y), which the DKIM check ([checks.dkim]) does not "
        "report");
  });
  for (const char* name : {"check_arc_signed", "check_arc_valid"}) {
    registry.add(name, [](const std::vector<std::string>&, auto&) -> EvalBuild {
      return EvalBuild::failure(
          "needs ARC verification (RFC 8617), which the DKIM check ([checks.dkim]) does not do");
    });
  }
  registerDkimWelcomelist(registry, "check_for_dkim_welcomelist_from", false);
  registerDkimWelcomelist(registry, "check_for_dkim_whitelist_from", false);
  registerDkimWelcomelist(registry, "check_for_def_dkim_welcomelist_from", true);
  registerDkimWelcomelist(registry, "check_for_def_dkim_whitelist_from", true);

  registerDmarc(registry, "check_dmarc_pass", "pass", "");
  registerDmarc(registry, "check_dmarc_reject", "fail", "reject");
  registerDmarc(registry, "check_dmarc_quarantine", "fail", "quarantine");
  registerDmarc(registry, "check_dmarc_none", "fail", "none");
  registerDmarc(registry, "check_dmarc_missing", "none", "");
}

}  // namespace portcullis::content
