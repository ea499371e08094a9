// HeaderEval (Mail::SpamAssassin::Plugin::HeaderEval): tests on the header section: forged
// webmail Received trails, Date against the Received dates, Outlook message ids, ratware
// fingerprints, recipient lists, 8-bit characters, unresolved templates.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/header_values.h"
#include "filters/content/eval/mail_date.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/ok_locales.h"
#include "filters/content/eval/registry_boundaries.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

using Test = std::function<bool(const EvalInput&, std::string*)>;

// An IPv4 or IPv6 address inside text (SpamAssassin's IP_ADDRESS, written for PCRE2).
constexpr const char* kIpAddress =
    "(?:\\b(?<!:)(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?"
    "\\d)){3}\\b|(?:IPv6:|(?<![a-f0-9:]))(?:[a-f0-9]{0,4}:){2,7}(?:[a-f0-9]{1,4}|(?:\\d{1,3}\\.){"
    "3}\\d{1,3})?(?![a-f0-9:]))";

std::string withIp(std::string_view before, std::string_view after) {
  return std::string(before) + kIpAddress + std::string(after);
}

bool search(const PcrePattern& pattern, std::string_view text) {
  return pattern.matches(text);
}

// Perl's quotemeta: every byte but letters, digits, '_' and 8-bit bytes escaped.
std::string perlQuoteMeta(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || static_cast<unsigned char>(c) >= 0x80;
    if (!word) out += '\\';
    out += c;
  }
  return out;
}

std::string squeezedSpaces(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space) {
      out += c;
    } else if (out.empty() || out.back() != ' ') {
      out += ' ';
    }
  }
  return out;
}

// The Received text with whitespace runs squeezed, which several forgery tests read: once per scan.
const std::string& squeezedReceived(const EvalInput& in) {
  struct Squeezed {
    std::string text;
  };
  return in.facts.get<Squeezed>([&in] { return Squeezed{squeezedSpaces(receivedText(in))}; }).text;
}

