// The texts of one message that content rules look at, gathered once per message and independent
// of the MIME parser: header fields (raw and decoded), each MIME part's header fields, the body
// texts SpamAssassin's rule types see, the URIs, and the pseudo-headers SpamAssassin synthesises
// (EnvelopeFrom, X-Spam-Relays-*). Views point into storage owned by the caller.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/rule.h"

namespace portcullis::content {

struct ViewHeader {
  std::string_view name;
  std::string_view raw;      // as on the wire after the colon, folding kept
  std::string_view decoded;  // unfolded, RFC 2047 decoded
};

struct ViewPart {
  std::vector<ViewHeader> headers;
  std::string_view content_type;  // lowercased type/subtype
  bool is_leaf = true;
};

struct ContentView {
  std::vector<ViewHeader> headers;  // the message's own header section, in order
  std::string_view raw_header_section;
  std::vector<ViewPart> parts;  // every MIME part; parts[0] is the message itself
  std::string_view full;        // the whole raw message (`full` rules)
  std::string_view body;        // rendered text with the Subject first (`body` rules)
  std::string_view rawbody;     // decoded, unrendered text (`rawbody` rules)
  std::vector<std::string_view> uris;
  std::vector<std::pair<std::string, std::string>> pseudo_headers;  // name -> value
  bool missing_mime_boundary = false;
};

// The text a header or mimeheader rule sees for `name` read as `form`, or nullopt when no such
// header exists: every instance, each followed by '\n' (Mail::SpamAssassin::PerMsgStatus::get).
// Knows ALL, ToCc, MESSAGEID and the pseudo-headers.
std::optional<std::string> headerText(const ContentView& view, std::string_view name,
                                      HeaderForm form);
// The same over a single part's header fields (mimeheader rules).
std::optional<std::string> partHeaderText(const ViewPart& part, std::string_view name,
                                          HeaderForm form);

// Addresses and display names in a header value (for :addr and :name), in order.
struct MailboxText {
  std::string address;
  std::string name;
};
std::vector<MailboxText> parseMailboxes(std::string_view value);

}  // namespace portcullis::content
