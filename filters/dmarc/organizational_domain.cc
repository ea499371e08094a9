#include "filters/dmarc/organizational_domain.h"

#include <libpsl.h>

#include "gateway/base/text.h"

namespace portcullis::dmarc {

std::string normalizeDomain(std::string_view domain) {
  domain = trim(domain);
  while (!domain.empty() && domain.front() == '.') domain.remove_prefix(1);
  while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  return toLower(domain);
}

OrganizationalDomains::OrganizationalDomains(psl_ctx_st* psl) : psl_(psl) {}
OrganizationalDomains::~OrganizationalDomains() {
  psl_free(psl_);
}

std::shared_ptr<const OrganizationalDomains> OrganizationalDomains::latest() {
  psl_ctx_t* psl = psl_latest(nullptr);
  if (!psl) return nullptr;
  return std::shared_ptr<const OrganizationalDomains>(new OrganizationalDomains(psl));
}

std::shared_ptr<const OrganizationalDomains> OrganizationalDomains::fromFile(
    const std::filesystem::path& path) {
  psl_ctx_t* psl = psl_load_file(path.c_str());
  if (!psl) return nullptr;
  return std::shared_ptr<const OrganizationalDomains>(new OrganizationalDomains(psl));
}

std::string OrganizationalDomains::of(std::string_view domain) const {
  std::string normalized = normalizeDomain(domain);
  const char* registrable = psl_registrable_domain(psl_, normalized.c_str());
  return registrable ? std::string(registrable) : normalized;
}

}  // namespace portcullis::dmarc
