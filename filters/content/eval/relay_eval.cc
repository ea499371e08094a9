// RelayEval (Mail::SpamAssassin::Plugin::RelayEval): tests on the relay model (relay_model.h):
// how many relays are trusted, parsed or unparseable, and what the untrusted relays' HELO, rDNS
// and "by" names say about forgery.
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>
#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/message_facts.h"

#include "gateway/core/text.h"
#include "gateway/mime/received.h"

namespace portcullis::content {
namespace {

// Patterns match bytes (Latin-1), as SpamAssassin's do.
re2::RE2::Options byteOptions(bool icase = false) {
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingLatin1);
  options.set_case_sensitive(!icase);
  options.set_log_errors(false);
  return options;
}

re2::StringPiece piece(std::string_view text) {
  return re2::StringPiece(text.data(), text.size());
}

bool search(const re2::RE2& re, std::string_view text) {
  return re2::RE2::PartialMatch(piece(text), re);
}

std::string count(size_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

bool allTrusted(const RelayModel& m, std::string* evidence) {
  if (m.trusted.empty() || !m.untrusted.empty() || m.unparseable) return false;
  if (evidence) *evidence = "all " + count(m.trusted.size(), "relay") + " trusted";
  return true;
}

bool noRelays(const RelayModel& m, std::string* evidence) {
  if (!m.trusted.empty() || !m.untrusted.empty() || m.unparseable) return false;
  if (evidence) *evidence = "no relay in the Received fields";
  return true;
}

bool unparseable(const RelayModel& m, std::string* evidence) {
  if (!m.unparseable) return false;
  if (evidence) *evidence = count(static_cast<size_t>(m.unparseable), "unparseable Received field");
  return true;
}

// check_for_numeric_helo: the first IPv4 HELO among the untrusted relays is public.
bool numericHelo(const RelayModel& m, std::string* evidence) {
  // SpamAssassin ends the address with (?![^\000-\040,;\[()<>]): the end or one of those bytes.
  static const re2::RE2 helo(
      R"re(\bhelo=(\b(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.)re"
      R"re((?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\b))re"
      R"re((?:$|[\x00-\x20,;\[()<>]))re",
      byteOptions(true));
  const std::string untrusted = RelayModel::join(m.untrusted);
  re2::StringPiece address;
  if (untrusted.empty() || !re2::RE2::PartialMatch(piece(untrusted), helo, &address)) return false;
  const std::string_view ip(address.data(), address.size());
  if (mime::isWholePrivateIp(ip)) return false;
  if (evidence) *evidence = "untrusted relay said HELO " + std::string(ip);
  return true;
}

// helo_ip_mismatch: an untrusted relay's public IPv4 HELO is outside the /24 of its address.
bool heloIpMismatch(const RelayModel& m, std::string* evidence) {
  for (const auto& relay : m.untrusted) {
    if (!mime::isIpv4Address(relay.helo) || mime::isWholePrivateIp(relay.helo)) continue;
    if (!mime::isIpv4Address(relay.ip) || mime::isWholePrivateIp(relay.ip)) continue;
    if (relay.helo == relay.ip) continue;
    const std::string prefix = relay.helo.substr(0, relay.helo.rfind('.') + 1);
    if (relay.ip.rfind(prefix, 0) == 0) continue;
    if (evidence) *evidence = "relay " + relay.ip + " said HELO " + relay.helo;
    return true;
  }
  return false;
}

// check_for_sender_no_reverse: SpamAssassin's test as written (the oldest untrusted relay has a
// dotted rDNS and a public address).
bool senderNoReverse(const RelayModel& m, std::string* evidence) {
  if (m.untrusted.empty()) return false;
  const Relay& relay = m.untrusted.back();
  if (relay.rdns.find('.') == std::string::npos || relay.ip_private) return false;
  if (evidence) *evidence = "sending relay " + relay.ip + " rdns=" + relay.rdns;
  return true;
}

// check_for_no_rdns_dotcom_helo: an untrusted public relay said HELO as a big free-mail provider
// but has no reverse DNS. As in SpamAssassin, each public relay overrules the nearer ones: the
// oldest public untrusted relay decides.
bool noRdnsDotcomHelo(const RelayModel& m, std::string* evidence) {
  static const re2::RE2 dotcom(
      R"re((?:\.|^)(lycos\.com|lycos\.co\.uk|hotmail\.com|localhost\.com|excite\.com|)re"
      R"re(caramail\.com|cs\.com|aol\.com|msn\.com|yahoo\.com|drizzle\.com)$)re",
      byteOptions(true));
  const Relay* deciding = nullptr;
  for (const auto& relay : m.untrusted) {
    if (!relay.ip_private) deciding = &relay;
  }
  if (!deciding || !deciding->no_reverse_dns || !search(dotcom, deciding->helo)) return false;
  if (evidence) {
    *evidence = "relay " + deciding->ip + " said HELO " + deciding->helo + " but has no rDNS";
  }
  return true;
}

// RelayEval's hostname_to_domain: the last two labels (three when the last is a short ccTLD).
std::string hostnameToDomain(const std::string& host) {
  bool letter = false;
  for (unsigned char c : host) letter = letter || std::isalpha(c);
  if (!letter) return host;
  std::vector<std::string_view> parts = split(host, '.');
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  static const re2::RE2 generic(R"re(\S{3,}|ie|fr|de)re", byteOptions());
  auto tail = [&](size_t n) {
    std::string out;
    for (size_t i = parts.size() - n; i < parts.size(); ++i) {
      if (!out.empty()) out += '.';
      out += parts[i];
    }
    return out;
  };
  if (parts.size() > 1 && search(generic, parts.back())) return tail(2);
  if (parts.size() > 2) return tail(3);
  return host;
}

bool looksLikeHostname(const std::string& name) {
  static const re2::RE2 host(R"re(^\w+(?:[\w.-]+\.)+\w+$)re", byteOptions());
  return search(host, name);
}

// _check_for_forged_received: counts the untrusted hops whose "by" does not name the host the
// previous hop came from, and the IPv4 HELOs far from their address.
struct ForgedReceived {
  int mismatch_from = 0;
  int mismatch_ip_helo = 0;
  std::string from_example, ip_helo_example;
};

ForgedReceived forgedReceived(const RelayModel& m) {
  static const re2::RE2 dotted(R"re(^\d+\.\d+\.\d+\.\d+$)re", byteOptions());
  ForgedReceived out;
  const size_t n = m.untrusted.size();
  std::vector<std::optional<std::string>> from(n);
  for (size_t i = 0; i < n; ++i) {
    const Relay& relay = m.untrusted[i];
    const std::string by = hostnameToDomain(toLower(relay.by));
    from[i] = hostnameToDomain(toLower(relay.rdns));
    if (!looksLikeHostname(by)) continue;
    if ((*from[i] == "localhost" || *from[i] == "localhost.localdomain") &&
        relay.ip == "127.0.0.1") {
      from[i].reset();
    }
    const std::string helo = hostnameToDomain(toLower(relay.helo));
    if (search(dotted, helo) && search(dotted, relay.ip) && relay.ip != helo) {
      auto class_b = [](const std::string& ip) {
        return ip.substr(0, ip.find('.', ip.find('.') + 1));
      };
      if (class_b(helo) != class_b(relay.ip) && !mime::isWholePrivateIp(helo)) {
        if (!out.mismatch_ip_helo++)
          out.ip_helo_example = "relay " + relay.ip + " said HELO " + helo;
      }
    }
    if (i == 0 || !from[i - 1] || !looksLikeHostname(*from[i - 1]) || by == *from[i - 1]) continue;
    if (by == "msn.com" && *from[i - 1] == "hotmail.com") continue;
    if (!out.mismatch_from++) {
      out.from_example = "hop by " + by + " received from a host in " + *from[i - 1];
    }
  }
  return out;
}

const ForgedReceived& forgedFact(const EvalInput& in) {
  return in.facts.get<ForgedReceived>([&] { return forgedReceived(in.facts.relays()); });
}

// check_for_from_domain_in_received_headers(domain, desired): the From domain also names the
// rDNS and the receiving host of one relay.
bool fromDomainInReceived(const EvalInput& in, const std::string& domain, const re2::RE2& from,
                          const re2::RE2& relays, bool desired, std::string* evidence) {
  std::string address;
  for (const auto& h : in.view.headers) {
    if (!iequals(h.name, "From")) continue;
    auto mailboxes = parseMailboxes(h.decoded);
    if (!mailboxes.empty()) address = mailboxes.front().address;
  }
  if (!search(from, address)) return false;
  const RelayModel& m = in.facts.relays();
  const bool found =
      search(relays, RelayModel::join(m.trusted) + "\n" + RelayModel::join(m.untrusted));
  if (found != desired) return false;
  if (evidence) {
    *evidence = found ? "a relay of " + domain + " handled mail from " + address
                      : "no relay of " + domain + " handled mail from " + address;
  }
  return true;
}

using ModelTest = bool (*)(const RelayModel&, std::string*);

void addModelTest(EvalRegistry& registry, const std::string& name, ModelTest test) {
  registry.add(name, [name, test](const std::vector<std::string>& args, auto&) -> EvalBuild {
    if (!args.empty()) return evalArgumentError(name, "no arguments");
    return EvalBuild::success([test](const EvalInput& in, std::string* evidence) {
      return test(in.facts.relays(), evidence);
    });
  });
}

}  // namespace

void registerRelayEvals(EvalRegistry& registry) {
  addModelTest(registry, "check_all_trusted", allTrusted);
  addModelTest(registry, "check_no_relays", noRelays);
  addModelTest(registry, "check_relays_unparseable", unparseable);
  addModelTest(registry, "check_for_numeric_helo", numericHelo);
  addModelTest(registry, "helo_ip_mismatch", heloIpMismatch);
  addModelTest(registry, "check_for_sender_no_reverse", senderNoReverse);
  addModelTest(registry, "check_for_no_rdns_dotcom_helo", noRdnsDotcomHelo);
  // Retired in SpamAssassin (bug 6295) and kept for old rules: never hits.
  addModelTest(registry, "check_for_illegal_ip",
               [](const RelayModel&, std::string*) { return false; });
  registry.add("check_for_forged_received_trail",
               [](const std::vector<std::string>& args, auto&) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_for_forged_received_trail", "no arguments");
                 return EvalBuild::success([](const EvalInput& in, std::string* evidence) {
                   const ForgedReceived& forged = forgedFact(in);
                   if (forged.mismatch_from <= 1) return false;
                   if (evidence)
                     *evidence = count(static_cast<size_t>(forged.mismatch_from), "broken hop") +
                                 " in the Received trail, e.g. " + forged.from_example;
                   return true;
                 });
               });
  registry.add("check_for_forged_received_ip_helo",
               [](const std::vector<std::string>& args, auto&) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_for_forged_received_ip_helo", "no arguments");
                 return EvalBuild::success([](const EvalInput& in, std::string* evidence) {
                   const ForgedReceived& forged = forgedFact(in);
                   if (forged.mismatch_ip_helo == 0) return false;
                   if (evidence) *evidence = forged.ip_helo_example;
                   return true;
                 });
               });
  registry.add(
      "check_for_from_domain_in_received_headers",
      [](const std::vector<std::string>& args, auto&) -> EvalBuild {
        const char* name = "check_for_from_domain_in_received_headers";
        if (args.size() != 2 || args[0].empty() || (args[1] != "true" && args[1] != "false"))
          return evalArgumentError(name, "(domain, 'true' or 'false')");
        const std::string& domain = args[0];
        auto from =
            std::make_shared<re2::RE2>("\\b" + re2::RE2::QuoteMeta(domain), byteOptions(true));
        // SpamAssassin puts the domain into this pattern as a regex, unquoted.
        auto relays = std::make_shared<re2::RE2>(
            " rdns=\\S*\\b" + domain + " [^\\]]*by=\\S*\\b" + domain + " ", byteOptions());
        if (!relays->ok())
          return evalArgumentError(name, "a domain usable in a pattern (" + relays->error() + ")");
        const bool desired = args[1] == "true";
        return EvalBuild::success(
            [domain, from, relays, desired](const EvalInput& in, std::string* evidence) {
              return fromDomainInReceived(in, domain, *from, *relays, desired, evidence);
            });
      });
}

}  // namespace portcullis::content