// The MESSAGEID pseudo-header's values: the ids lists and resenders move, then Message-Id.
std::vector<std::string> messageIds(const EvalInput& in) {
  std::vector<std::string> ids;
  for (std::string_view name :
       {"X-Message-Id", "Resent-Message-Id", "X-Original-Message-ID", "Message-Id"}) {
    const auto& values = unfoldedValues(in, name);
    ids.insert(ids.end(), values.begin(), values.end());
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Mailing lists and gateways that strip Received fields.

bool receivedFieldsRemoved(const EvalInput& in) {
  static const auto ezmlm = perlPattern("(?m)^contact \\S+\\@\\S+\\; run by ezmlm$");
  static const auto list_to = perlPattern("(?m)^mailing list \\S+\\@\\S+");
  static const auto qmail =
      perlPattern("qmail \\d+ invoked (?:from network|by .{3,20})\\); \\d+ ... \\d+");
  static const auto msn = perlPattern("from groups\\.msn\\.com \\(\\S+\\.msn\\.com ");
  const auto& mailing_list = unfoldedValues(in, "Mailing-List");
  const auto& received = unfoldedValues(in, "Received");
  if (!mailing_list.empty() && search(*ezmlm, joinedLines(mailing_list))) {
    if (search(*list_to, joinedLines(unfoldedValues(in, "Delivered-To"))) &&
        search(*qmail, receivedText(in)))
      return true;
  }
  if (received.empty()) return true;
  return search(*msn, receivedText(in));
}

// gated_through_received_hdr_remover, which several forgery tests ask: computed once per scan.
bool gatedThroughReceivedRemover(const EvalInput& in) {
  struct Gated {
    bool gated;
  };
  return in.facts.get<Gated>([&in] { return Gated{receivedFieldsRemoved(in)}; }).gated;
}

bool msnGroupsHeaders(const EvalInput& in) {
  const std::string to = joinedLines(decodedValues(in.view, "To"));
  // <(\S+)\@groups\.msn\.com>: the list name, the longest run of non-spaces before the domain.
  const std::string lower_to = toLower(to);
  const size_t domain = lower_to.find("@groups.msn.com>");
  if (domain == std::string::npos) return false;
  size_t open = to.rfind('<', domain);
  if (open == std::string::npos || domain == open + 1) return false;
  const std::string list = to.substr(open + 1, domain - open - 1);
  if (list.find_first_of(" \t\n\r") != std::string::npos) return false;
  static const auto pickup =
      perlPattern("from mail pickup service by ((?:p\\d\\d\\.)groups\\.msn\\.com)\\b");
  const std::string& received = receivedText(in);
  auto server = pickup->firstMatch(received);
  if (!server) return false;
  const std::string host = server->substr(server->rfind(' ') + 1);
  const std::string message_id = joinedLines(unfoldedValues(in, "Message-Id"));
  if (list == "notifications") {
    auto id = perlPattern("^<\\S+\\@" + host + ">", false, false);
    return id && search(*id, message_id);
  }
  auto id = perlPattern("^<" + list + "-\\S+\\@groups\\.msn\\.com>", false, false);
  auto bounce = perlPattern(list + "-bounce\\@groups\\.msn\\.com", false, false);
  return id && bounce && search(*id, message_id) &&
         search(*bounce, firstAddress(in, "EnvelopeFrom"));
}

// ---------------------------------------------------------------------------------------------
// Forged webmail Received trails.

// Whether `text` contains `part`, ASCII letters compared without case (as PCRE2's caseless
// matching compares them without Unicode tables).
bool containsCaseless(std::string_view text, std::string_view part) {
  const auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  return std::search(text.begin(), text.end(), part.begin(), part.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

struct HotmailVerdict {
  bool forged = false;   // a Received field claims hotmail.com, but no real Hotmail trail
  bool missing = false;  // From is @hotmail.com, but no Hotmail trail at all
};

HotmailVerdict computeHotmailVerdict(const EvalInput& in) {
  HotmailVerdict verdict;
  // Either verdict needs hotmail.com in a Received field or in From: most mail stops here.
  const std::string& received = receivedText(in);
  if (received.find("hotmail.com") == std::string::npos &&
      !containsCaseless(firstAddress(in, "From"), "hotmail.com"))
    return verdict;
  const std::string& rcvd = squeezedReceived(in);
  static const auto pickup =
      perlPattern("from mail pickup service by hotmail\\.com with Microsoft SMTPSVC;");
  if (search(*pickup, rcvd) || msnGroupsHeaders(in)) return verdict;
  static const auto ip_re = perlPattern(kIpAddress, true);
  static const auto orig_re = perlPattern("hotmail\\.com|msonline\\-outlook");
  const auto& ip_values = unfoldedValues(in, "X-Originating-Ip");
  const auto& orig_values = unfoldedValues(in, "X-OriginatorOrg");
  const bool ip = !ip_values.empty() && search(*ip_re, joinedLines(ip_values));
  const bool orig = !orig_values.empty() && search(*orig_re, joinedLines(orig_values));
  if (gatedThroughReceivedRemover(in)) return verdict;
  static const auto hotmail =
      perlPattern("from (?:\\S*\\.)?hotmail.com \\(\\S+\\.hotmail(?:\\.msn)?\\.com[ \\)]");
  static const auto outbound = perlPattern(
      "from \\S*\\.outbound\\.protection\\.outlook\\.com "
      "\\(\\S+\\.outbound\\.protection\\.outlook\\.com[ \\)]");
  static const auto prod =
      perlPattern(withIp("from \\S*\\.(?:eur|nam)prd\\d+\\.prod\\.outlook\\.com \\(", "\\)"));
  static const auto literal = perlPattern(withIp("from \\S*\\.hotmail.com \\(\\[", "\\][ \\):]"));
  static const auto http = perlPattern("from \\S+ by \\S+\\.hotmail(?:\\.msn)?\\.com with HTTP\\;");
  static const auto yahoo = perlPattern("from \\[66\\.218.\\S+\\] by \\S+\\.yahoo\\.com");
  if ((ip && (search(*hotmail, rcvd) || search(*literal, rcvd) || search(*http, rcvd) ||
              search(*yahoo, rcvd))) ||
      (orig && (search(*outbound, rcvd) || search(*prod, rcvd))))
    return verdict;
  static const auto claims = perlPattern("(?:from |HELO |helo=)\\S*hotmail\\.com\\b");
  static const auto from_hotmail = perlPattern("\\bhotmail\\.com$", true);
  if (search(*claims, rcvd)) {
    verdict.forged = true;
  } else if (search(*from_hotmail, firstAddress(in, "From"))) {
    verdict.missing = true;
  }
  return verdict;
}

// Both Hotmail tests read one verdict: computed once per scan.
const HotmailVerdict& hotmailVerdict(const EvalInput& in) {
  return in.facts.get<HotmailVerdict>([&in] { return computeHotmailVerdict(in); });
}

bool forgedEudoramail(const EvalInput& in) {
  static const auto from_re = perlPattern("\\beudoramail\\.com$", true);
  if (!search(*from_re, firstAddress(in, "From"))) return false;
  const std::string& rcvd = squeezedReceived(in);
  static const auto ip_re = perlPattern(kIpAddress, true);
  const auto& ip_values = unfoldedValues(in, "X-Sender-Ip");
  const bool ip = !ip_values.empty() && search(*ip_re, joinedLines(ip_values));
  if (gatedThroughReceivedRemover(in)) return false;
  static const auto whowhere = perlPattern("by \\S*whowhere.com\\;");
  return !(search(*whowhere, rcvd) && ip);
}

// Whether an rDNS name looks like a Yahoo! host: \S+\.yahoo\.com, case as recorded.
bool yahooName(std::string_view rdns) {
  constexpr std::string_view kSuffix = ".yahoo.com";
  return rdns.size() > kSuffix.size() && rdns.substr(rdns.size() - kSuffix.size()) == kSuffix;
}

bool forgedYahoo(const EvalInput& in) {
  const std::string from = firstAddress(in, "From");
  static const auto from_re = perlPattern("\\byahoo\\.com$", true);
  if (!search(*from_re, from)) return false;
  std::string rcvd = receivedText(in);
  if (!joinedLines(decodedValues(in.view, "Resent-From")).empty() &&
      !joinedLines(decodedValues(in.view, "Resent-To")).empty()) {
    std::string x_received = joinedLines(unfoldedValues(in, "X-Received"));
    if (!x_received.empty()) rcvd = std::move(x_received);
  }
  rcvd = squeezedSpaces(std::move(rcvd));
  if (gatedThroughReceivedRemover(in)) return false;
  const RelayModel& relays = in.facts.relays();
  for (const auto& relay : relays.trusted) {
    if (yahooName(relay.rdns)) return false;
  }
  if (!relays.untrusted.empty() && yahooName(relays.untrusted.front().rdns)) return false;
  static const auto web = perlPattern("by web\\S+\\.mail\\S*\\.yahoo\\.com via HTTP");
  static const auto sonic = perlPattern("by sonic\\S+\\.consmr\\.mail\\S*\\.yahoo\\.com with HTTP");
  static const auto smtp = perlPattern("by smtp\\S+\\.yahoo\\.com with SMTP");
  static const auto groups =
      perlPattern(withIp("from \\[", "\\] by \\S+\\.(?:groups|scd|dcn)\\.yahoo\\.com with NNFMP"));
  static const auto bulk = perlPattern("\\bmailer\\d+\\.bulk\\.scd\\.yahoo\\.com\\b");
  static const auto reply = perlPattern("\\@reply\\.yahoo\\.com$", true);
  static const auto story = perlPattern(
      "by \\w+\\.\\w+\\.yahoo\\.com \\(\\d+\\.\\d+\\.\\d+\\/\\d+\\.\\d+\\.\\d+\\)(?: with ESMTP)? "
      "id \\w+");
  if (search(*web, rcvd) || search(*sonic, rcvd) || search(*smtp, rcvd) || search(*groups, rcvd))
    return false;
  if (search(*bulk, rcvd) && search(*reply, from)) return false;
  return !search(*story, rcvd);
}

bool forgedJuno(const EvalInput& in) {
  static const auto from_re = perlPattern("\\bjuno\\.com$", true);
  if (!search(*from_re, firstAddress(in, "From"))) return false;
  if (gatedThroughReceivedRemover(in)) return false;
  const std::string xorig = joinedLines(unfoldedValues(in, "X-Originating-IP"));
  const std::string xmailer = joinedLines(decodedValues(in.view, "X-Mailer"));
  const std::string& rcvd = receivedText(in);
  if (!xorig.empty()) {
    static const auto juno =
        perlPattern(withIp("from.*\\b(?:juno|untd)\\.com.*[\\[\\(]", "[\\]\\)].*by"));
    static const auto cookie = perlPattern(" cookie\\.(?:juno|untd)\\.com ");
    if (!search(*juno, rcvd) && !search(*cookie, rcvd)) return true;
    return xmailer.find("Juno ") == std::string::npos;
  }
  // Without X-Originating-IP the last step of SpamAssassin's test always fails, whatever the
  // Received trail says: such a message is forged.
  return true;
}

bool forgedGmail(const EvalInput& in) {
  static const auto from_re = perlPattern("\\bgmail\\.com$", true);
  if (!search(*from_re, firstAddress(in, "From"))) return false;
  const std::string state = joinedLines(unfoldedValues(in, "X-Gm-Message-State"));
  const std::string source = joinedLines(unfoldedValues(in, "X-Google-Smtp-Source"));
  const std::string x_received = joinedLines(unfoldedValues(in, "X-Received"));
  static const auto internal = perlPattern("by 10\\.\\S+ with SMTP id \\S+");
  static const auto internal6 = perlPattern("by 2002\\:a\\d\\d\\:\\w+\\:\\S+ with SMTP id \\S+");
  static const auto submission = perlPattern("by smtp\\.googlemail\\.com with ESMTPSA id \\S+");
  if (search(*internal, x_received) || search(*internal6, x_received) ||
      search(*submission, receivedText(in)))
    return false;
  return !(state.size() >= 60 && source.size() >= 60);
}

// A gw05-style forgery: the oldest Received field, below at least one other, says
// "from HOST by NAME with ESMTP; DATE" with a dotless NAME.
bool forgedGw05(const EvalInput& in) {
  const std::vector<std::string>& received = unfoldedValues(in, "Received");
  if (received.size() < 2) return false;
  static const auto shape = perlPattern(
      "^from\\s\\S+\\sby\\s\\S+\\swith\\sESMTP\\;\\s+\\S\\S\\S,\\s+\\d+\\s+\\S\\S\\S\\s+\\d{4}\\s+"
      "\\d\\d:\\d\\d:\\d\\d\\s+[-+]*\\d{4}$");
  const std::string& oldest = received.back();
  if (!shape->matches(oldest)) return false;
  // The fourth word is the receiving host.
  size_t at = 0;
  for (int word = 0; word < 3; ++word) {
    at = oldest.find_first_of(" \t", at);
    at = oldest.find_first_not_of(" \t", at);
  }
  const size_t end = oldest.find_first_of(" \t", at);
  return oldest.substr(at, end - at).find('.') == std::string::npos;
}

bool fakeAolRelay(const EvalInput& in) {
  const std::string& rcvd = squeezedReceived(in);
  static const auto relay = perlPattern(" rly-[a-z][a-z]\\d\\d\\.", true);
  static const auto via_aol = perlPattern("\\/AOL-\\d+\\.\\d+\\.\\d+\\)");
  static const auto aolish = perlPattern("ESMTP id (?:RELAY|MAILRELAY|MAILIN)");
  return search(*relay, rcvd) && !search(*via_aol, rcvd) && !search(*aolish, rcvd);
}

// ---------------------------------------------------------------------------------------------
// Dates.

// The Date (or Resent-Date) against the Received dates, as SpamAssassin measures it.
struct DateFacts {
  std::optional<int64_t> header_time;
  std::vector<int64_t> received_times;
  int64_t diff = 0;  // header time minus the nearest Received time; 0 when either is missing
};

std::optional<int64_t> headerDate(const EvalInput& in) {
  for (std::string_view name : {"Resent-Date", "Date"}) {
    for (const auto& value : unfoldedValues(in, name)) {
      if (value.empty()) continue;
      if (auto time = parseMailDate(value)) return time;
    }
  }
  return std::nullopt;
}

std::vector<int64_t> receivedTimes(const EvalInput& in) {
  std::vector<std::string_view> received;  // into the values kept for the scan
  for (const auto& value : unfoldedValues(in, "Received")) {
    if (value.find_first_not_of(" \t\r\n\f\v") != std::string::npos) received.push_back(value);
  }
  if (received.empty()) return {};
  // Fetchmail and local delivery hops at the top carry the time of retrieval, not of sending.
  static const auto local_from =
      perlPattern("\\bfrom (?:localhost\\s|(?:\\S+ ){1,2}\\S*\\b127\\.0\\.0\\.1\\b)");
  static const auto qmail_local = perlPattern("qmail \\d+ invoked by uid \\d+");
  static const auto fetchmail = perlPattern("\\bby localhost with \\w+ \\(fetchmail-[\\d.]+");
  size_t first = 0;
  bool local = false;
  if (search(*local_from, received[0]) || search(*qmail_local, received[0])) {
    local = true;
    first = 1;
  }
  if (first < received.size() && search(*fetchmail, received[first])) {
    ++first;
  } else if (local) {
    first = 0;
  }
  static const auto stamp = perlPattern("\\s.?\\d+ \\S\\S\\S \\d+ \\d+:\\d+:\\d+ \\S+");
  std::vector<int64_t> times;
  for (size_t i = first; i < received.size(); ++i) {
    if (auto date = stamp->firstMatch(received[i])) {
      if (auto time = parseMailDate(*date)) times.push_back(*time);
    }
  }
  return times;
}

DateFacts dateFacts(const EvalInput& in) {
  DateFacts facts;
  facts.header_time = headerDate(in);
  if (!facts.header_time) return facts;
  facts.received_times = receivedTimes(in);
  if (facts.received_times.empty()) return facts;
  std::vector<int64_t> diffs;
  for (int64_t t : facts.received_times) diffs.push_back(*facts.header_time - t);
  if (diffs.size() > 1 && diffs.back() == 0) diffs.pop_back();
  std::stable_sort(diffs.begin(), diffs.end(),
                   [](int64_t a, int64_t b) { return std::llabs(a) < std::llabs(b); });
  facts.diff = diffs.front();
  return facts;
}

// A bound of a range argument: a number, or 'undef' for none (nullopt when neither).
std::optional<std::optional<double>> boundArgument(const std::string& text) {
  if (text == "undef") return std::optional<double>();
  double value = 0;
  if (!evalNumber(text, value)) return std::nullopt;
  return std::optional<double>(value);
}

std::string hoursText(int64_t seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f", static_cast<double>(seconds) / 3600.0);
  return buffer;
}

// MSGID_OUTLOOK_INVALID: the time Outlook encodes in its Message-ID against Date and Received.
bool outlookMessageIdInvalid(const EvalInput& in, std::string* evidence) {
  const std::vector<std::string> ids = messageIds(in);
  if (ids.empty()) return false;
  const std::string& id = ids.front();
  auto hex = [&id](size_t from, size_t count) {
    if (id.size() < from + count) return false;
    for (size_t i = from; i < from + count; ++i) {
      const char c = id[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  };
  // <XXXXtttttttt$XXXXXXXX$XXXXXXXX@
  if (id.empty() || id[0] != '<' || !hex(1, 12) || id.size() < 32 || id[13] != '$' || !hex(14, 8) ||
      id[22] != '$' || !hex(23, 8) || id[31] != '@')
    return false;
  const double token = static_cast<double>(std::stoull(id.substr(5, 8), nullptr, 16));
  auto expected = [](int64_t time) {
    return std::trunc(static_cast<double>(time) * 0.0023283064365387 + 27111902.8329849);
  };
  constexpr double kFudge = 250;
  const int64_t date = parseMailDate(joinedLines(unfoldedValues(in, "Date"))).value_or(0);
  if (std::fabs(token - expected(date)) < kFudge) return false;
  // SpamAssassin reads the first date of all Received fields together here.
  const int64_t received = parseMailDate(receivedText(in)).value_or(0);
  if (std::fabs(token - expected(received)) < kFudge) return false;
  if (evidence) *evidence = "Message-ID time stamp matches neither Date nor Received";
  return true;
}

// ---------------------------------------------------------------------------------------------
// Recipients.

struct RecipientFacts {
  bool sorted = false;
  double similar = 0;
};

RecipientFacts recipientFacts(const EvalInput& in) {
  constexpr size_t kSortedCount = 7, kSimilarCount = 5, kSimilarLength = 2;
  std::vector<std::string> inputs;
  for (std::string_view name : {"To", "Cc"}) {
    const auto& addresses = headerAddresses(in, name);
    inputs.insert(inputs.end(), addresses.begin(), addresses.end());
  }
  if (inputs.size() < kSimilarCount) {
    const auto& bcc = headerAddresses(in, "Bcc");
    inputs.insert(inputs.end(), bcc.begin(), bcc.end());
  }
  std::vector<std::string> addresses;
  std::string previous;
  for (auto& current : inputs) {
    if (current.empty() || current == "0") break;  // Perl's loop ends on a false value
    if (toLower(current) != toLower(previous)) {
      previous = current;
      addresses.push_back(std::move(current));
    }
    if (addresses.size() == 256) break;
  }
  RecipientFacts facts;
  std::vector<std::string> sorted = addresses;
  std::sort(sorted.begin(), sorted.end());
  facts.sorted = addresses.size() >= kSortedCount && sorted == addresses;
  if (addresses.size() < kSimilarCount) return facts;
  std::vector<std::string> users, hosts, fqhns;
  for (const auto& a : addresses) {
    users.push_back(a.substr(0, kSimilarLength));
    const size_t at = a.find('@');
    if (at != std::string::npos) fqhns.push_back(a.substr(at + 1));
  }
  for (const auto& f : fqhns) hosts.push_back(f.substr(0, kSimilarLength));
  // Addresses without '@' shift the host list against the address list, as in SpamAssassin.
  auto item = [](const std::vector<std::string>& list, size_t i) {
    return i < list.size() ? list[i] : std::string();
  };
  double hits = 0, combinations = 0;
  for (size_t i = 0; i < addresses.size(); ++i) {
    for (size_t j = i + 1; j < addresses.size(); ++j) {
      if (users[i] == users[j]) ++hits;
      if (item(hosts, i) == item(hosts, j) && item(fqhns, i) != item(fqhns, j)) ++hits;
      ++combinations;
    }
  }
  facts.similar = hits / combinations;
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Characters and templates.

bool validUtf8(std::string_view s) {
  size_t i = 0;
  auto tail = [&s](size_t at, unsigned char lo, unsigned char hi) {
    return at < s.size() && static_cast<unsigned char>(s[at]) >= lo &&
           static_cast<unsigned char>(s[at]) <= hi;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
    } else if (c >= 0xc2 && c <= 0xdf && tail(i + 1, 0x80, 0xbf)) {
      i += 2;
    } else if (c == 0xe0 && tail(i + 1, 0xa0, 0xbf) && tail(i + 2, 0x80, 0xbf)) {
      i += 3;
    } else if (((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) && tail(i + 1, 0x80, 0xbf) &&
               tail(i + 2, 0x80, 0xbf)) {
      i += 3;
    } else if (c == 0xed && tail(i + 1, 0x80, 0x9f) && tail(i + 2, 0x80, 0xbf)) {
      i += 3;
    } else if (c == 0xf0 && tail(i + 1, 0x90, 0xbf) && tail(i + 2, 0x80, 0xbf) &&
               tail(i + 3, 0x80, 0xbf)) {
      i += 4;
    } else if (c >= 0xf1 && c <= 0xf3 && tail(i + 1, 0x80, 0xbf) && tail(i + 2, 0x80, 0xbf) &&
               tail(i + 3, 0x80, 0xbf)) {
      i += 4;
    } else if (c == 0xf4 && tail(i + 1, 0x80, 0x8f) && tail(i + 2, 0x80, 0xbf) &&
               tail(i + 3, 0x80, 0xbf)) {
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

bool isControl(unsigned char c) {
  return c <= 0x08 || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f);
}

// check_illegal_chars: unencoded 8-bit bytes and control characters against the field's length;
// valid UTF-8 without controls is legal (RFC 6532).
bool illegalChars(const ContentView& view, const std::string& header, double ratio, double count,
                  std::string* evidence) {
  const auto text = headerText(view, header, HeaderForm::Raw);
  if (!text || text->find_first_not_of(" \t\r\n\f\v") == std::string::npos) return false;
  // One pass over the text: most of it is plain ASCII without controls.
  bool non_ascii = false, controls = false;
  size_t illegal_count = 0, exempt_count = 0;
  for (unsigned char c : *text) {
    const bool control = isControl(c);
    controls = controls || control;
    non_ascii = non_ascii || c >= 0x80;
    if (control || c >= 0x7f) ++illegal_count;
    if (c == 0xa2 || c == 0xa3 || c == 0xae) ++exempt_count;
  }
  if (non_ascii && !controls && validUtf8(*text)) return false;
  double illegal = static_cast<double>(illegal_count);
  const double exempt = static_cast<double>(exempt_count);
  if (illegal > 0 && iequals(header, "Subject") && exempt == 1) --illegal;
  const bool hit = illegal / static_cast<double>(text->size()) >= ratio && illegal >= count;
  if (hit && evidence) {
    *evidence = header + " has " + std::to_string(static_cast<int>(illegal)) +
                " unencoded 8-bit or control characters";
  }
  return hit;
}

bool subjectAllCaps(const ContentView& view) {
  std::string subject = joinedLines(decodedValues(view, "Subject"));
  const size_t begin = subject.find_first_not_of(" \t\r\n\f\v");
  if (begin == std::string::npos) return false;
  subject = subject.substr(begin, subject.find_last_not_of(" \t\r\n\f\v") - begin + 1);
  static const auto prefixes =
      perlPattern("^(?:(?:Re|Fwd|Fw|Aw|Antwort|WG|SV|VB|VS|VL):\\s*)+", true);
  if (auto prefix = prefixes->firstMatch(subject)) subject.erase(0, prefix->size());
  if (subject.find_first_of(" \t\r\n\f\v") == std::string::npos) return false;
  if (subject.size() < 10) return false;
  std::string letters;
  for (char c : subject) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) letters += c;
  }
  static const auto caps_charset = perlPattern(
      "=\\?[-_a-z0-9]*(?:koi|jp|jis|euc|gb|big5|isoir|cp1251|windows-1251|georgianps|pt154|tis)"
      "[-_a-z0-9]*\\?",
      true);
  std::string raw;
  for (const auto& h : view.headers) {
    if (iequals(h.name, "Subject")) raw.append(h.raw) += '\n';
  }
  if (search(*caps_charset, raw)) return false;
  return !letters.empty() && letters == toUpper(letters);
}

bool unresolvedTemplate(const ContentView& view, std::string* evidence) {
  static const std::set<std::string> kExempt = {"x-vms-to",
                                                "x-uidl",
                                                "x-face",
                                                "to",
                                                "cc",
                                                "from",
                                                "subject",
                                                "references",
                                                "in-reply-to",
                                                "message-id",
                                                "x-message-id",
                                                "resent-message-id",
                                                "x-original-message-id"};
  auto templated = [](std::string_view line) {
    for (size_t i = 0; i + 2 < line.size(); ++i) {
      const char a = line[i + 1], b = line[i + 2];
      if (line[i] == '%' && a >= 'A' && a <= 'Z' &&
          ((b >= 'A' && b <= 'Z') || b == '_' || b == '-'))
        return true;
    }
    return false;
  };
  for (const auto& h : view.headers) {
    // No match spans the ": " joining the name and the value (neither char is '%', 'A'-'Z').
    if (!templated(h.name) && !templated(h.decoded)) continue;
    if (kExempt.count(toLower(h.name)) > 0) continue;
    if (evidence) *evidence = "unresolved template in " + std::string(h.name);
    return true;
  }
  return false;
}

// check_for_faraway_charset_in_headers: encoded words in From or Subject in a charset none of
// the configured locales (ok_locales) reads.
bool farawayCharsetInHeaders(const ContentView& view, const OkLocales& locales,
                             std::string* evidence) {
  for (const auto& h : view.headers) {
    if (!iequals(h.name, "From") && !iequals(h.name, "Subject")) continue;
    std::string_view raw = h.raw;
    for (size_t at = raw.find("=?"); at != std::string_view::npos; at = raw.find("=?", at + 2)) {
      const size_t end = raw.find('?', at + 3);
      if (end == std::string_view::npos || end + 2 >= raw.size() || raw[end + 2] != '?') continue;
      const std::string_view charset = raw.substr(at + 2, end - at - 2);
      if (charset.find('\n') != std::string_view::npos) continue;
      if (raw.find("?=", end + 3) == std::string_view::npos) continue;
      if (!charsetOkForLocales(charset, locales)) {
        if (evidence) *evidence = std::string(h.name) + " in charset " + std::string(charset);
        return true;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Senders.

// The part after the last '@', cut to its last two labels when it has more.
std::string secondLevelDomain(const std::string& address) {
  const size_t at = address.rfind('@');
  if (at == std::string::npos) return {};
  std::string domain = address.substr(at + 1);
  const size_t last = domain.rfind('.');
  if (last != std::string::npos && last > 0) {
    const size_t previous = domain.rfind('.', last - 1);
    if (previous != std::string::npos && previous > 0 && previous + 1 < last &&
        last + 1 < domain.size())
      domain = domain.substr(previous + 1);
  }
  return domain;
}

bool ratwareNameId(const EvalInput& in) {
  const std::string message_ids = joinedLines(messageIds(in));
  // <[A-Z]{28}\.([^>]+?)>
  for (size_t open = message_ids.find('<'); open != std::string::npos;
       open = message_ids.find('<', open + 1)) {
    if (open + 30 >= message_ids.size()) break;
    bool upper = true;
    for (size_t i = open + 1; i <= open + 28 && upper; ++i)
      upper = message_ids[i] >= 'A' && message_ids[i] <= 'Z';
    if (!upper || message_ids[open + 29] != '.') continue;
    const size_t close = message_ids.find('>', open + 30);
    if (close == std::string::npos || close == open + 30) continue;
    const std::string tail = message_ids.substr(open + 30, close - open - 30);
    auto pattern = perlPattern("\\\"[^\\\"]+\\\"\\s*<" + perlQuoteMeta(tail) + ">", false, false);
    return pattern && search(*pattern, joinedLines(decodedValues(in.view, "From")));
  }
  return false;
}

bool ratwareEnvelopeFrom(const EvalInput& in, const RegistryBoundaries& boundaries) {
  const std::string to = firstAddress(in, "To");
  const std::string from = firstAddress(in, "EnvelopeFrom");
  if (to.empty() || from.empty()) return false;
  static const auto srs = perlPattern("^SRS\\d[=+-]", true);
  if (search(*srs, from)) return false;
  const size_t at = to.find('@');
  if (at == 0 || at == std::string::npos || at + 1 >= to.size()) return false;
  if (to.find('\n') != std::string::npos) return false;
  const std::string user = to.substr(0, at);
  const std::string domain = boundaries.domainOf(to.substr(at + 1));
  if (!boundaries.isDomainValid(domain)) return false;
  if (!containsCaseless(from, user + "@") || !containsCaseless(from, domain)) return false;
  auto pattern =
      perlPattern("\\b" + perlQuoteMeta(domain) + "." + perlQuoteMeta(user) + "@", true, false);
  return pattern && search(*pattern, from);
}

bool toInSubject(const EvalInput& in, const std::string& test) {
  const std::string to = firstAddress(in, "To");
  if (to.empty()) return false;
  const std::string subject = joinedLines(decodedValues(in.view, "Subject"));
  // Every form below contains the address (or its local part) itself: most subjects are settled
  // without compiling a pattern for this message.
  if (!containsCaseless(subject, test == "address" ? to : to.substr(0, to.find('@')))) return false;
  std::unique_ptr<const PcrePattern> pattern;
  if (test == "address") {
    pattern = perlPattern("\\b" + perlQuoteMeta(to) + "\\b", true, false);
  } else {
    const std::string user = perlQuoteMeta(to.substr(0, to.find('@')));
    pattern = perlPattern("^(?:(?:re|fw):\\s*(?:\\w+\\s+)?" + user + "$|(?-i:" + user +
                              ")\\s*[,:;!?-](?:$|\\s)|" + user + "$|,\\s*" + user + "[,:;!?-]$)",
                          true, false);
  }
  return pattern && search(*pattern, subject);
}

// ---------------------------------------------------------------------------------------------
// Registration helpers.

EvalBuild noArguments(std::string_view name, const std::vector<std::string>& args, Test test) {
  if (!args.empty()) return evalArgumentError(name, "no arguments");
  return EvalBuild::success(std::move(test));
}

void addSimple(EvalRegistry& registry, const std::string& name, Test test) {
  registry.add(name, [name, test](const std::vector<std::string>& args, auto&) -> EvalBuild {
    return noArguments(name, args, test);
  });
}

}  // namespace

void registerHeaderEvals(EvalRegistry& registry) {
  addSimple(registry, "check_for_missing_to_header", [](const EvalInput& in, std::string*) {
    return decodedValues(in.view, "To").empty() && decodedValues(in.view, "Apparently-To").empty();
  });
  registry.add("check_illegal_chars", [](const std::vector<std::string>& args, auto&) -> EvalBuild {
    double ratio = 0, count = 0;
    if (args.size() != 3 || !evalNumber(args[1], ratio) || !evalNumber(args[2], count))
      return evalArgumentError("check_illegal_chars", "(header, ratio, count)");
    std::string header = args[0];
    if (header.size() > 4 && header.substr(header.size() - 4) == ":raw")
      header.resize(header.size() - 4);
    return EvalBuild::success([header, ratio, count](const EvalInput& in, std::string* evidence) {
      return illegalChars(in.view, header, ratio, count, evidence);
    });
  });
  addSimple(registry, "subject_is_all_caps",
            [](const EvalInput& in, std::string*) { return subjectAllCaps(in.view); });
  registry.add(
      "check_header_count_range", [](const std::vector<std::string>& args, auto&) -> EvalBuild {
        double min = 0, max = 0;
        if (args.size() != 3 || !evalNumber(args[1], min) || !evalNumber(args[2], max))
          return evalArgumentError("check_header_count_range", "(header, min, max)");
        return EvalBuild::success(
            [header = args[0], min, max](const EvalInput& in, std::string* evidence) {
              std::set<std::string_view> distinct;
              for (auto value : decodedValues(in.view, header)) distinct.insert(value);
              const double n = static_cast<double>(distinct.size());
              if (n >= min && n <= max && evidence)
                *evidence = std::to_string(distinct.size()) + " different " + header + " fields";
              return n >= min && n <= max;
            });
      });
  addSimple(registry, "check_for_fake_aol_relay_in_rcvd",
            [](const EvalInput& in, std::string*) { return fakeAolRelay(in); });
  registry.add("check_for_faraway_charset_in_headers",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_for_faraway_charset_in_headers", "no arguments");
                 const OkLocales locales = okLocales(context);
                 if (locales.all)
                   return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
                 return EvalBuild::success([locales](const EvalInput& in, std::string* evidence) {
                   return farawayCharsetInHeaders(in.view, locales, evidence);
                 });
               });
  addSimple(registry, "check_for_unique_subject_id",
            [](const EvalInput&, std::string*) { return false; });
  addSimple(registry, "check_for_forged_hotmail_received_headers",
            [](const EvalInput& in, std::string* evidence) {
              const bool hit = hotmailVerdict(in).forged;
              if (hit && evidence) *evidence = "a Received field claims hotmail.com";
              return hit;
            });
  addSimple(registry, "check_for_no_hotmail_received_headers",
            [](const EvalInput& in, std::string* evidence) {
              const bool hit = hotmailVerdict(in).missing;
              if (hit && evidence) *evidence = "From hotmail.com without a Hotmail Received trail";
              return hit;
            });
  addSimple(registry, "check_for_forged_gw05_received_headers",
            [](const EvalInput& in, std::string*) { return forgedGw05(in); });
  addSimple(registry, "check_for_msn_groups_headers",
            [](const EvalInput& in, std::string*) { return msnGroupsHeaders(in); });
  addSimple(registry, "check_for_forged_eudoramail_received_headers",
            [](const EvalInput& in, std::string*) { return forgedEudoramail(in); });
  addSimple(registry, "check_for_forged_yahoo_received_headers",
            [](const EvalInput& in, std::string* evidence) {
              const bool hit = forgedYahoo(in);
              if (hit && evidence) *evidence = "From yahoo.com without a Yahoo! Received trail";
              return hit;
            });
  addSimple(registry, "check_for_forged_juno_received_headers",
            [](const EvalInput& in, std::string*) { return forgedJuno(in); });
  addSimple(registry, "check_for_forged_gmail_received_headers",
            [](const EvalInput& in, std::string* evidence) {
              const bool hit = forgedGmail(in);
              if (hit && evidence) *evidence = "From gmail.com without Gmail's headers";
              return hit;
            });
  addSimple(registry, "check_for_matching_env_and_hdr_from", [](const EvalInput& in, std::string*) {
    return toLower(firstAddress(in, "EnvelopeFrom")) == toLower(firstAddress(in, "From"));
  });
  addSimple(registry, "sorted_recipients", [](const EvalInput& in, std::string*) {
    return in.facts.get<RecipientFacts>([&in] { return recipientFacts(in); }).sorted;
  });
  registry.add("similar_recipients", [](const std::vector<std::string>& args, auto&) -> EvalBuild {
    std::optional<std::optional<double>> min, max;
    if (args.size() == 2) {
      min = boundArgument(args[0]);
      max = boundArgument(args[1]);
    }
    if (!min || !max)
      return evalArgumentError("similar_recipients", "(min, max), numbers or 'undef'");
    return EvalBuild::success([min = *min, max = *max](const EvalInput& in, std::string* evidence) {
      const double similar =
          in.facts.get<RecipientFacts>([&in] { return recipientFacts(in); }).similar;
      const bool hit = (!min || similar >= *min) && (!max || similar < *max);
      if (hit && evidence) *evidence = "recipient similarity " + std::to_string(similar);
      return hit;
    });
  });
  registry.add(
      "check_for_shifted_date", [](const std::vector<std::string>& args, auto&) -> EvalBuild {
        std::optional<std::optional<double>> min, max;
        if (args.size() == 2) {
          min = boundArgument(args[0]);
          max = boundArgument(args[1]);
        }
        if (!min || !max)
          return evalArgumentError("check_for_shifted_date", "(min hours, max hours) or 'undef'");
        return EvalBuild::success(
            [min = *min, max = *max](const EvalInput& in, std::string* evidence) {
              const int64_t diff = in.facts.get<DateFacts>([&in] { return dateFacts(in); }).diff;
              const auto seconds = static_cast<double>(diff);
              const bool hit = (!min || seconds >= 3600 * *min) && (!max || seconds < 3600 * *max);
              if (hit && evidence) {
                *evidence = "Date is " + hoursText(diff < 0 ? -diff : diff) + " hours " +
                            (diff < 0 ? "before" : "after") + " the nearest Received date";
              }
              return hit;
            });
      });
  registry.add(
      "check_for_to_in_subject", [](const std::vector<std::string>& args, auto&) -> EvalBuild {
        if (args.size() != 1 || (args[0] != "address" && args[0] != "user"))
          return evalArgumentError("check_for_to_in_subject", "('address' or 'user')");
        return EvalBuild::success(
            [test = args[0]](const EvalInput& in, std::string*) { return toInSubject(in, test); });
      });
  addSimple(registry, "check_outlook_message_id", [](const EvalInput& in, std::string* evidence) {
    return outlookMessageIdInvalid(in, evidence);
  });
  addSimple(registry, "check_messageid_not_usable", [](const EvalInput& in, std::string*) {
    static const auto lyris = perlPattern("<mailto:(?:leave-\\S+|\\S+-unsubscribe)\\@\\S+>$", true);
    static const auto cwt = perlPattern("\\/CWT\\/DCE\\)");
    static const auto iplanet = perlPattern("iPlanet Messaging Server");
    if (search(*lyris, joinedLines(unfoldedValues(in, "List-Unsubscribe")))) return true;
    if (gatedThroughReceivedRemover(in)) return true;
    const std::string& rcvd = receivedText(in);
    return search(*cwt, rcvd) || search(*iplanet, rcvd);
  });
  addSimple(registry, "check_unresolved_template", [](const EvalInput& in, std::string* evidence) {
    return unresolvedTemplate(in.view, evidence);
  });
  addSimple(registry, "check_ratware_name_id",
            [](const EvalInput& in, std::string*) { return ratwareNameId(in); });
  registry.add("check_ratware_envelope_from",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_ratware_envelope_from", "no arguments");
                 return EvalBuild::success([boundaries = RegistryBoundaries::of(context)](
                                               const EvalInput& in, std::string*) {
                   return ratwareEnvelopeFrom(in, *boundaries);
                 });
               });
  addSimple(registry, "gated_through_received_hdr_remover",
            [](const EvalInput& in, std::string*) { return gatedThroughReceivedRemover(in); });
  addSimple(registry, "check_equal_from_domains", [](const EvalInput& in, std::string* evidence) {
    const std::string from = secondLevelDomain(firstAddress(in, "From"));
    const std::string envelope = secondLevelDomain(firstAddress(in, "EnvelopeFrom"));
    if (from.empty() || envelope.empty() || toLower(from) == toLower(envelope)) return false;
    if (evidence) *evidence = "From domain " + from + ", envelope sender domain " + envelope;
    return true;
  });
}

}  // namespace portcullis::content
