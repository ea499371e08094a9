// Edits the header section of a message on its way through the gateway: prepends fields (Received,
// Authentication-Results, X-Spam-*), removes fields senders must not be able to forge, and
// prefixes the Subject. The body is never touched. Pure functions on CRLF messages.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/report.h"

namespace portcullis {

struct HeaderEdit {
  std::vector<HeaderField> prepend;  // in this order, at the top
  // Called with (name, unfolded value) of every existing field; true removes it.
  std::function<bool(std::string_view name, std::string_view value)> remove;
  std::string subject_prefix;  // added to Subject (once) when non-empty
};

std::string editHeaders(std::string_view message, const HeaderEdit& edit);

// "Name: value" folded at whitespace to stay within 78 characters where possible, CRLF-terminated.
std::string formatField(const HeaderField& field);

}  // namespace portcullis
