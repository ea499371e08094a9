#include "filters/dnsbl/uri_hosts.h"

#include <libpsl.h>

#include <set>
#include <stdexcept>

#include "gateway/base/text.h"

namespace portcullis::dnsbl {

struct RegisteredDomains::Psl {
  psl_ctx_t* ctx = nullptr;
};

std::string uriHost(std::string_view uri) {
  std::string_view rest = uri;
  if (istartsWith(rest, "mailto:")) {
    rest.remove_prefix(7);
    size_t at = rest.rfind('@');
    if (at == std::string_view::npos) return {};
    rest = rest.substr(at + 1);
  } else if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#\\ \t"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return {};
    return toLower(rest.substr(1, close - 1));
  }
  rest = rest.substr(0, rest.find(':'));
  while (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  return toLower(rest);
}

RegisteredDomains::RegisteredDomains() : psl_(std::make_unique<Psl>()) {
  psl_->ctx = psl_latest(nullptr);
  if (!psl_->ctx) throw std::runtime_error("libpsl: no public suffix list available");
}

RegisteredDomains::~RegisteredDomains() {
  psl_free(psl_->ctx);
}

std::string RegisteredDomains::of(std::string_view host) const {
  if (host.empty() || host.find('.') == std::string_view::npos) return {};
  std::string name(host);
  const char* registered = psl_registrable_domain(psl_->ctx, name.c_str());
  return registered ? std::string(registered) : std::string();
}

std::vector<UriSubject> RegisteredDomains::subjects(const std::vector<std::string>& uris,
                                                    size_t limit) const {
  std::vector<UriSubject> out;
  std::set<std::string> seen;
  for (const auto& uri : uris) {
    if (out.size() >= limit) break;
    std::string host = uriHost(uri);
    if (host.empty()) continue;
    UriSubject subject;
    if (auto address = dns::IpAddress::parse(host)) {
      subject.address = address;
      host = address->toString();
    } else {
      subject.domain = of(host);
      if (subject.domain.empty()) continue;
      host = subject.domain;
    }
    if (seen.insert(host).second) out.push_back(std::move(subject));
  }
  return out;
}

}  // namespace portcullis::dnsbl
