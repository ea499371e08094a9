// URIEval and HTTPSMismatch (Mail::SpamAssassin::Plugin::URIEval, ::HTTPSMismatch): links whose
// shown text names an https site other than the one linked to, links to a bare IP address shown
// as https, and URIs longer than SpamAssassin keeps. The links and their shown texts are read
// from each HTML part once per message (html_anchors.h).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/html_anchors.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/registry_boundaries.h"
#include "filters/content/eval/sa_mime_parts.h"
#include "gateway/base/text.h"
#include "gateway/mime/charset.h"

namespace portcullis::content {
namespace {

// The anchors of every HTML part ($pms->{html_all}), in part order.
struct MessageAnchors {
  std::vector<HtmlAnchors> documents;
};

const MessageAnchors& messageAnchors(const EvalInput& in) {
  return in.facts.get<MessageAnchors>([&] {
    MessageAnchors out;
    for (const SaPart& part : saMimeParts(in).parts) {
      if (!part.leaf || part.effectiveType() != "text/html" || part.part->decoded.empty()) continue;
      std::string utf8;
      mime::appendAsUtf8(part.part->decoded, part.charset, utf8);
      out.documents.push_back(htmlAnchors(utf8));
    }
    return out;
  });
}

// IS_IP_ADDRESS for a host name: a dotted quad of decimal octets, or an IPv6 address.
bool isIpAddress(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  int parts = 0;
  size_t at = 0;
  while (at <= host.size()) {
    const size_t dot = std::min(host.find('.', at), host.size());
    const std::string_view octet = host.substr(at, dot - at);
    if (octet.empty() || octet.size() > 3) return false;
    int value = 0;
    for (char c : octet) {
      if (!isAsciiDigit(c)) return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255 || (octet.size() > 1 && octet[0] == '0')) return false;
    ++parts;
    at = dot + 1;
  }
  return parts == 4;
}

// The host of an http(s) URI (m@^https?://([^/:?#]+)@i), or nullopt.
std::optional<std::string_view> httpHost(std::string_view uri) {
  size_t start = 0;
  if (istartsWith(uri, "http://")) {
    start = 7;
  } else if (istartsWith(uri, "https://")) {
    start = 8;
  } else {
    return std::nullopt;
  }
  size_t end = start;
  while (end < uri.size() && uri[end] != '/' && uri[end] != ':' && uri[end] != '?' &&
         uri[end] != '#')
    ++end;
  if (end == start) return std::nullopt;
  return uri.substr(start, end - start);
}

// The host after the first "https://" in a text (m@https://([^\s/:?#]+)@i), or nullopt.
std::optional<std::string_view> httpsHostIn(std::string_view text) {
  for (size_t at = 0; at + 8 < text.size(); ++at) {
    if (!istartsWith(text.substr(at), "https://")) continue;
    size_t end = at + 8;
    while (end < text.size() && !isAsciiSpace(text[end]) && text[end] != '/' && text[end] != ':' &&
           text[end] != '?' && text[end] != '#')
      ++end;
    if (end > at + 8) return text.substr(at + 8, end - at - 8);
  }
  return std::nullopt;
}

// m%^https?:/*(?:[^\@/]+\@)?\d+\.\d+\.\d+\.\d+%i (or only https when `secure_only`).
bool linksToIp(std::string_view uri, bool secure_only) {
  size_t at = 0;
  if (istartsWith(uri, "https:")) {
    at = 6;
  } else if (!secure_only && istartsWith(uri, "http:")) {
    at = 5;
  } else {
    return false;
  }
  while (at < uri.size() && uri[at] == '/') ++at;
  std::string_view rest = uri.substr(at);
  const size_t user_end = rest.find_first_of("@/");
  if (user_end != std::string_view::npos && user_end > 0 && rest[user_end] == '@')
    rest.remove_prefix(user_end + 1);
  size_t i = 0;
  for (int group = 0; group < 4; ++group) {
    if (group > 0) {
      if (i >= rest.size() || rest[i] != '.') return false;
      ++i;
    }
    const size_t digits = i;
    while (i < rest.size() && isAsciiDigit(rest[i])) ++i;
    if (i == digits) return false;
  }
  return true;
}

bool containsHttps(std::string_view text) {
  for (size_t at = 0; at + 6 <= text.size(); ++at) {
    if (iequals(text.substr(at, 6), "https:")) return true;
  }
  return false;
}

// HTTPSMismatch::check_https_http_mismatch on one document: the mismatch found (linked domain
// and shown https host) and the number of links to valid domains with anchor text.
struct MismatchResult {
  std::optional<std::string> mismatch;
  int anchors = 0;
};

MismatchResult httpsHttpMismatch(const HtmlAnchors& document, const RegistryBoundaries& rb) {
  MismatchResult out;
  for (const auto& [href, texts] : document.anchor_texts) {
    if (texts.empty()) continue;
    const auto host = httpHost(href);
    if (!host || isIpAddress(*host)) continue;
    const std::string linked = rb.domainOf(*host);
    if (!rb.isDomainValid(linked)) continue;
    ++out.anchors;
    if (out.mismatch) continue;
    for (const auto& text : texts) {
      const auto https = httpsHostIn(text);
      if (!https) continue;
      std::string shown(*https);
      if (!isIpAddress(shown)) {
        shown = rb.domainOf(shown);
        if (!rb.isDomainValid(shown)) continue;
      }
      if (toLower(shown) == linked) continue;
      out.mismatch = "link to " + linked + " shown as https://" + std::string(*https);
      break;
    }
  }
  return out;
}

}  // namespace

void registerUriEvals(EvalRegistry& registry) {
  registry.add(
      "check_https_http_mismatch",
      [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
        double min = 0;
        std::optional<double> max;
        if (args.size() > 2 || (!args.empty() && !evalNumber(args[0], min)))
          return evalArgumentError("check_https_http_mismatch", "([min_anchors[, max_anchors]])");
        if (args.size() == 2) {
          double value = 0;
          if (!evalNumber(args[1], value))
            return evalArgumentError("check_https_http_mismatch", "([min_anchors[, max_anchors]])");
          max = value;
        }
        if (min == 0) min = 1;
        return EvalBuild::success([min, max, rb = RegistryBoundaries::of(context)](
                                      const EvalInput& in, std::string* evidence) {
          if (!in.view.message) return false;
          for (const HtmlAnchors& document : messageAnchors(in).documents) {
            const MismatchResult result = httpsHttpMismatch(document, *rb);
            if (!result.mismatch || result.anchors < min || (max && result.anchors >= *max))
              continue;
            if (evidence) *evidence = *result.mismatch;
            return true;
          }
          return false;
        });
      });

  registry.add("check_https_ip_mismatch",
               [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_https_ip_mismatch", "no arguments");
                 return EvalBuild::success([](const EvalInput& in, std::string* evidence) {
                   if (!in.view.message) return false;
                   for (const HtmlAnchors& document : messageAnchors(in).documents) {
                     for (const auto& [href, texts] : document.anchor_texts) {
                       if (!linksToIp(href, false)) continue;
                       for (const auto& text : texts) {
                         if (linksToIp(text, true) || !containsHttps(text)) continue;
                         if (evidence) *evidence = "link to " + href + " shown as https";
                         return true;
                       }
                     }
                   }
                   return false;
                 });
               });

  registry.add("check_uri_truncated",
               [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
                 if (!args.empty()) return evalArgumentError("check_uri_truncated", "no arguments");
                 return EvalBuild::success([](const EvalInput& in, std::string* evidence) {
                   bool truncated = false;
                   for (std::string_view uri : in.view.uris)
                     truncated = truncated || uri.size() > kMaxUriLength;
                   if (!truncated && in.view.message) {
                     for (const HtmlAnchors& document : messageAnchors(in).documents)
                       truncated = truncated || document.uri_truncated;
                   }
                   if (truncated && evidence) *evidence = "a URI longer than 8192 bytes";
                   return truncated;
                 });
               });
}

}  // namespace portcullis::content
