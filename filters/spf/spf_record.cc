#include "filters/spf/spf_record.h"

#include <cctype>

#include "filters/spf/spf_macro.h"
#include "gateway/base/text.h"

namespace portcullis::spf {

namespace {

constexpr std::string_view kVersion = "v=spf1";

// "/" 1*DIGIT without leading zeros, at most `max`.
std::optional<int> parseCidr(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (!isAsciiDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

// Removes a trailing "/" 1*DIGIT from `text` and returns the digits; empty when there is none.
std::string_view takeCidrSuffix(std::string_view& text) {
  size_t slash = text.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == text.size()) return {};
  std::string_view digits = text.substr(slash + 1);
  for (char c : digits) {
    if (!isAsciiDigit(c)) return {};
  }
  text = text.substr(0, slash);
  return digits;
}

// ip4-network: four decimal octets without leading zeros.
bool isIp4Network(std::string_view text) {
  auto parts = split(text, '.');
  if (parts.size() != 4) return false;
  for (auto part : parts) {
    if (!parseCidr(part, 255)) return false;
  }
  return true;
}

std::optional<Qualifier> qualifierOf(char c) {
  switch (c) {
    case '+':
      return Qualifier::Pass;
    case '-':
      return Qualifier::Fail;
    case '~':
      return Qualifier::SoftFail;
    case '?':
      return Qualifier::Neutral;
  }
  return std::nullopt;
}

std::optional<MechanismKind> kindOf(std::string_view name) {
  std::string n = toLower(name);
  if (n == "all") return MechanismKind::All;
  if (n == "include") return MechanismKind::Include;
  if (n == "a") return MechanismKind::A;
  if (n == "mx") return MechanismKind::Mx;
  if (n == "ptr") return MechanismKind::Ptr;
  if (n == "ip4") return MechanismKind::Ip4;
  if (n == "ip6") return MechanismKind::Ip6;
  if (n == "exists") return MechanismKind::Exists;
  return std::nullopt;
}

// Parses what follows a mechanism's name ("", ":domain", "/24//64", ":1.2.3.0/24", ...).
Status parseArguments(Mechanism& m, std::string_view rest) {
  auto needDomain = [&](std::string_view spec) -> Status {
    if (!isValidDomainSpec(spec))
      return Status::failure("invalid domain-spec in \"" + m.text + "\"");
    m.domain_spec = std::string(spec);
    return Status::success();
  };
  switch (m.kind) {
    case MechanismKind::All:
      if (!rest.empty()) return Status::failure("\"all\" takes no argument");
      return Status::success();
    case MechanismKind::Include:
    case MechanismKind::Exists:
      if (rest.empty() || rest[0] != ':')
        return Status::failure("\"" + m.text + "\" needs a domain");
      return needDomain(rest.substr(1));
    case MechanismKind::Ptr:
      if (rest.empty()) return Status::success();
      if (rest[0] != ':') return Status::failure("bad argument in \"" + m.text + "\"");
      return needDomain(rest.substr(1));
    case MechanismKind::A:
    case MechanismKind::Mx: {
      // [ ":" domain-spec ] [ "/" ip4-cidr ] [ "//" ip6-cidr ]
      std::string_view body = rest;
      std::string_view last = takeCidrSuffix(body);
      if (!last.empty() && body.ends_with("/")) {
        body.remove_suffix(1);
        auto six = parseCidr(last, 128);
        if (!six) return Status::failure("bad IPv6 prefix length in \"" + m.text + "\"");
        m.cidr6 = *six;
        last = takeCidrSuffix(body);
      }
      if (!last.empty()) {
        auto four = parseCidr(last, 32);
        if (!four) return Status::failure("bad IPv4 prefix length in \"" + m.text + "\"");
        m.cidr4 = *four;
      }
      if (body.empty()) return Status::success();
      if (body[0] != ':') return Status::failure("bad argument in \"" + m.text + "\"");
      return needDomain(body.substr(1));
    }
    case MechanismKind::Ip4:
    case MechanismKind::Ip6: {
      bool v4 = m.kind == MechanismKind::Ip4;
      if (rest.empty() || rest[0] != ':')
        return Status::failure("\"" + m.text + "\" needs a network");
      std::string_view body = rest.substr(1);
      size_t slash = body.find('/');
      if (slash != std::string_view::npos) {
        auto prefix = parseCidr(body.substr(slash + 1), v4 ? 32 : 128);
        if (!prefix) return Status::failure("bad prefix length in \"" + m.text + "\"");
        (v4 ? m.cidr4 : m.cidr6) = *prefix;
        body = body.substr(0, slash);
      }
      if (v4) {
        if (isIp4Network(body)) m.network = dns::IpAddress::parse(body);
      } else {
        m.network = dns::IpAddress::parseIpv6(body);
      }
      if (!m.network) return Status::failure("bad network in \"" + m.text + "\"");
      return Status::success();
    }
  }
  return Status::failure("unknown mechanism");
}

}  // namespace

bool isSpfRecord(std::string_view txt) {
  if (txt.size() < kVersion.size() || !iequals(txt.substr(0, kVersion.size()), kVersion))
    return false;
  return txt.size() == kVersion.size() || txt[kVersion.size()] == ' ';
}

Result<SpfRecord> parseRecord(std::string_view text) {
  using Parsed = Result<SpfRecord>;
  SpfRecord record;
  if (!isSpfRecord(text)) return Parsed::failure("not an SPF record");
  for (char c : text) {
    if (c != ' ' && (c < 0x21 || c > 0x7e))
      return Parsed::failure("record contains a control or non-ASCII character");
  }
  auto terms = split(text.substr(kVersion.size()), ' ');
  for (std::string_view term : terms) {
    if (term.empty()) continue;
    // A modifier: name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
    size_t name_end = 0;
    if (isAsciiAlpha(term[0])) {
      name_end = 1;
      while (name_end < term.size() &&
             (std::isalnum(static_cast<unsigned char>(term[name_end])) || term[name_end] == '-' ||
              term[name_end] == '_' || term[name_end] == '.'))
        ++name_end;
    }
    if (name_end > 0 && name_end < term.size() && term[name_end] == '=') {
      std::string name = toLower(term.substr(0, name_end));
      std::string_view value = term.substr(name_end + 1);
      if (name == "redirect" || name == "exp") {
        auto& slot = name == "redirect" ? record.redirect : record.explanation;
        if (slot) return Parsed::failure("\"" + name + "=\" appears twice");
        if (!isValidDomainSpec(value))
          return Parsed::failure("invalid domain-spec in \"" + std::string(term) + "\"");
        slot = std::string(value);
      } else if (!isValidMacroString(value, MacroUse::DomainSpec)) {
        return Parsed::failure("invalid macro string in \"" + std::string(term) + "\"");
      }
      continue;
    }
    Mechanism m;
    m.text = std::string(term);
    std::string_view body = term;
    if (auto q = qualifierOf(body[0])) {
      m.qualifier = *q;
      body.remove_prefix(1);
    }
    size_t end = 0;
    while (end < body.size() && std::isalnum(static_cast<unsigned char>(body[end]))) ++end;
    auto kind = kindOf(body.substr(0, end));
    if (!kind) return Parsed::failure("unknown mechanism \"" + std::string(term) + "\"");
    m.kind = *kind;
    if (Status arguments = parseArguments(m, body.substr(end)); !arguments)
      return Parsed::failure(std::move(arguments.error));
    record.mechanisms.push_back(std::move(m));
  }
  return Parsed::success(std::move(record));
}

}  // namespace portcullis::spf
