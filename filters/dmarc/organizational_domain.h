// Organisational domains (RFC 7489 §3.2) from the Public Suffix List via libpsl: the registrable
// domain, or the domain itself when it is a public suffix. Immutable and thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

struct psl_ctx_st;

namespace portcullis::dmarc {

class OrganizationalDomains {
 public:
  // libpsl's newest list: its built-in one or the distribution's file, whichever is newer.
  static std::shared_ptr<const OrganizationalDomains> latest();
  // A PSL file (public_suffix_list.dat); nullptr when it cannot be loaded.
  static std::shared_ptr<const OrganizationalDomains> fromFile(const std::filesystem::path& path);

  ~OrganizationalDomains();
  OrganizationalDomains(const OrganizationalDomains&) = delete;
  OrganizationalDomains& operator=(const OrganizationalDomains&) = delete;

  // `domain` lowercased, without leading or trailing dots.
  std::string of(std::string_view domain) const;

 private:
  explicit OrganizationalDomains(psl_ctx_st* psl);
  psl_ctx_st* psl_;
};

// Lowercased, leading and trailing dots removed.
std::string normalizeDomain(std::string_view domain);

}  // namespace portcullis::dmarc
