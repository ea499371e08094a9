// WLBLEval, WelcomeListSubject and VBounce (Mail::SpamAssassin::Plugin::*): the sender,
// recipient, Reply-To, Subject and URI host against the welcome and block lists of the rule
// files (welcomelist_from, blocklist_to, enlist_addrlist, enlist_uri_host, welcomelist_subject,
// welcomelist_bounce_relays, ...); the *_rcvd lists also need the relay the message came from.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/header_values.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/registry_boundaries.h"
#include "gateway/base/text.h"
#include "gateway/core/network_list.h"

namespace portcullis::content {
namespace {

// One address list: lowercased file-glob patterns, each matching a whole address.
class AddressList {
 public:
  void add(std::string_view entry) {
    std::string pattern = toLower(entry);
    // SpamAssassin turns these into literal underscores before building its pattern.
    for (char& c : pattern) {
      if (c == '\0' || c == '\\' || c == '(') c = '_';
    }
    const size_t last_wildcard = pattern.find_last_of("*?");
    std::string tail =
        last_wildcard == std::string::npos ? pattern : pattern.substr(last_wildcard + 1);
    entries_[toLower(entry)] = Glob{std::move(pattern), std::move(tail)};
  }
  void remove(std::string_view entry) { entries_.erase(toLower(entry)); }
  bool empty() const { return entries_.empty(); }

  // The entry `address` matches, or nullopt.
  std::optional<std::string> match(std::string_view address) const {
    const std::string lower = toLower(address);
    if (entries_.count(lower) > 0) return lower;
    for (const auto& [entry, glob] : entries_) {
      if (std::string_view(lower).ends_with(glob.tail) && globMatches(glob.pattern, lower))
        return entry;
    }
    return std::nullopt;
  }

 private:
  struct Glob {
    std::string pattern;
    std::string tail;  // the literal text after the last wildcard, which must end an address
  };
  std::map<std::string, Glob> entries_;  // as written (lowercased) -> glob
};

// welcomelist_from_rcvd and def_welcomelist_from_rcvd: an address glob and the relays
// (rDNS domains or bracketed addresses) it must come through.
struct RcvdEntry {
  std::string pattern;
  std::vector<std::string> relays;
};
using RcvdList = std::map<std::string, RcvdEntry>;

struct ListConfig {
  std::map<std::string, AddressList, std::less<>> lists;  // by SpamAssassin's list name
  RcvdList welcome_rcvd, default_welcome_rcvd;
  std::map<std::string, std::map<std::string, bool>, std::less<>> uri_hosts;
  std::vector<std::string> welcome_subjects, block_subjects;  // lowercased globs
  std::shared_ptr<const RegistryBoundaries> boundaries;

