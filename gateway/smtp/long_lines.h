// What the gateway does with message lines longer than the internal MTA accepts: wrap them when
// relaying (the default, as Postfix's smtp_line_length_limit), or refuse the message at the end
// of DATA with 554 5.6.0 so it is never acknowledged. A BINARYMIME body (RFC 3030) has no lines
// and is neither wrapped nor refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "gateway/core/envelope.h"
#include "gateway/smtp/line_wrap.h"
#include "gateway/smtp/reply.h"

namespace portcullis::smtp {

enum class LongLineAction { Wrap, Refuse };

struct LongLinePolicy {
  size_t limit = kRfcLineLengthLimit;  // octets before the line end; 0: no limit
  LongLineAction action = LongLineAction::Wrap;
};

// Whether the body is made of lines (anything but BODY=BINARYMIME).
bool hasTextLines(const Envelope& envelope);

// The reply that refuses `message` at the end of DATA, or nothing when it may be accepted.
std::optional<Reply> refuseLongLines(const LongLinePolicy& policy, const Envelope& envelope,
                                     std::string_view message);

}  // namespace portcullis::smtp
