#include "filters/spf/spf_evaluator.h"

#include <ctime>
#include <optional>
#include <vector>

#include "filters/spf/spf_macro.h"
#include "filters/spf/spf_record.h"
#include "gateway/base/text.h"
#include "gateway/core/envelope.h"
#include "gateway/dns/domain_name.h"
#include "gateway/dns/ip_address.h"
#include "gateway/dns/validated_names.h"

namespace portcullis::spf {

namespace {

using dns::Answer;
using dns::isQueryableName;
using dns::kMaxDomainLength;
using dns::RrType;
using dns::Status;
using dns::withoutTrailingDot;

struct Outcome {
  SpfResult result = SpfResult::Neutral;
  std::string explanation;
  std::string reason;
};

// What one mechanism did: matched, did not, or ended the evaluation with an error result.
struct MechanismOutcome {
  bool matched = false;
  std::optional<SpfResult> error;
  std::string reason;
};

SpfResult resultOf(Qualifier q) {
  switch (q) {
    case Qualifier::Pass:
      return SpfResult::Pass;
    case Qualifier::Fail:
      return SpfResult::Fail;
    case Qualifier::SoftFail:
      return SpfResult::SoftFail;
    case Qualifier::Neutral:
      return SpfResult::Neutral;
  }
  return SpfResult::Neutral;
}

// Section 4.3: the identity must be a fully qualified domain name, not an address literal.
bool isCheckableDomain(std::string_view domain) {
  domain = withoutTrailingDot(domain);
  return isQueryableName(domain) && domain.find('.') != std::string_view::npos &&
         domain.front() != '[';
}

// Section 7.3: when an expanded name exceeds 253 characters, labels are removed from the left.
std::string truncateLeft(std::string name) {
  while (name.size() > kMaxDomainLength) {
    size_t dot = name.find('.');
    if (dot == std::string::npos) break;
    name.erase(0, dot + 1);
  }
  return name;
}

bool isAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) > 0x7e || (c < 0x20 && c != '\t')) return false;
  }
  return true;
}

bool nameEndsWith(std::string_view name, std::string_view domain) {
  name = withoutTrailingDot(name);
  domain = withoutTrailingDot(domain);
  if (iequals(name, domain)) return true;
  return name.size() > domain.size() && name[name.size() - domain.size() - 1] == '.' &&
         iequals(name.substr(name.size() - domain.size()), domain);
}

// One check_host() evaluation with its shared counters (lookup terms, void lookups) and the
// client's validated names, looked up at most once.
class Evaluation {
 public:
  Evaluation(dns::Resolver& resolver, const SpfLimits& limits, MacroContext base)
      : resolver_(resolver), limits_(limits), base_(std::move(base)) {}

  awaitable<Outcome> checkHost(std::string domain) {
    MacroContext context = base_;
    context.domain = std::string(withoutTrailingDot(domain));
    if (!isQueryableName(context.domain)) co_return Outcome{SpfResult::None, {}, "invalid domain"};

    Answer txt = co_await resolver_.query(context.domain, RrType::TXT);
    if (txt.status == Status::NxDomain || txt.status == Status::NoData)
      co_return Outcome{SpfResult::None, {}, "no SPF record"};
    if (!txt.ok())
      co_return Outcome{SpfResult::TempError, {}, "DNS " + std::string(toString(txt.status))};
    std::vector<std::string_view> records;
    for (const auto& record : txt.records) {
      if (isSpfRecord(record)) records.push_back(record);
    }
    if (records.empty()) co_return Outcome{SpfResult::None, {}, "no SPF record"};
    if (records.size() > 1) co_return Outcome{SpfResult::PermError, {}, "more than one SPF record"};
    Result<SpfRecord> parsed = parseRecord(records.front());
    if (!parsed) co_return Outcome{SpfResult::PermError, {}, parsed.error};
    const SpfRecord& record = *parsed;

    for (const Mechanism& mechanism : record.mechanisms) {
      if (mechanism.queriesDns() && !countTerm())
        co_return Outcome{SpfResult::PermError, {}, "more than 10 DNS lookups"};
      MechanismOutcome outcome = co_await evaluate(mechanism, context);
      if (outcome.error) co_return Outcome{*outcome.error, {}, outcome.reason};
      if (!outcome.matched) continue;
      Outcome result{resultOf(mechanism.qualifier), {}, mechanism.text};
      if (result.result == SpfResult::Fail && record.explanation)
        result.explanation = co_await explain(*record.explanation, context);
      co_return result;
    }
    if (record.redirect) {
      if (!countTerm()) co_return Outcome{SpfResult::PermError, {}, "more than 10 DNS lookups"};
      std::string target = co_await expandTarget(*record.redirect, context);
      Outcome redirected = co_await checkHost(target);
      if (redirected.result == SpfResult::None)
        co_return Outcome{SpfResult::PermError, {}, "redirect target " + target + " has no record"};
      co_return redirected;
    }
    co_return Outcome{SpfResult::Neutral, {}, "no mechanism matched"};
  }

