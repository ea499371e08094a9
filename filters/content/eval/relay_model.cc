#include "filters/content/eval/relay_model.h"

#include "gateway/core/text.h"
#include "gateway/mime/received.h"

namespace portcullis::content {
namespace {

// Perl's truth of a string: neither empty nor "0".
bool truthy(std::string_view s) {
  return !s.empty() && s != "0";
}

// SpamAssassin's short IPv4 forms as a CIDR prefix: "10." -> 10.0.0.0/8, "192.168/16" ->
// 192.168.0.0/16. Anything else is returned unchanged.
std::string expandShortIpv4(std::string_view entry) {
  std::string_view address = entry, mask;
  if (const size_t slash = entry.find('/'); slash != std::string_view::npos) {
    address = entry.substr(0, slash);
    mask = entry.substr(slash);
  }
  if (address.empty() || address.find(':') != std::string_view::npos) return std::string(entry);
  for (char c : address) {
    if (c != '.' && (c < '0' || c > '9')) return std::string(entry);
  }
  std::string text(address);
  const bool trailing_dot = text.back() == '.';
  if (trailing_dot) text.pop_back();
  const auto octets = split(text, '.');
  if (octets.size() >= 4 || octets.empty()) return std::string(entry);
  const size_t given = octets.size();
  for (size_t i = given; i < 4; ++i) text += ".0";
  if (!mask.empty()) return text + std::string(mask);
  if (trailing_dot) return text + "/" + std::to_string(8 * given);
  return std::string(entry);
}

std::optional<std::string> firstAddress(const ContentView& view, std::string_view name) {
  for (const auto& h : view.headers) {
    if (!iequals(h.name, name)) continue;
    auto mailboxes = parseMailboxes(h.decoded);
    if (!mailboxes.empty()) return mailboxes.front().address;
    const std::string_view value = trim(h.decoded);
    if (value.empty() || value == "<>") return std::string();
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string_view> lastValue(const ContentView& view, std::string_view name) {
  std::optional<std::string_view> out;
  for (const auto& h : view.headers) {
    if (iequals(h.name, name)) out = h.decoded;
  }
  return out;
}

// A header named `name` comes after some Received field (a list may have set a new sender).
bool afterReceived(const ContentView& view, std::string_view name) {
  bool received = false;
  for (const auto& h : view.headers) {
    if (iequals(h.name, "Received")) received = true;
    if (received && iequals(h.name, name)) return true;
  }
  return false;
}

// A usable envelope sender recorded by a relay: has an '@' after the first byte, or is "".
bool usableSender(std::string_view sender) {
  const size_t at = sender.find('@');
  return sender.empty() || (at != std::string_view::npos && at > 0);
}

// Mail::SpamAssassin::PerMsgStatus::get_envelope_from, on the split relays.
std::optional<std::string> envelopeFrom(const ContentView& view, const RelayTrust& trust,
                                        const RelayModel& model) {
  if (view.envelope_from) return *view.envelope_from;
  if (trust.envelope_sender_header) {
    auto sender = firstAddress(view, *trust.envelope_sender_header);
    if (sender && usableSender(*sender)) return sender;
    return std::nullopt;
  }
  const Relay* last_hop = !model.untrusted.empty() ? &model.untrusted.front()
                          : !model.trusted.empty() ? &model.trusted.back()
                                                   : nullptr;
  if (last_hop && last_hop->has_envfrom && usableSender(last_hop->envfrom)) {
    return last_hop->envfrom;
  }
  // SpamAssassin's address parser finds no address in "@ (Unverified)": a local part and a
  // domain are needed.
  if (auto x_sender = firstAddress(view, "X-Sender");
      x_sender && x_sender->find('@') != std::string::npos && x_sender->front() != '@' &&
      x_sender->back() != '@') {
    for (const auto& h : view.headers) {
      if (iequals(h.name, "Received") && h.decoded.find("(fetchmail") != std::string_view::npos)
        return std::nullopt;
    }
  }
  if (auto sender = firstAddress(view, "X-Envelope-From")) {
    if (afterReceived(view, "X-Envelope-From")) return std::nullopt;
    return sender;
  }
  for (std::string_view name : {"Envelope-Sender", "Return-Path"}) {
    auto sender = firstAddress(view, name);
    if (sender && !afterReceived(view, name)) return sender;
  }
  return std::nullopt;
}

Relay relayFrom(mime::ReceivedRelay&& parsed) {
  Relay relay;
  relay.ip = std::move(parsed.ip);
  relay.rdns = std::move(parsed.rdns);
  relay.helo = std::move(parsed.helo);
  relay.by = std::move(parsed.by);
  relay.ident = std::move(parsed.ident);
  relay.has_envfrom = parsed.envfrom.has_value();
  if (parsed.envfrom) relay.envfrom = std::move(*parsed.envfrom);
  relay.id = std::move(parsed.id);
  relay.auth = std::move(parsed.auth);
  relay.ip_private = parsed.ip_private;
  relay.no_reverse_dns = parsed.no_reverse_dns;
  return relay;
}

// The client that connected to us, as SpamAssassin would read the Received field we are about to
// add for it: IPv4-mapped addresses as IPv4, no trailing dot on the name, stripped bytes as '!'.
Relay firstHandRelay(const FirstHandClient& client, const ContentView& view) {
  Relay relay;
  std::string_view address = client.address;
  if (istartsWith(address, "::ffff:") && address.find('.') != std::string_view::npos) {
    address.remove_prefix(7);
  }
  std::string_view rdns = client.rdns;
  while (!rdns.empty() && rdns.back() == '.') rdns.remove_suffix(1);
  relay.ip = mime::relayFieldText(address);
  relay.rdns = mime::relayFieldText(rdns);
  relay.helo = mime::relayFieldText(client.helo);
  relay.by = mime::relayFieldText(client.by);
  relay.id = client.id;
  if (!client.auth_user.empty()) {
    relay.auth = std::string(client.esmtp ? "ESMTP" : "SMTP") + (client.tls ? "S" : "") + "A";
  }
  if (view.envelope_from) {
    relay.has_envfrom = true;
    relay.envfrom = mime::relayFieldText(*view.envelope_from);
  }
  relay.ip_private = mime::isPrivateIp(relay.ip);
  relay.no_reverse_dns = relay.rdns.empty();
  relay.first_hand = true;
  return relay;
}

// Mail::SpamAssassin::Message::Metadata::parse_received_headers: the walk from the nearest relay
// outwards, trust ending at the first relay that is not trusted (or inferred to be).
class TrustWalk {
 public:
  TrustWalk(const RelayTrust& trust, RelayModel& model) : trust_(trust), model_(model) {
    configured_ = trust.trusted_set || trust.internal_set;
    trusted_ = trust.trusted_set ? &trust.trusted : &trust.internal;
    internal_ = trust.internal_set ? &trust.internal : &trust.trusted;
  }

  void skipped(const mime::ReceivedParse& parse) {
    if (parse.kind == mime::ReceivedParse::Kind::Unparseable) ++model_.unparseable;
    if (parse.mail_fetcher && allow_fetch_markers_) {
      model_.trusted.clear();
      model_.internal.clear();
      model_.external.clear();
    }
    if (in_trusted_) ++model_.last_trusted_index;
    if (in_internal_) ++model_.last_internal_index;
  }

  void place(Relay relay) {
    if (in_trusted_ && !found_msa_) decideTrust(relay);
    relay.internal = in_internal_;
    relay.trusted = in_trusted_;
    model_.relays.push_back(relay);
    if (in_trusted_) {
      model_.trusted.push_back(relay);
      allow_fetch_markers_ = true;
      ++model_.last_trusted_index;
    } else {
      model_.untrusted.push_back(relay);
      allow_fetch_markers_ = false;
    }
    if (in_internal_) {
      model_.internal.push_back(std::move(relay));
      ++model_.last_internal_index;
    } else {
      model_.external.push_back(std::move(relay));
    }
  }

 private:
  void decideTrust(Relay& relay) {
    const bool authenticated = truthy(relay.auth);
    if (!configured_) {
      if (!relay.ip_private && !authenticated) in_trusted_ = in_internal_ = false;
      return;
    }
    if (!authenticated && !trusted_->contains(relay.ip)) {
      in_trusted_ = in_internal_ = false;
      return;
    }
    if (in_internal_ && !authenticated && !internal_->contains(relay.ip)) in_internal_ = false;
    if (trust_.msa.contains(relay.ip)) {
      found_msa_ = true;
      relay.msa = true;
    }
  }

  const RelayTrust& trust_;
  RelayModel& model_;
  bool configured_ = false;
  const RelayNetworks* trusted_ = nullptr;
  const RelayNetworks* internal_ = nullptr;
  bool in_trusted_ = true;
  bool in_internal_ = true;
  bool found_msa_ = false;
  bool allow_fetch_markers_ = true;
};

}  // namespace

Status RelayNetworks::add(std::string_view entry) {
  Entry parsed;
  if (!entry.empty() && entry.front() == '!') {
    parsed.excluded = true;
    entry.remove_prefix(1);
  }
  std::string text(entry);
  if (text.size() > 2 && text.front() == '[') {
    const size_t close = text.find(']');
    if (close != std::string::npos) text = text.substr(1, close - 1) + text.substr(close + 1);
  }
  if (Status added = parsed.network.add(expandShortIpv4(text)); !added) return added;
  entries_.push_back(std::move(parsed));
  return Status::success();
}

bool RelayNetworks::contains(std::string_view ip) const {
  for (const auto& entry : entries_) {
    if (entry.network.find(ip)) return !entry.excluded;
  }
  return false;
}

std::string Relay::asString() const {
  std::string out;
  appendTo(out);
  return out;
}

void Relay::appendTo(std::string& out) const {
  const std::string_view env = truthy(envfrom) ? std::string_view(envfrom) : std::string_view();
  for (std::string_view part :
       {std::string_view("[ ip="), std::string_view(ip), std::string_view(" rdns="),
        std::string_view(rdns), std::string_view(" helo="), std::string_view(helo),
        std::string_view(" by="), std::string_view(by), std::string_view(" ident="),
        std::string_view(ident), std::string_view(" envfrom="), env,
        std::string_view(internal ? " intl=1 id=" : " intl=0 id="), std::string_view(id),
        std::string_view(" auth="), std::string_view(auth),
        std::string_view(msa ? " msa=1 ]" : " msa=0 ]")}) {
    out.append(part);
  }
}

std::string RelayModel::join(const std::vector<Relay>& relays) {
  std::string out;
  out.reserve(relays.size() * 128);
  for (const auto& relay : relays) {
    if (!out.empty()) out += ' ';
    relay.appendTo(out);
  }
  return out;
}

RelayTrust relayTrustOf(const std::vector<Setting>& settings,
                        const std::vector<std::string>& trusted,
                        const std::vector<std::string>& internal,
                        const std::vector<std::string>& msa, std::vector<Diagnostic>& problems) {
  RelayTrust trust;
  struct Target {
    std::string_view name;
    RelayNetworks* list;
    bool* set;
  };
  bool msa_set = false;
  const Target targets[] = {{"trusted_networks", &trust.trusted, &trust.trusted_set},
                            {"internal_networks", &trust.internal, &trust.internal_set},
                            {"msa_networks", &trust.msa, &msa_set}};
  for (const auto& setting : settings) {
    if (setting.name == "originating_ip_headers") {
      for (std::string_view name : split(setting.value, ' ')) {
        bool known = name.empty();
        for (const auto& have : trust.originating_ip_headers) known = known || iequals(have, name);
        if (!known) trust.originating_ip_headers.emplace_back(name);
      }
      continue;
    }
    if (setting.name == "clear_originating_ip_headers") {
      trust.originating_ip_headers.clear();
      continue;
    }
    if (setting.name == "envelope_sender_header") {
      trust.envelope_sender_header = std::string(trim(setting.value));
      continue;
    }
    for (const auto& target : targets) {
      if (setting.name == "clear_" + std::string(target.name)) {
        *target.list = RelayNetworks();
        *target.set = false;
      }
      if (setting.name != target.name) continue;
      for (std::string_view entry : split(setting.value, ' ')) {
        if (entry.empty()) continue;
        if (Status added = target.list->add(entry); !added) {
          problems.push_back({Severity::Warning, setting.where,
                              std::string(target.name) + ": " + added.error + "; entry left out"});
        } else {
          *target.set = true;
        }
      }
    }
  }
  const std::pair<const std::vector<std::string>*, const Target*> configured[] = {
      {&trusted, &targets[0]}, {&internal, &targets[1]}, {&msa, &targets[2]}};
  for (const auto& [entries, target] : configured) {
    for (const auto& entry : *entries) {
      if (target->list->add(entry)) *target->set = true;
    }
  }
  // SpamAssassin always counts the loopback networks as trusted and internal.
  for (RelayNetworks* list : {&trust.trusted, &trust.internal}) {
    list->add("127.0.0.0/8");
    list->add("::1");
  }
  return trust;
}

bool isRelayHeaderSection(std::string_view name) {
  return name == "ALL-TRUSTED" || name == "ALL-UNTRUSTED" || name == "ALL-INTERNAL" ||
         name == "ALL-EXTERNAL";
}

std::optional<std::string> relayHeaderSection(const ContentView& view, const RelayModel& model,
                                              std::string_view name) {
  if (!isRelayHeaderSection(name)) return std::nullopt;
  const bool trust = name == "ALL-TRUSTED" || name == "ALL-UNTRUSTED";
  const int boundary = (trust ? model.last_trusted_index : model.last_internal_index) + 1;
  const bool upper = name == "ALL-TRUSTED" || name == "ALL-INTERNAL";
  // Our own Received field (index 0 of the model) is not in the message yet.
  int received = view.client ? 0 : -1;
  if (upper && received == boundary) return std::nullopt;
  std::string out;
  for (const auto& h : view.headers) {
    if (iequals(h.name, "Received")) ++received;
    const bool in_range = upper ? received <= boundary : received >= boundary;
    if (!in_range) continue;
    out.append(h.name).append(": ");
    bool space = false;
    for (char c : h.decoded) {
      if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
        space = true;
        continue;
      }
      if (space && !out.empty() && out.back() != ' ') out += ' ';
      space = false;
      out += c;
    }
    out += '\n';
    if (upper && received == boundary) break;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

RelayModel buildRelayModel(const ContentView& view, const RelayTrust& trust) {
  RelayModel model;
  TrustWalk walk(trust, model);
  if (view.client) walk.place(firstHandRelay(*view.client, view));

  std::vector<std::string_view> fields;
  for (const auto& h : view.headers) {
    if (iequals(h.name, "Received")) fields.push_back(h.decoded);
  }
  std::vector<std::string> synthetic;  // reserved: `fields` holds views into it
  synthetic.reserve(trust.originating_ip_headers.size());
  for (const auto& name : trust.originating_ip_headers) {
    auto value = lastValue(view, name);
    if (!value) continue;
    if (auto field = mime::originatingIpReceived(*value)) {
      synthetic.push_back(std::move(*field));
      fields.push_back(synthetic.back());
    }
  }

  std::optional<std::string> qmail_scanner_envfrom;
  for (const auto& field : fields) {
    std::optional<std::string> carried = std::move(qmail_scanner_envfrom);
    qmail_scanner_envfrom.reset();
    mime::ReceivedParse parse = mime::parseReceived(field);
    if (parse.qmail_scanner) qmail_scanner_envfrom = parse.qmail_scanner_envfrom;
    if (parse.kind != mime::ReceivedParse::Kind::Relay) {
      walk.skipped(parse);
      continue;
    }
    Relay relay = relayFrom(std::move(parse.relay));
    if (carried && truthy(*carried)) {
      relay.has_envfrom = true;
      relay.envfrom = *carried;
    }
    walk.place(std::move(relay));
  }

  if (auto sender = envelopeFrom(view, trust, model)) {
    model.envelope_from = *sender;
    model.envelope_from_known = true;
  }
  return model;
}

}  // namespace portcullis::content
