#include "filters/dmarc/alignment.h"

namespace portcullis::dmarc {

bool aligned(std::string_view authenticated, std::string_view author, AlignmentMode mode,
             const OrganizationalDomains& org) {
  std::string a = normalizeDomain(authenticated);
  std::string b = normalizeDomain(author);
  if (a.empty() || b.empty()) return false;
  if (a == b) return true;
  return mode == AlignmentMode::Relaxed && org.of(a) == org.of(b);
}

}  // namespace portcullis::dmarc