  const AddressList& list(std::string_view name) const {
    static const AddressList kEmpty;
    auto it = lists.find(name);
    return it == lists.end() ? kEmpty : it->second;
  }
};

// The lists every rule set has, even when empty.
bool isBuiltinList(std::string_view name) {
  for (std::string_view builtin :
       {"welcomelist_from", "blocklist_from", "welcomelist_to", "more_spam_to", "all_spam_to",
        "blocklist_to", "welcomelist_allows_relays", "welcomelist_auth", "def_welcomelist_auth",
        "welcomelist_bounce_relays"}) {
    if (name == builtin) return true;
  }
  return false;
}

// The list a directive adds to (or, with `remove`, deletes from); "" for other directives.
std::string listOfDirective(std::string_view directive, bool& remove) {
  static const std::map<std::string_view, std::pair<std::string_view, bool>> kDirectives = {
      {"welcomelist_from", {"welcomelist_from", false}},
      {"whitelist_from", {"welcomelist_from", false}},
      {"unwelcomelist_from", {"welcomelist_from", true}},
      {"unwhitelist_from", {"welcomelist_from", true}},
      {"blocklist_from", {"blocklist_from", false}},
      {"blacklist_from", {"blocklist_from", false}},
      {"unblocklist_from", {"blocklist_from", true}},
      {"unblacklist_from", {"blocklist_from", true}},
      {"welcomelist_to", {"welcomelist_to", false}},
      {"whitelist_to", {"welcomelist_to", false}},
      {"more_spam_to", {"more_spam_to", false}},
      {"all_spam_to", {"all_spam_to", false}},
      {"blocklist_to", {"blocklist_to", false}},
      {"blacklist_to", {"blocklist_to", false}},
      {"welcomelist_allows_relays", {"welcomelist_allows_relays", false}},
      {"whitelist_allows_relays", {"welcomelist_allows_relays", false}},
      {"welcomelist_auth", {"welcomelist_auth", false}},
      {"whitelist_auth", {"welcomelist_auth", false}},
      {"def_welcomelist_auth", {"def_welcomelist_auth", false}},
      {"def_whitelist_auth", {"def_welcomelist_auth", false}},
      {"welcomelist_bounce_relays", {"welcomelist_bounce_relays", false}},
      {"whitelist_bounce_relays", {"welcomelist_bounce_relays", false}}};
  auto it = kDirectives.find(directive);
  if (it == kDirectives.end()) return {};
  remove = it->second.second;
  return std::string(it->second.first);
}

// "(NAME) rest" of enlist_addrlist and enlist_uri_host; nullopt without a list name.
std::optional<std::pair<std::string, std::string>> namedListValue(std::string_view value) {
  if (value.empty() || value.front() != '(') return std::nullopt;
  const size_t close = value.find(')');
  if (close == std::string_view::npos || close == 1 || close + 1 >= value.size() ||
      !isAsciiSpace(value[close + 1]))
    return std::nullopt;
  std::string_view rest = trim(value.substr(close + 1));
  if (rest.empty()) return std::nullopt;
  return std::make_pair(std::string(value.substr(1, close - 1)), std::string(rest));
}

void addUriHosts(std::map<std::string, bool>& list, std::string_view hosts) {
  for (std::string host : splitAsciiSpace(toLower(hosts))) {
    const bool listed = host.empty() || host[0] != '!';
    if (!listed) host.erase(0, 1);
    list[host] = listed;
  }
}

ListConfig readListConfig(EvalBuildContext& context) {
  ListConfig config;
  for (const auto& setting : context.settings()) {
    const std::string& name = setting.name;
    bool remove = false;
    if (std::string list = listOfDirective(name, remove); !list.empty()) {
      AddressList& target = config.lists[list];
      for (const auto& entry : splitAsciiSpace(setting.value)) {
        if (remove) {
          target.remove(entry);
        } else {
          target.add(entry);
        }
      }
    } else if (name == "enlist_addrlist") {
      if (auto named = namedListValue(setting.value)) {
        for (const auto& entry : splitAsciiSpace(named->second))
          config.lists[named->first].add(entry);
      }
    } else if (name == "welcomelist_from_rcvd" || name == "whitelist_from_rcvd" ||
               name == "def_welcomelist_from_rcvd" || name == "def_whitelist_from_rcvd") {
      const std::vector<std::string> parts = splitAsciiSpace(setting.value);
      if (parts.size() != 2) continue;
      RcvdList& target =
          name.rfind("def_", 0) == 0 ? config.default_welcome_rcvd : config.welcome_rcvd;
      const std::string address = toLower(parts[0]);
      RcvdEntry& entry = target[address];
      if (entry.relays.empty()) {
        entry.pattern = address;
        for (char& c : entry.pattern) {
          if (c == '\0' || c == '\\' || c == '(') c = '_';
        }
      }
      entry.relays.push_back(toLower(parts[1]));
    } else if (name == "unwelcomelist_from_rcvd" || name == "unwhitelist_from_rcvd") {
      for (const auto& entry : splitAsciiSpace(setting.value)) {
        config.welcome_rcvd.erase(toLower(entry));
        config.default_welcome_rcvd.erase(toLower(entry));
      }
    } else if (name == "enlist_uri_host") {
      if (auto named = namedListValue(setting.value))
        addUriHosts(config.uri_hosts[named->first], named->second);
    } else if (name == "blocklist_uri_host" || name == "blacklist_uri_host") {
      addUriHosts(config.uri_hosts["BLOCK"], setting.value);
    } else if (name == "welcomelist_uri_host" || name == "whitelist_uri_host") {
      addUriHosts(config.uri_hosts["WELCOME"], setting.value);
    } else if (name == "delist_uri_host") {
      std::string_view hosts = setting.value;
      std::optional<std::string> only;
      if (auto named = namedListValue(setting.value)) {
        only = named->first;
        hosts = setting.value;
        hosts.remove_prefix(hosts.find(')') + 1);
      }
      for (auto& [list_name, list] : config.uri_hosts) {
        if (only && list_name != *only) continue;
        for (std::string host : splitAsciiSpace(toLower(hosts))) {
          if (!host.empty() && host[0] == '!') host.erase(0, 1);
          list.erase(host);
        }
      }
    } else if (name == "welcomelist_subject" || name == "whitelist_subject") {
      config.welcome_subjects.push_back(toLower(setting.value));
    } else if (name == "blocklist_subject" || name == "blacklist_subject") {
      config.block_subjects.push_back(toLower(setting.value));
    }
  }
  config.boundaries = RegistryBoundaries::of(context);
  return config;
}

using SharedListConfig = std::shared_ptr<const ListConfig>;

SharedListConfig listConfigOf(EvalBuildContext& context) {
  return context.shared<ListConfig>("list_eval.config",
                                    [&context] { return readListConfig(context); });
}

// ---------------------------------------------------------------------------------------------
// Address lists.

bool anyListed(const AddressList& list, const std::vector<std::string>& addresses,
               std::string* evidence) {
  for (const auto& address : addresses) {
    if (auto entry = list.match(address)) {
      if (evidence) *evidence = address + " matches " + *entry;
      return true;
    }
  }
  return false;
}

// The relays a *_rcvd entry is checked against: the first untrusted one, or every trusted one
// when all are trusted.
std::vector<const Relay*> candidateRelays(const RelayModel& model) {
  std::vector<const Relay*> out;
  if (!model.untrusted.empty()) {
    out.push_back(&model.untrusted.front());
  } else {
    for (const auto& relay : model.trusted) out.push_back(&relay);
  }
  return out;
}

bool relayMatches(const Relay& relay, const std::string& wanted) {
  if (wanted.size() >= 2 && wanted.front() == '[') {
    const size_t close = wanted.find(']');
    if (close == std::string::npos) return false;
    std::string network = wanted.substr(1, close - 1);
    const std::string suffix = wanted.substr(close + 1);
    if (!suffix.empty()) {
      if (suffix[0] != '/' || suffix.size() < 2 || suffix.size() > 4 ||
          !std::all_of(suffix.begin() + 1, suffix.end(),
                       [](char c) { return c >= '0' && c <= '9'; }))
        return false;
      network += suffix;
    }
    if (relay.ip.empty()) return false;
    const bool digits_and_dots =
        !network.empty() && std::all_of(network.begin(), network.end(),
                                        [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (digits_and_dots && std::count(network.begin(), network.end(), '.') == 3 &&
        network.front() != '.' && network.back() != '.' && network.find("..") == std::string::npos)
      return network == relay.ip;
    if (digits_and_dots) {  // a classful prefix: "10.1" covers 10.1.*.*
      while (!network.empty() && network.back() == '.') network.pop_back();
      network += '.';
      return relay.ip.rfind(network, 0) == 0;
    }
    NetworkList list;
    if (!list.add(network)) return false;
    return list.find(relay.ip).has_value();
  }
  const std::string rdns = toLower(relay.rdns);
  if (rdns.size() < wanted.size()) return false;
  if (rdns.compare(rdns.size() - wanted.size(), wanted.size(), wanted) != 0) return false;
  return rdns.size() == wanted.size() || rdns[rdns.size() - wanted.size() - 1] == '.';
}

// 1: listed and came through a listed relay; -1: listed but came another way (maybe forged);
// 0: not listed.
int welcomedThroughRelay(const ListConfig& config, const RcvdList& list, const RelayModel& model,
                         const std::string& address) {
  if (model.trusted.empty() && model.untrusted.empty()) return 0;
  const std::vector<const Relay*> relays = candidateRelays(model);
  const std::string lower = toLower(address);
  int verdict = 0;
  for (const auto& [entry_address, entry] : list) {
    if (!globMatches(entry.pattern, lower)) continue;
    for (const auto& wanted : entry.relays) {
      for (const Relay* relay : relays) {
        if (relayMatches(*relay, wanted)) return 1;
      }
      verdict = -1;
    }
  }
  if (verdict != 0 && config.list("welcomelist_allows_relays").match(lower)) verdict = 0;
  return verdict;
}

struct FromVerdicts {
  int welcome = 0;          // welcomelist_from or welcomelist_from_rcvd
  int default_welcome = 0;  // def_welcomelist_from_rcvd
};

FromVerdicts fromVerdicts(const ListConfig& config, const EvalInput& in) {
  FromVerdicts verdicts;
  const std::vector<std::string>& senders = allFromAddresses(in);
  const AddressList& welcome = config.list("welcomelist_from");
  for (const auto& sender : senders) {
    if (welcome.match(sender)) {
      verdicts.welcome = 1;
      break;
    }
    if (config.welcome_rcvd.empty()) continue;
    const int relayed =
        welcomedThroughRelay(config, config.welcome_rcvd, in.facts.relays(), sender);
    if (relayed == 1) {
      verdicts.welcome = 1;
      break;
    }
    if (relayed == -1) verdicts.welcome = -1;
  }
  if (!config.default_welcome_rcvd.empty()) {
    for (const auto& sender : senders) {
      const int relayed =
          welcomedThroughRelay(config, config.default_welcome_rcvd, in.facts.relays(), sender);
      if (relayed == 1) {
        verdicts.default_welcome = 1;
        break;
      }
      if (relayed == -1) verdicts.default_welcome = -1;
    }
  }
  return verdicts;
}

bool mailFromMatchesRelay(const ListConfig& config, const EvalInput& in) {
  const std::string sender = firstAddress(in, "EnvelopeFrom");
  const size_t at = sender.rfind('@');
  if (at == std::string::npos) return false;
  const std::string domain = toLower(sender.substr(at + 1));
  const size_t dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == domain.size()) return false;
  const std::string sender_domain = config.boundaries->domainOf(domain);
  for (const Relay* relay : candidateRelays(in.facts.relays())) {
    if (relay->rdns.empty()) continue;
    if (config.boundaries->domainOf(relay->rdns) == sender_domain) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// URI host lists.

std::string uriHost(std::string_view uri) {
  size_t start = uri.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = start;
  while (end < uri.size() && uri[end] != '/' && uri[end] != '?' && uri[end] != '#' &&
         !isAsciiSpace(uri[end]))
    ++end;
  std::string_view authority = uri.substr(start, end - start);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    return toLower(
        authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  }
  if (const size_t colon = authority.find(':'); colon != std::string_view::npos)
    authority = authority.substr(0, colon);
  while (!authority.empty() && authority.back() == '.') authority.remove_suffix(1);
  return toLower(authority);
}

bool isIpv4(std::string_view host) {
  int dots = 0;
  size_t digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      ++digits;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

// List name -> the host (and the listed name it matched) of the message's URIs in that list.
struct UriHostMatches {
  std::map<std::string, std::string, std::less<>> by_list;
};

UriHostMatches uriHostMatches(const ListConfig& config, const ContentView& view) {
  UriHostMatches out;
  if (config.uri_hosts.empty()) return out;
  std::set<std::string> seen;
  for (std::string_view uri : view.uris) {
    if (istartsWith(uri, "mailto:")) continue;
    const std::string host = uriHost(uri);
    if (host.empty() || !seen.insert(host).second) continue;
    std::vector<std::string> keys;
    if (host.front() == '[') {
      keys.push_back(host.substr(1, host.size() - 2));
    } else if (isIpv4(host)) {
      keys.push_back(host);
    } else {
      for (std::string_view rest = host;;) {
        keys.emplace_back(rest);
        const size_t dot = rest.find('.');
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
      }
      if (keys.size() > 11) keys.erase(keys.begin(), keys.end() - 11);
    }
    for (const auto& [name, list] : config.uri_hosts) {
      for (const auto& key : keys) {
        auto it = list.find(key);
        if (it == list.end()) continue;
        if (it->second) out.by_list[name] = key == host ? host : host + " (" + key + ")";
        break;
      }
    }
  }
  return out;
}

bool uriHostListed(const ListConfig& config, const EvalInput& in, std::string_view list,
                   std::string* evidence) {
  const UriHostMatches& matches =
      in.facts.get<UriHostMatches>([&config, &in] { return uriHostMatches(config, in.view); });
  auto it = matches.by_list.find(list);
  if (it == matches.by_list.end()) return false;
  if (evidence) *evidence = "URI: " + it->second;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Subjects and bounce relays.

bool subjectListed(const std::vector<std::string>& globs, const ContentView& view,
                   std::string* evidence) {
  const std::vector<std::string_view> subjects = decodedValues(view, "Subject");
  if (subjects.empty()) return false;
  const std::string subject = toLower(joinedLines(subjects));
  for (const auto& glob : globs) {
    if (globMatches("*" + glob + "*", subject)) {
      if (evidence) *evidence = "Subject matches '" + glob + "'";
      return true;
    }
  }
  return false;
}

bool startsReceivedLine(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == '>' || line[i] == ' ')) ++i;
  return istartsWith(line.substr(i), "Received:");
}

// The host-like words of a quoted Received line: runs of non-spaces with an inner dot, each
// between two whitespace characters (a word's closing space does not open the next one).
std::vector<std::string> relayWords(std::string_view line, bool any_space) {
  std::vector<std::string> out;
  auto space = [any_space](char c) { return any_space ? isAsciiSpace(c) : c == ' '; };
  size_t i = 0;
  while (i < line.size()) {
    if (!space(line[i])) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < line.size() && !isAsciiSpace(line[end])) ++end;
    const std::string_view word = line.substr(i + 1, end - i - 1);
    const size_t dot = word.find('.', 1);
    const bool inner_dot = dot != std::string_view::npos && dot + 1 < word.size();
    if (inner_dot && end < line.size() && space(line[end])) {
      out.emplace_back(word);
      i = end + 1;
    } else {
      i = end;
    }
  }
  return out;
}

bool bounceRelayFound(const AddressList& relays, const ContentView& view, std::string* evidence) {
  auto listed = [&relays, evidence](const std::vector<std::string>& words) {
    for (const auto& word : words) {
      if (relays.match(word)) {
        if (evidence) *evidence = "bounce names our relay " + word;
        return true;
      }
    }
    return false;
  };
  for (std::string_view line : split(view.body, '\n')) {
    if (startsReceivedLine(line) && listed(relayWords(line, false))) return true;
  }
  size_t body_at = view.full.find("\n\n");
  const size_t crlf = view.full.find("\r\n\r\n");
  if (crlf != std::string_view::npos && (body_at == std::string_view::npos || crlf < body_at))
    body_at = crlf + 2;
  if (body_at == std::string_view::npos) return false;
  const std::string_view body = view.full.substr(body_at + 2);
  std::string folded;
  bool found_received = false;
  for (std::string_view line : split(body, '\n')) {
    if (!found_received) {
      if (!startsReceivedLine(line)) continue;
      found_received = true;
    }
    if (!line.empty() && isAsciiSpace(line[0])) {
      folded.append(line);
    } else {
      folded.assign(line);
    }
    if (startsReceivedLine(folded) && listed(relayWords(folded, true))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Registration.

using Check = std::function<bool(const ListConfig&, const EvalInput&, std::string*)>;

void addListCheck(EvalRegistry& registry, const std::vector<std::string>& names, Check check) {
  for (const auto& name : names) {
    registry.add(name,
                 [name, check](const std::vector<std::string>& args,
                               EvalBuildContext& context) -> EvalBuild {
                   if (!args.empty()) return evalArgumentError(name, "no arguments");
                   return EvalBuild::success([config = listConfigOf(context), check](
                                                 const EvalInput& in, std::string* evidence) {
                     return check(*config, in, evidence);
                   });
                 });
  }
}

// A check of one named list, given as the rule's only argument.
void addNamedListCheck(
    EvalRegistry& registry, const std::string& name,
    std::function<bool(const AddressList&, const EvalInput&, std::string*)> check) {
  registry.add(
      name,
      [name, check](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
        if (args.size() != 1 || args[0].empty()) return evalArgumentError(name, "(list name)");
        SharedListConfig config = listConfigOf(context);
        if (!isBuiltinList(args[0]) && config->lists.count(args[0]) == 0)
          return EvalBuild::failure("eval:" + name + ": no address list named " + args[0]);
        return EvalBuild::success(
            [config, list = args[0], check](const EvalInput& in, std::string* evidence) {
              return check(config->list(list), in, evidence);
            });
      });
}

Check toListCheck(std::string list) {
  return [list](const ListConfig& config, const EvalInput& in, std::string* evidence) {
    const AddressList& addresses = config.list(list);
    return !addresses.empty() && anyListed(addresses, allToAddresses(in), evidence);
  };
}

}  // namespace

void registerListEvals(EvalRegistry& registry) {
  addListCheck(registry, {"check_from_in_blocklist", "check_from_in_blacklist"},
               [](const ListConfig& config, const EvalInput& in, std::string* evidence) {
                 const AddressList& list = config.list("blocklist_from");
                 return !list.empty() && anyListed(list, allFromAddresses(in), evidence);
               });
  addListCheck(registry, {"check_to_in_blocklist", "check_to_in_blacklist"},
               toListCheck("blocklist_to"));
  addListCheck(registry, {"check_to_in_welcomelist", "check_to_in_whitelist"},
               toListCheck("welcomelist_to"));
  addListCheck(registry, {"check_to_in_more_spam"}, toListCheck("more_spam_to"));
  addListCheck(registry, {"check_to_in_all_spam"}, toListCheck("all_spam_to"));
  addNamedListCheck(registry, "check_from_in_list",
                    [](const AddressList& list, const EvalInput& in, std::string* evidence) {
                      return !list.empty() && anyListed(list, allFromAddresses(in), evidence);
                    });
  addNamedListCheck(registry, "check_to_in_list",
                    [](const AddressList& list, const EvalInput& in, std::string* evidence) {
                      return !list.empty() && anyListed(list, allToAddresses(in), evidence);
                    });
  addNamedListCheck(registry, "check_replyto_in_list",
                    [](const AddressList& list, const EvalInput& in, std::string* evidence) {
                      const std::string reply_to = firstAddress(in, "Reply-To");
                      return !reply_to.empty() && anyListed(list, {reply_to}, evidence);
                    });
  auto verdicts = [](const ListConfig& config, const EvalInput& in) -> const FromVerdicts& {
    return in.facts.get<FromVerdicts>([&config, &in] { return fromVerdicts(config, in); });
  };
  addListCheck(registry, {"check_from_in_welcomelist", "check_from_in_whitelist"},
               [verdicts](const ListConfig& config, const EvalInput& in, std::string* evidence) {
                 const bool hit = verdicts(config, in).welcome > 0;
                 if (hit && evidence) *evidence = "sender in welcomelist_from";
                 return hit;
               });
  addListCheck(registry, {"check_forged_in_welcomelist", "check_forged_in_whitelist"},
               [verdicts](const ListConfig& config, const EvalInput& in, std::string*) {
                 const FromVerdicts& v = verdicts(config, in);
                 return v.welcome < 0 && v.default_welcome == 0;
               });
  addListCheck(registry, {"check_from_in_default_welcomelist", "check_from_in_default_whitelist"},
               [verdicts](const ListConfig& config, const EvalInput& in, std::string*) {
                 return verdicts(config, in).default_welcome > 0;
               });
  addListCheck(registry,
               {"check_forged_in_default_welcomelist", "check_forged_in_default_whitelist"},
               [verdicts](const ListConfig& config, const EvalInput& in, std::string*) {
                 const FromVerdicts& v = verdicts(config, in);
                 return v.default_welcome < 0 && v.welcome == 0;
               });
  addListCheck(registry, {"check_mailfrom_matches_rcvd"},
               [](const ListConfig& config, const EvalInput& in, std::string*) {
                 return mailFromMatchesRelay(config, in);
               });
  registry.add("check_uri_host_listed",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() != 1 || args[0].empty())
                   return evalArgumentError("check_uri_host_listed", "(list name)");
                 return EvalBuild::success([config = listConfigOf(context), list = args[0]](
                                               const EvalInput& in, std::string* evidence) {
                   return uriHostListed(*config, in, list, evidence);
                 });
               });
  addListCheck(registry, {"check_uri_host_in_blocklist", "check_uri_host_in_blacklist"},
               [](const ListConfig& config, const EvalInput& in, std::string* evidence) {
                 return uriHostListed(config, in, "BLOCK", evidence);
               });
  addListCheck(registry, {"check_uri_host_in_welcomelist", "check_uri_host_in_whitelist"},
               [](const ListConfig& config, const EvalInput& in, std::string* evidence) {
                 return uriHostListed(config, in, "WELCOME", evidence);
               });
  addListCheck(registry, {"check_subject_in_welcomelist", "check_subject_in_whitelist"},
               [](const ListConfig& config, const EvalInput& in, std::string* evidence) {
                 return subjectListed(config.welcome_subjects, in.view, evidence);
               });
  addListCheck(registry, {"check_subject_in_blocklist", "check_subject_in_blacklist"},
               [](const ListConfig& config, const EvalInput& in, std::string* evidence) {
                 return subjectListed(config.block_subjects, in.view, evidence);
               });
  addListCheck(registry, {"have_any_bounce_relays"},
               [](const ListConfig& config, const EvalInput&, std::string*) {
                 return !config.list("welcomelist_bounce_relays").empty();
               });
  addListCheck(registry, {"check_welcomelist_bounce_relays", "check_whitelist_bounce_relays"},
               [](const ListConfig& config, const EvalInput& in, std::string* evidence) {
                 const AddressList& relays = config.list("welcomelist_bounce_relays");
                 return !relays.empty() && bounceRelayFound(relays, in.view, evidence);
               });
}

}  // namespace portcullis::content
