// The texts of one message that content rules look at, gathered once per message: header fields
// (raw and decoded), each MIME part's header fields, the body texts SpamAssassin's rule types see,
// the URIs, and what eval tests read beyond them (the parsed message, the SMTP envelope, the
// client that connected to us, our own authentication results). Regex rules need only the texts,
// so a view may be built without a parsed message (tests, the fuzzer); evals that need one then
// do not hit. The pseudo-headers SpamAssassin synthesises (EnvelopeFrom, X-Spam-Relays-*) are
// answered per scan from the relay model (eval/message_facts.h). Views point into storage owned
// by the caller.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/rule.h"
#include "gateway/core/auth_results.h"

namespace portcullis::mime {
class Message;
}

namespace portcullis::content {

class ClassifierRun;  // eval/classifier_facts.h

// The client that connected to us, known first-hand (SMTP session or milter): the first
// untrusted relay of the relay model. Absent when scanning a file.
struct FirstHandClient {
  std::string address;    // textual IP
  std::string rdns;       // verified (forward-confirmed) reverse name, or empty
  std::string helo;       // EHLO/HELO argument
  std::string by;         // our own host name, as our Received field names it
  std::string id;         // our queue id
  std::string auth_user;  // authenticated identity, or empty
  bool esmtp = false;     // EHLO rather than HELO
  bool tls = false;       // STARTTLS was used
};

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

  const mime::Message* message = nullptr;  // the parsed message behind the view, when there is one
  std::optional<FirstHandClient> client;   // set by the SMTP and milter front ends
  std::optional<std::string> envelope_from;  // MAIL FROM ("" for <>); unset when scanning a file
  std::vector<std::string> recipients;       // RCPT TO addresses
  const AuthResults* auth = nullptr;         // SPF, DKIM and DMARC results of our own checks
  // The content check's classification of this message, computed on first use; when null,
  // check_bayes rules classify the message themselves, once per scan.
  const ClassifierRun* classifier_run = nullptr;
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
