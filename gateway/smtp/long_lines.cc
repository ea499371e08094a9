#include "gateway/smtp/long_lines.h"

#include <string>

#include "gateway/base/text.h"

namespace portcullis::smtp {

bool hasTextLines(const Envelope& envelope) {
  return !iequals(envelope.params.body, "BINARYMIME");
}

std::optional<Reply> refuseLongLines(const LongLinePolicy& policy, const Envelope& envelope,
                                     std::string_view message) {
  if (policy.action != LongLineAction::Refuse || policy.limit == 0 || !hasTextLines(envelope)) {
    return std::nullopt;
  }
  size_t longest = longestLine(message);
  if (longest <= policy.limit) return std::nullopt;
  return Reply{554, "5.6.0",
               "Error: message has a line of " + std::to_string(longest) +
                   " octets; lines may be at most " + std::to_string(policy.limit) +
                   " octets (RFC 5321 4.5.3.1.6)"};
}

}  // namespace portcullis::smtp
