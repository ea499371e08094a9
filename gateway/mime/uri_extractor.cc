#include "gateway/mime/uri_extractor.h"

#include <array>
#include <cstdint>

#include "gateway/base/text.h"
#include "gateway/mime/tld_list.h"

namespace portcullis::mime {
namespace {

constexpr std::array<std::string_view, 6> kTextSchemes = {"http://", "https://", "ftp://",
                                                          "file://", "mailto:",  "javascript:"};

// Per byte of plain text: whether a URI may contain it (printable ASCII but for delimiters people
// put around links), and whether it is ':' or '.', one of which every URI, address or domain
// has. A table: addFromText reads every byte of the body.
constexpr uint8_t kUriChar = 1;
constexpr uint8_t kColonOrDot = 2;
constexpr std::array<uint8_t, 256> kTextClasses = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0x21; c < 0x7F; ++c) table[c] = kUriChar;
  for (char c : std::string_view("<>\"`{}|^")) table[static_cast<unsigned char>(c)] = 0;
  table[':'] |= kColonOrDot;
  table['.'] |= kColonOrDot;
  return table;
}();

uint8_t textClass(char c) {
  return kTextClasses[static_cast<unsigned char>(c)];
}

bool isLocalPartChar(char c) {
  if (isAsciiAlnum(c)) return true;
  switch (c) {
    case '.':
    case '_':
    case '%':
    case '+':
    case '-':
    case '!':
    case '#':
    case '$':
    case '&':
    case '\'':
    case '*':
    case '/':
    case '=':
    case '?':
    case '^':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isTrailingPunctuation(char c) {
  switch (c) {
    case '.':
    case ',':
    case ';':
    case ':':
    case '!':
    case '?':
    case ')':
    case ']':
    case '}':
    case '\'':
    case '"':
    case '*':
      return true;
    default:
      return false;
  }
}

bool isLeadingPunctuation(char c) {
  return c == '(' || c == '[' || c == '{' || c == '\'' || c == '*';
}

// Whether `host` (any case) is a domain name with a known top-level domain.
bool isDomainWithKnownTld(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.') return false;
  size_t last_dot = host.rfind('.');
  if (last_dot == std::string_view::npos) return false;
  size_t label_length = 0;
  for (char c : host) {
    if (c == '.') {
      if (label_length == 0) return false;
      label_length = 0;
    } else if (isAsciiAlnum(c) || c == '-' || c == '_') {
      if (++label_length > 63) return false;
    } else {
      return false;
    }
  }
  std::string_view tld = host.substr(last_dot + 1);
  char lowered[64];
  for (size_t i = 0; i < tld.size(); ++i) lowered[i] = asciiLower(tld[i]);
  return isKnownTld({lowered, tld.size()});
}

bool startsWithWwwLabel(std::string_view s) {
  if (!istartsWith(s, "www")) return false;
  size_t i = 3;
  while (i < s.size() && i < 6 && isAsciiDigit(s[i])) ++i;
  return i < s.size() && s[i] == '.';
}

// Decodes %XX escapes that stand for printable ASCII; others are kept as written.
void appendPercentDecoded(std::string_view s, std::string& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        int value = hi * 16 + lo;
        if (value > 0x20 && value < 0x7F) {
          out.push_back(static_cast<char>(value));
          i += 2;
          continue;
        }
      }
    }
    out.push_back(s[i]);
  }
}

