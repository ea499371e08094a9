// The author of a message as DKIM (DKIM_VALID_AU) and DMARC (RFC 7489 §3.1) see it: the domains
// of the mailboxes in the RFC 5322 From field(s). Parsing is tolerant (comments, quoted display
// names with commas or '@', nested angle brackets) and pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "filters/dkim/message_fields.h"

namespace portcullis::dkim {

// The domain of each mailbox in a From field value, lowercased, in order; a mailbox without a
// domain gives an empty string.
std::vector<std::string> mailboxDomains(std::string_view from_value);

struct Author {
  size_t from_fields = 0;            // how many From fields the header has
  std::vector<std::string> domains;  // distinct non-empty mailbox domains, in order
  bool has_mailbox_without_domain = false;
};

Author authorOf(const RawMessage& message);

}  // namespace portcullis::dkim
