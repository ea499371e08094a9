// The messages a user's report carries, to be learnt: every message/rfc822 attachment (the way
// mail programs "forward as attachment"; nested ones inside them are part of their message, not
// reports of their own), or, when there is none, the forwarded text of an inline forward (from
// the "Forwarded message" / "Original Message" line on, or the whole first text part). At most
// `max_messages`; each is a raw message as the MIME parser reads it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gateway/mime/message.h"

namespace portcullis::learning {

std::vector<std::string> reportedMessages(const mime::Message& report, std::size_t max_messages);

}  // namespace portcullis::learning
