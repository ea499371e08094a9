// What the console shows of a quarantined message's content, made from its bytes with the
// gateway's own MIME parser: the header fields (decoded), the text of its text parts (HTML already
// rendered to plain text by the parser: no markup, no remote content is ever fetched or shown),
// and the list of attachments. The text is cut at a byte limit; nothing here is HTML-escaped yet.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/spool/result.h"

namespace portcullis::web {

struct ShownAttachment {
  std::string filename;
  std::string type;
  uint64_t size = 0;
};

struct MessageView {
  std::vector<std::pair<std::string, std::string>> headers;  // name, decoded value
  std::string text;
  bool text_cut = false;  // more text than max_text_bytes
  std::vector<ShownAttachment> attachments;
};

// Why rules hit a message, by rule name: `matched "text"` or `because ...` (see
// ConsoleServices::explain).
using RuleEvidence = std::map<std::string, std::string>;

// An error (never an exception) when the message cannot be parsed at all.
spool::Result<MessageView> viewMessage(std::string_view raw, uint64_t max_text_bytes);

}  // namespace portcullis::web