// Length of the scheme at the start of `s` ("http" in "http:..."), or 0.
size_t schemeLength(std::string_view s) {
  if (s.empty() || !isAsciiAlpha(s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && i < 32 &&
         (isAsciiAlnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
    ++i;
  return i < s.size() && s[i] == ':' ? i : 0;
}

// "scheme://host" of an absolute URI (for resolving "/path" against a base).
std::string_view originOf(std::string_view base) {
  size_t scheme = schemeLength(base);
  if (scheme == 0 || base.substr(scheme, 3) != "://") return {};
  size_t end = base.find_first_of("/?#", scheme + 3);
  return end == std::string_view::npos ? base : base.substr(0, end);
}

std::string resolveAgainstBase(std::string_view uri, std::string_view base) {
  std::string_view origin = originOf(base);
  if (origin.empty()) return std::string(uri);
  if (uri.starts_with("/")) return std::string(origin) + std::string(uri);
  std::string_view directory = base;
  size_t last_slash = base.rfind('/');
  if (last_slash != std::string_view::npos && last_slash >= origin.size())
    directory = base.substr(0, last_slash + 1);
  std::string out(directory);
  if (out.back() != '/') out.push_back('/');
  out += uri;
  return out;
}

}  // namespace

std::string canonicalizeUri(std::string_view input, std::string_view base_href) {
  std::string uri;
  uri.reserve(input.size() + 8);
  for (char c : trimAsciiSpace(input))
    if (c != '\n' && c != '\r' && c != '\t') uri.push_back(c);

  size_t scheme = schemeLength(uri);
  if (scheme == 0) {
    if (uri.starts_with("//") || uri.starts_with("\\\\"))
      uri = "http:" + uri;
    else if (startsWithWwwLabel(uri))
      uri = "http://" + uri;
    else if (istartsWith(uri, "ftp."))
      uri = "ftp://" + uri;
    else if (!base_href.empty())
      uri = resolveAgainstBase(uri, canonicalizeUri(base_href));
    else
      return uri;
    scheme = schemeLength(uri);
    if (scheme == 0) return uri;
  }
  std::string out = toLower(std::string_view(uri).substr(0, scheme));
  out.push_back(':');
  std::string_view rest = std::string_view(uri).substr(scheme + 1);
  bool hierarchical = out == "http:" || out == "https:" || out == "ftp:";
  if (out == "mailto:") {
    size_t at = rest.rfind('@');
    size_t end = rest.find('?');
    if (at != std::string_view::npos && (end == std::string_view::npos || at < end)) {
      appendPercentDecoded(rest.substr(0, at + 1), out);
      std::string domain;
      appendPercentDecoded(rest.substr(at + 1, end == std::string_view::npos ? end : end - at - 1),
                           domain);
      out += toLower(domain);
      if (end != std::string_view::npos) out += rest.substr(end);
      return out;
    }
    appendPercentDecoded(rest, out);
    return out;
  }
  if (!hierarchical && !rest.starts_with("//")) {
    out += rest;
    return out;
  }
  size_t slashes = 0;
  while (slashes < rest.size() && (rest[slashes] == '/' || rest[slashes] == '\\')) ++slashes;
  rest.remove_prefix(slashes);
  out += "//";
  size_t authority_end = rest.find_first_of("/?#\\");
  std::string_view authority = rest.substr(0, authority_end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  std::string host;
  appendPercentDecoded(authority, host);
  lowerInPlace(host);
  while (!host.empty() && host.back() == '.') host.pop_back();
  out += host;
  if (authority_end != std::string_view::npos)
    appendPercentDecoded(rest.substr(authority_end), out);
  return out;
}

UriCollector::UriCollector(size_t max_uris, size_t max_addresses)
    : max_uris_(max_uris), max_addresses_(max_addresses) {}

void UriCollector::addUri(std::string_view raw, std::string_view base_href, bool keep_written) {
  if (uris_.size() >= max_uris_) return;
  std::string canonical = canonicalizeUri(raw, base_href);
  if (canonical.empty()) return;
  if (seen_uris_.insert(canonical).second) uris_.push_back(canonical);
  std::string_view written = trimAsciiSpace(raw);
  if (keep_written && written != canonical && schemeLength(written) != 0 &&
      uris_.size() < max_uris_) {
    std::string as_written(written);
    if (seen_uris_.insert(as_written).second) uris_.push_back(std::move(as_written));
  }
}

void UriCollector::addEmail(std::string_view address) {
  size_t at = address.rfind('@');
  std::string normalized(address.substr(0, at + 1));
  normalized += toLower(address.substr(at + 1));
  if (emails_.size() < max_addresses_ && seen_emails_.insert(normalized).second)
    emails_.push_back(normalized);
  addUri("mailto:" + normalized, {});
}

void UriCollector::addFromHtml(std::string_view value, std::string_view base_href) {
  value = trimAsciiSpace(value);
  if (value.empty() || value.front() == '#') return;
  if (istartsWith(value, "mailto:")) {
    std::string_view address = value.substr(7);
    address = address.substr(0, address.find('?'));
    size_t at = address.rfind('@');
    if (at != std::string_view::npos && at > 0 && isDomainWithKnownTld(address.substr(at + 1)) &&
        emails_.size() < max_addresses_) {
      std::string normalized(address.substr(0, at + 1));
      normalized += toLower(address.substr(at + 1));
      if (seen_emails_.insert(normalized).second) emails_.push_back(std::move(normalized));
    }
  }
  addUri(value, base_href);
}

void UriCollector::addFromText(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && uris_.size() < max_uris_) {
    while (i < text.size() && !(textClass(text[i]) & kUriChar)) ++i;
    size_t begin = i;
    uint8_t seen = 0;
    for (uint8_t c; i < text.size() && ((c = textClass(text[i])) & kUriChar); ++i) seen |= c;
    // A token with neither ':' nor '.' holds nothing scanToken looks for.
    if (seen & kColonOrDot) scanToken(text.substr(begin, i - begin));
  }
}

void UriCollector::scanToken(std::string_view token) {
  while (!token.empty() && isLeadingPunctuation(token.front())) token.remove_prefix(1);
  while (!token.empty() && isTrailingPunctuation(token.back())) token.remove_suffix(1);
  if (token.size() < 4) return;
  // Every URI, address or domain has a ':' or a '.'; most words have neither.
  bool has_colon = false;
  bool has_dot = false;
  for (char c : token) {
    has_colon |= c == ':';
    has_dot |= c == '.';
  }
  if (!has_colon && !has_dot) return;

  for (std::string_view scheme : kTextSchemes) {
    if (!has_colon) break;
    for (size_t p = 0; p + scheme.size() <= token.size(); ++p) {
      if (!iequals(token.substr(p, scheme.size()), scheme)) continue;
      if (p > 0 && isAsciiAlpha(token[p - 1])) continue;
      std::string_view uri = token.substr(p);
      if (uri.size() == scheme.size()) return;
      if (scheme == "mailto:") {
        std::string_view address = uri.substr(7);
        address = address.substr(0, address.find('?'));
        size_t at = address.rfind('@');
        if (at != std::string_view::npos && at > 0 &&
            isDomainWithKnownTld(address.substr(at + 1))) {
          addEmail(address);
          return;
        }
      }
      addUri(uri, {});
      return;
    }
  }

  if (size_t at = token.find('@'); at != std::string_view::npos) {
    size_t local_begin = at;
    while (local_begin > 0 && isLocalPartChar(token[local_begin - 1])) --local_begin;
    size_t domain_end = at + 1;
    while (domain_end < token.size() && (isAsciiAlnum(token[domain_end]) ||
                                         token[domain_end] == '.' || token[domain_end] == '-'))
      ++domain_end;
    std::string_view domain = token.substr(at + 1, domain_end - at - 1);
    while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    if (local_begin < at && isDomainWithKnownTld(domain)) {
      std::string_view local = token.substr(local_begin, at - local_begin);
      while (!local.empty() && local.front() == '.') local.remove_prefix(1);
      if (!local.empty())
        addEmail(token.substr(at - local.size(), local.size() + 1 + domain.size()));
    }
    return;
  }

  size_t host_end = token.find_first_of("/?#:");
  std::string_view host = token.substr(0, host_end);
  if (startsWithWwwLabel(token) || istartsWith(token, "ftp.")) {
    if (host.find('.') != host.rfind('.')) addUri(token, {}, false);
    return;
  }
  if (isDomainWithKnownTld(host)) {
    bool all_digits_and_dots = true;
    for (char c : host)
      if (!isAsciiDigit(c) && c != '.') all_digits_and_dots = false;
    if (!all_digits_and_dots) addUri("http://" + std::string(token), {}, false);
  }
}

}  // namespace portcullis::mime
