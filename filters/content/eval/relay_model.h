// The relay model of one message, with SpamAssassin's semantics
// (Mail::SpamAssassin::Message::Metadata::Received): every Received field parsed into a relay
// (gateway/mime/received.h), nearest to us first, split by the configured trust into trusted and
// untrusted relays and into internal and external ones. trusted_networks, internal_networks and
// msa_networks come from the rule files' settings and from [checks.content]; when none is set,
// SpamAssassin's inference applies. When the client that connected to us is known first-hand
// (SMTP session, milter), it is the nearest relay, with its verified rDNS, HELO and AUTH, and no
// header can override what we saw ourselves. Computed once per message (eval/message_facts.h),
// read by the X-Spam-Relays-* pseudo-headers, the relay evals and every check that wants the last
// external address.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "filters/content/content_view.h"
#include "gateway/base/result.h"
#include "gateway/core/network_list.h"

namespace portcullis::content {

// A list of networks as SpamAssassin writes them (Mail::SpamAssassin::NetSet): addresses, CIDR
// prefixes, the short forms "10." and "192.168/16", brackets around IPv6, and exclusions with a
// leading '!'; the first entry that contains an address decides.
class RelayNetworks {
 public:
  // Adds one entry, or says why it is malformed (then nothing is added).
  Status add(std::string_view entry);
  bool contains(std::string_view ip) const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    NetworkList network;
    bool excluded = false;
  };
  std::vector<Entry> entries_;
};

// The networks that decide trust, as configured; unset lists mean "infer" (see above).
struct RelayTrust {
  RelayNetworks trusted;   // trusted_networks: relays here do not forge Received fields
  RelayNetworks internal;  // internal_networks: our own (a subset of trusted)
  RelayNetworks msa;       // msa_networks: mail submission agents, whose clients are trusted
  bool trusted_set = false;
  bool internal_set = false;
  // originating_ip_headers: single-IP headers (X-Originating-IP, ...) read as the oldest relays.
  std::vector<std::string> originating_ip_headers;
  // envelope_sender_header: the one header to read the envelope sender from, when set.
  std::optional<std::string> envelope_sender_header;
};

// One hop: what a Received field (or our own session) says about the client that handed the
// message on, in SpamAssassin's terms.
struct Relay {
  std::string ip;
  std::string rdns;  // reverse name as the receiving host recorded it ("" when none)
  std::string helo;
  std::string by;  // the receiving host
  std::string ident;
  std::string envfrom;      // envelope sender, when recorded
  std::string id;           // the receiving host's queue id
  std::string auth;         // authentication mechanism or identity, when recorded
  bool ip_private = false;  // RFC 1918, loopback, link-local and the like
  bool internal = false;    // intl=1
  bool msa = false;         // msa=1
  bool trusted = false;
  bool has_envfrom = false;     // the field recorded an envelope sender (maybe "")
  bool no_reverse_dns = false;  // the receiving host looks rDNS up and found none
  bool first_hand = false;      // the client that connected to us, not read from a header

  // `[ ip=... rdns=... helo=... by=... ident=... envfrom=... intl=0 id=... auth=... msa=0 ]`
  std::string asString() const;
  // Appends asString() to `out`.
  void appendTo(std::string& out) const;
};

struct RelayModel {
  std::vector<Relay> relays;         // every parsed relay, nearest first
  std::vector<Relay> trusted;        // the leading run of trusted relays
  std::vector<Relay> untrusted;      // the rest
  std::vector<Relay> internal;       // the leading run of internal relays
  std::vector<Relay> external;       // the rest
  int unparseable = 0;               // Received fields that described a relay but could not be read
  std::string envelope_from;         // SpamAssassin's EnvelopeFrom pseudo-header ("" when unknown)
  bool envelope_from_known = false;  // false: EnvelopeFrom is undefined
  // SpamAssassin's last_trusted_relay_index and last_internal_relay_index: how many Received
  // fields from the top (minus one) belong to the trusted (internal) part, -1 when none.
  int last_trusted_index = -1;
  int last_internal_index = -1;

  // The pseudo-header lines, each relay's asString() joined by spaces.
  static std::string join(const std::vector<Relay>& relays);
  bool allTrusted() const { return !relays.empty() && untrusted.empty(); }
};

// The trust of a rule set: its trusted_networks, internal_networks and msa_networks settings
// (`clear_*` empties a list), plus the networks given in the gateway's configuration. An entry
// that is not a network is reported in `problems` with its file:line and left out.
RelayTrust relayTrustOf(const std::vector<Setting>& settings,
                        const std::vector<std::string>& trusted,
                        const std::vector<std::string>& internal,
                        const std::vector<std::string>& msa, std::vector<Diagnostic>& problems);

RelayModel buildRelayModel(const ContentView& view, const RelayTrust& trust);

// SpamAssassin's ALL-TRUSTED, ALL-UNTRUSTED, ALL-INTERNAL and ALL-EXTERNAL: the header fields
// the trusted (internal) relays added, down to the Received field that records the first
// untrusted (external) one, or those from that field on; each "Name: value\n", unfolded. nullopt
// for any other name, or when no field falls in the range.
std::optional<std::string> relayHeaderSection(const ContentView& view, const RelayModel& model,
                                              std::string_view name);
bool isRelayHeaderSection(std::string_view name);

}  // namespace portcullis::content
