// Fits a message to the internal MTA's line length limit before it is relayed, in spool and
// proxy mode alike: lines over the limit are wrapped (gateway/smtp/line_wrap.h), and the DKIM
// signatures the wrap invalidates are named (a wrapped body line breaks every signature's body
// hash; a wrapped header line breaks the signatures whose h= lists that field). Pure but for
// logLineWrap(), which writes the one log line per message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/envelope.h"
#include "gateway/smtp/long_lines.h"

namespace portcullis::relay {

struct FittedMessage {
  std::string wrapped;                           // the message to send when wrapped_lines > 0
  size_t wrapped_lines = 0;                      // lines that were over the limit
  size_t longest_line = 0;                       // octets, before wrapping
  std::vector<std::string> broken_dkim_domains;  // d= of each signature the wrap breaks

  // What goes to the next hop: `original` itself when nothing was wrapped.
  std::string_view text(std::string_view original) const {
    return wrapped_lines > 0 ? std::string_view(wrapped) : original;
  }
};

FittedMessage fitLineLength(const smtp::LongLinePolicy& policy, const Envelope& envelope,
                            std::string_view message);
// The same, for a message whose longest line the caller measured already (smtp::lineShape()).
FittedMessage fitLineLength(const smtp::LongLinePolicy& policy, const Envelope& envelope,
                            std::string_view message, size_t longest_line);

// The message as it goes to the internal MTA, and whether its DATA transfer needs dot-stuffing,
// from one pass over it. Wrapping keeps every line end and starts each continuation line with a
// space, so the wrapped text needs dot-stuffing exactly when the original does.
struct RelayText {
  FittedMessage fitted;
  bool needs_dot_stuffing = false;
};
RelayText prepareForRelay(const smtp::LongLinePolicy& policy, const Envelope& envelope,
                          std::string_view message);

// "ID: 1 line over 998 octets (longest 5000) wrapped for the internal MTA" at info, or at warning
// with "; this breaks the DKIM signature of d=example.com" when it does. Nothing when nothing
// was wrapped.
void logLineWrap(std::string_view queue_id, size_t limit, const FittedMessage& fitted);

}  // namespace portcullis::relay