 private:
  bool countTerm() { return ++terms_ <= limits_.dns_terms; }
  bool countVoid() { return ++voids_ <= limits_.void_lookups; }

  RrType addressType() const { return base_.ip.isV4() ? RrType::A : RrType::AAAA; }

  // Expands a domain-spec into the name to query (resolving %{p} first when it is used).
  awaitable<std::string> expandTarget(const std::string& spec, MacroContext& context) {
    if (mentionsMacro(spec, 'p')) context.validated_name = co_await validatedName(context.domain);
    auto expanded = expandMacros(spec, context, MacroUse::DomainSpec);
    co_return truncateLeft(std::string(withoutTrailingDot(expanded.value_or(""))));
  }

  // A mechanism's target name: its expanded domain-spec, or the current domain when it has none.
  // (Kept out of conditional expressions: g++ 12 miscompiles co_await inside ?:.)
  awaitable<std::string> targetOf(const Mechanism& m, MacroContext& context) {
    if (m.domain_spec.empty()) co_return context.domain;
    co_return co_await expandTarget(m.domain_spec, context);
  }

  // The query behind a, mx and exists: temporary failures end the evaluation, "void" answers
  // count against the void lookup limit. Returns the answer when evaluation goes on.
  awaitable<std::pair<Answer, MechanismOutcome>> lookup(const std::string& name, RrType type) {
    Answer answer;
    answer.status = Status::NxDomain;
    if (isQueryableName(name)) answer = co_await resolver_.query(name, type);
    MechanismOutcome outcome;
    if (answer.temporaryFailure() || answer.status == Status::Error) {
      outcome.error = SpfResult::TempError;
      outcome.reason = "DNS " + std::string(toString(answer.status)) + " for " + name;
    } else if ((answer.status == Status::NxDomain || answer.status == Status::NoData) &&
               !countVoid()) {
      outcome.error = SpfResult::PermError;
      outcome.reason = "more than " + std::to_string(limits_.void_lookups) + " void lookups";
    }
    co_return std::pair{std::move(answer), std::move(outcome)};
  }

  bool addressMatches(const std::vector<std::string>& addresses, const Mechanism& m) const {
    for (const auto& text : addresses) {
      auto address = dns::IpAddress::parse(text);
      if (address && address->isV4() == base_.ip.isV4() &&
          base_.ip.matches(*address, base_.ip.isV4() ? m.cidr4 : m.cidr6))
        return true;
    }
    return false;
  }

  awaitable<MechanismOutcome> evaluate(const Mechanism& m, MacroContext& context) {
    MechanismOutcome outcome;
    switch (m.kind) {
      case MechanismKind::All:
        outcome.matched = true;
        co_return outcome;
      case MechanismKind::Ip4:
      case MechanismKind::Ip6:
        outcome.matched = m.network && m.network->isV4() == base_.ip.isV4() &&
                          base_.ip.matches(*m.network, base_.ip.isV4() ? m.cidr4 : m.cidr6);
        co_return outcome;
      case MechanismKind::A: {
        std::string target = co_await targetOf(m, context);
        auto looked = co_await lookup(target, addressType());
        if (looked.second.error) co_return looked.second;
        outcome.matched = looked.first.ok() && addressMatches(looked.first.records, m);
        co_return outcome;
      }
      case MechanismKind::Mx:
        co_return co_await evaluateMx(m, context);
      case MechanismKind::Ptr: {
        std::string target = co_await targetOf(m, context);
        std::vector<std::string> names = co_await validatedNames();
        for (const auto& name : names) {
          if (nameEndsWith(name, target)) outcome.matched = true;
        }
        co_return outcome;
      }
      case MechanismKind::Exists: {
        std::string target = co_await expandTarget(m.domain_spec, context);
        auto looked = co_await lookup(target, RrType::A);
        if (looked.second.error) co_return looked.second;
        outcome.matched = looked.first.ok() && !looked.first.records.empty();
        co_return outcome;
      }
      case MechanismKind::Include: {
        std::string target = co_await expandTarget(m.domain_spec, context);
        Outcome included = co_await checkHost(target);
        switch (included.result) {
          case SpfResult::Pass:
            outcome.matched = true;
            break;
          case SpfResult::Fail:
          case SpfResult::SoftFail:
          case SpfResult::Neutral:
            break;
          case SpfResult::TempError:
            outcome.error = SpfResult::TempError;
            outcome.reason = included.reason;
            break;
          case SpfResult::PermError:
          case SpfResult::None:
            outcome.error = SpfResult::PermError;
            outcome.reason = included.result == SpfResult::None
                                 ? "included domain " + target + " has no record"
                                 : included.reason;
            break;
        }
        co_return outcome;
      }
    }
    co_return outcome;
  }

