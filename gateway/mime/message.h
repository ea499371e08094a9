// The parsed message model every content check reads: the header section (unfolded, RFC 2047
// decoded to UTF-8, raw form kept), the MIME tree with each leaf's decoded content, the texts
// SpamAssassin's rule types see (body, rawbody), the URIs and e-mail addresses found in the text
// and HTML, and the attachment list. Parsing never fails: malformed input is parsed as far as it
// goes and recorded in anomalies(); limits (depth, parts, decoded bytes) stop work, never crash.
// A Message owns a copy of nothing but decoded data: raw views point into the buffer it was
// parsed from, which must outlive it.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::mime {

struct Limits {
  size_t max_depth = 20;                // multipart / message/rfc822 nesting
  size_t max_parts = 1000;              // MIME parts in the whole tree
  size_t max_decoded_bytes = 64 << 20;  // decoded content of all parts together
  size_t max_header_fields = 1000;      // per header section
  size_t max_text_bytes = 4 << 20;      // rendered body text SpamAssassin rules see
  size_t max_uris = 10000;              // URIs, and separately e-mail addresses
};

struct Header {
  std::string name;      // as written (case preserved)
  std::string_view raw;  // the value as on the wire: after "name:", folding kept
  std::string value;     // unfolded, RFC 2047 decoded to UTF-8, leading whitespace removed
};

class HeaderList {
 public:
  const std::vector<Header>& all() const { return fields_; }
  // The first field with this name (case-insensitive), or nullptr.
  const Header* find(std::string_view name) const;
  // Every field with this name, in order.
  std::vector<const Header*> findAll(std::string_view name) const;
  void add(Header h) { fields_.push_back(std::move(h)); }
  void reserve(size_t count) { fields_.reserve(count); }

 private:
  std::vector<Header> fields_;
};

struct Part {
  HeaderList headers;
  std::string content_type = "text/plain";  // lowercased "type/subtype"; default per RFC 2045
  std::string charset;                      // lowercased; empty when not given
  std::string boundary;                     // multipart only
  std::string transfer_encoding;            // lowercased; empty means 7bit
  std::string disposition;                  // lowercased "inline"/"attachment" or empty
  std::string filename;       // from Content-Disposition filename or type name=, UTF-8
  std::string_view raw_body;  // the body as on the wire, before decoding
  std::string_view preamble;  // multipart only: text before the first boundary
  std::string_view epilogue;  // multipart only: text after the closing boundary
  std::string decoded;        // leaf parts: content after transfer decoding
  std::string text;           // text/* leaves: UTF-8 text (HTML rendered to text)
  int depth = 0;
  int parent = -1;  // index into Message::parts(), -1 for the root
  std::vector<int> children;
  bool is_multipart() const { return content_type.rfind("multipart/", 0) == 0; }
  bool is_message() const { return content_type == "message/rfc822"; }
};

struct Attachment {
  int part = -1;              // index into Message::parts()
  std::string filename;       // may be empty
  std::string declared_type;  // Content-Type as declared
  size_t size = 0;            // decoded size
  // Content taken out of a text body (a uuencoded block); null when the content is the part's
  // decoded content. Read either through Message::content().
  std::shared_ptr<const std::string> extracted;
};

// Things wrong with the message, each recorded once; checks may turn them into symbols.
enum class Anomaly : uint32_t {
  DepthLimit = 1 << 0,
  PartLimit = 1 << 1,
  DecodedLimit = 1 << 2,
  HeaderLimit = 1 << 3,
  MissingBoundary = 1 << 4,  // multipart whose closing boundary never came, or with no usable
                             // boundary at all (its body is then read as text/plain)
  BadBase64 = 1 << 5,
  BadQuotedPrintable = 1 << 6,
  BadEncodedWord = 1 << 7,
  UnknownCharset = 1 << 8,
  MalformedHeader = 1 << 9,  // a header line without a colon, a NUL, etc.
  EightBitHeader = 1 << 10,
  TextLimit = 1 << 11,
  UriLimit = 1 << 12,  // more URIs or e-mail addresses than Limits::max_uris
};

class Message {
 public:
  // Parses `raw` (CRLF or LF line ends; an mbox "From " first line is skipped). The message keeps
  // views into `raw`, which must outlive it: a temporary string is refused at compile time.
  static Message parse(std::string_view raw, const Limits& limits = {});
  template <typename String>
  requires std::same_as<String, std::string>
  static Message parse(String&& raw, const Limits& limits = {}) = delete;

  std::string_view raw() const { return raw_; }
  const HeaderList& headers() const { return parts_.front().headers; }
  std::string_view rawHeaderSection() const { return raw_header_section_; }
  const std::vector<Part>& parts() const { return parts_; }

  // What SpamAssassin's `body` rules see: the Subject, then the decoded, rendered text of the
  // text parts, as lines (paragraphs joined, HTML rendered); separated by '\n'.
  const std::string& bodyText() const { return body_text_; }
  // What `rawbody` rules see: decoded text parts, HTML not rendered, as lines.
  const std::string& rawBodyText() const { return raw_body_text_; }
  // URIs from text and HTML (href, src, ...), de-obfuscated as SpamAssassin does, in order.
  const std::vector<std::string>& uris() const { return uris_; }
  const std::vector<std::string>& emailAddresses() const { return emails_; }
  const std::vector<Attachment>& attachments() const { return attachments_; }
  // The decoded content of an attachment of this message.
  std::string_view content(const Attachment& a) const {
    return a.extracted ? std::string_view(*a.extracted) : std::string_view(parts_[a.part].decoded);
  }

  bool has(Anomaly a) const { return (anomalies_ & static_cast<uint32_t>(a)) != 0; }
  uint32_t anomalies() const { return anomalies_; }

 private:
  friend class Parser;
  std::string_view raw_;
  std::string_view raw_header_section_;
  std::vector<Part> parts_;  // parts_[0] is the root (the message itself)
  std::string body_text_;
  std::string raw_body_text_;
  std::vector<std::string> uris_;
  std::vector<std::string> emails_;
  std::vector<Attachment> attachments_;
  // Decoded bodies of transfer-encoded message/rfc822 parts, which the raw views of the parts
  // inside them point into (shared so that copies of the Message stay valid).
  std::vector<std::shared_ptr<const std::string>> owned_buffers_;
  uint32_t anomalies_ = 0;
};

}  // namespace portcullis::mime
