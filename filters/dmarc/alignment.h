// Identifier alignment (RFC 7489 §3.1): strict means the same domain, relaxed means the same
// organisational domain. Pure apart from the PSL lookup.
#pragma once

#include <string_view>

#include "filters/dmarc/organizational_domain.h"
#include "filters/dmarc/record.h"

namespace portcullis::dmarc {

bool aligned(std::string_view authenticated, std::string_view author, AlignmentMode mode,
             const OrganizationalDomains& org);

}  // namespace portcullis::dmarc