  awaitable<MechanismOutcome> evaluateMx(const Mechanism& m, MacroContext& context) {
    std::string target = co_await targetOf(m, context);
    auto looked = co_await lookup(target, RrType::MX);
    Answer& answer = looked.first;
    MechanismOutcome& outcome = looked.second;
    if (outcome.error || !answer.ok()) co_return outcome;
    std::vector<std::string> hosts = answer.records;
    if (static_cast<int>(hosts.size()) > limits_.addresses_per_name) {
      outcome.error = SpfResult::PermError;
      outcome.reason = "more than " + std::to_string(limits_.addresses_per_name) + " MX records";
      co_return outcome;
    }
    for (const auto& host : hosts) {
      if (withoutTrailingDot(host).empty()) continue;  // null MX (RFC 7505)
      Answer addresses = co_await resolver_.query(host, addressType());
      if (addresses.temporaryFailure()) {
        outcome.error = SpfResult::TempError;
        outcome.reason = "DNS " + std::string(toString(addresses.status)) + " for " + host;
        co_return outcome;
      }
      if (addresses.ok() && addressMatches(addresses.records, m)) {
        outcome.matched = true;
        co_return outcome;
      }
    }
    co_return outcome;
  }

  // Section 5.5: names the client's address maps back to whose own addresses include it.
  // Lookup errors skip a name; at most `addresses_per_name` PTR names are tried.
  awaitable<std::vector<std::string>> validatedNames() {
    if (!validated_)
      validated_ = co_await dns::validatedNames(resolver_, base_.ip,
                                                static_cast<size_t>(limits_.addresses_per_name));
    co_return *validated_;
  }

  // %{p}: the domain itself if validated, else a validated subdomain, else any, else "unknown".
  awaitable<std::string> validatedName(const std::string& domain) {
    const auto names = co_await validatedNames();
    for (const auto& name : names) {
      if (iequals(name, domain)) co_return name;
    }
    for (const auto& name : names) {
      if (nameEndsWith(name, domain)) co_return name;
    }
    co_return names.empty() ? std::string("unknown") : names.front();
  }

  // Section 6.2: any problem with the explanation means "no explanation", never an error.
  awaitable<std::string> explain(const std::string& spec, MacroContext& context) {
    std::string name = co_await expandTarget(spec, context);
    if (!isQueryableName(name)) co_return std::string();
    Answer txt = co_await resolver_.query(name, RrType::TXT);
    if (!txt.ok() || txt.records.size() != 1 || !isAscii(txt.records.front())) co_return "";
    if (mentionsMacro(txt.records.front(), 'p'))
      context.validated_name = co_await validatedName(context.domain);
    auto text = expandMacros(txt.records.front(), context, MacroUse::Explanation);
    co_return text.value_or("");
  }

  dns::Resolver& resolver_;
  const SpfLimits& limits_;
  MacroContext base_;
  int terms_ = 0;
  int voids_ = 0;
  std::optional<std::vector<std::string>> validated_;
};

}  // namespace

awaitable<SpfVerdict> SpfEvaluator::check(const SpfRequest& request) const {
  SpfVerdict verdict;
  auto ip = dns::IpAddress::parse(request.client_ip);
  MacroContext context;
  if (request.mail_from.empty()) {
    verdict.identity = "helo";
    verdict.domain = toLower(request.helo);
    context.local_part = "postmaster";
  } else {
    verdict.identity = "mailfrom";
    verdict.domain = domainOf(request.mail_from);
    context.local_part = localPartOf(request.mail_from);
    if (context.local_part.empty()) context.local_part = "postmaster";
  }
  if (!ip) {
    verdict.reason = "client address is not an IP address";
    co_return verdict;
  }
  if (!isCheckableDomain(verdict.domain)) {
    verdict.reason = "not a checkable domain";
    co_return verdict;
  }
  context.sender_domain = std::string(withoutTrailingDot(verdict.domain));
  context.ip = *ip;
  context.helo = request.helo;
  context.receiver = request.receiver;
  context.timestamp = static_cast<int64_t>(std::time(nullptr));
  Evaluation evaluation(resolver_, limits_, std::move(context));
  Outcome outcome = co_await evaluation.checkHost(verdict.domain);
  verdict.result = outcome.result;
  verdict.explanation = std::move(outcome.explanation);
  verdict.reason = std::move(outcome.reason);
  co_return verdict;
}

}  // namespace portcullis::spf
