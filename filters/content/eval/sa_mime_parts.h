// The MIME parts of a message as SpamAssassin's Message/Node classes describe them, for the eval
// families that read the MIME structure (MIMEEval, BodyEval, ImageInfo): each part of the parsed
// message (gateway/mime) with the content type, charset and name SpamAssassin's
// Util::parse_content_type derives from the part's last Content-Type field (so "text/enriched"
// is text/plain, a multipart without a boundary parameter is text/plain), the lowercased last
// Content-Transfer-Encoding and Content-Disposition values, and its raw lines (saRawLines). Parts
// are in SpamAssassin's find_parts order (depth first). Computed once per message from
// EvalInput::facts; empty when the view has no parsed message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/eval/eval_input.h"
#include "gateway/mime/message.h"

namespace portcullis::content {

struct SaContentType {
  std::string type;                    // lowercased "type/subtype", never empty
  std::optional<std::string> charset;  // as written (not lowercased), when given
  std::optional<std::string> boundary;
  std::string name;      // the name or filename parameter, or empty
  bool missing = false;  // no (usable) Content-Type: the type was forced to text/plain
};

// Util::parse_content_type on one Content-Type value.
SaContentType parseSaContentType(std::string_view value);

struct SaPart {
  // The gateway part holding this part's raw body. A multipart whose boundary never occurs is a
  // leaf for gateway/mime but a multipart with one header-less text part for SpamAssassin; that
  // part shares its container's gateway part.
  const mime::Part* part = nullptr;
  std::string type;     // SpamAssassin's type of the part
  std::string charset;  // lowercased; empty when not given
  bool has_charset = false;
  std::string boundary;  // multipart only: the boundary as SpamAssassin reads it
  std::string name;      // the attachment name (Content-Disposition name=, else Content-Type's)
  std::string transfer_encoding;  // lowercased last Content-Transfer-Encoding value, or ""
  std::string disposition;        // lowercased last Content-Disposition value, or ""
  bool leaf = true;
  int parent = -1;  // index into SaMimeParts::parts

  // Node::effective_type: a part named *.htm(l) is HTML whatever its declared type.
  std::string_view effectiveType() const;
  bool isAttachment() const { return disposition.find("attachment") != std::string::npos; }
};

struct SaMimeParts {
  std::vector<SaPart> parts;
  bool crlf = false;  // the message uses CRLF line ends (SpamAssassin reads them as LF)
};

// The parts of the message of `input`, computed on first use in the scan.
const SaMimeParts& saMimeParts(const EvalInput& input);

// One raw line of a part's body as SpamAssassin holds it: the text without its line break (and
// without the CR of a CRLF when the message uses CRLF), and whether a line break followed.
struct SaLine {
  std::string_view text;
  bool newline = false;
  size_t length() const { return text.size() + (newline ? 1 : 0); }  // Perl's length($line)
};

// The raw lines of a body.
std::vector<SaLine> saRawLines(std::string_view body, bool crlf);

// Calls `visit(const SaLine&)` on each raw line of a body, in order (saRawLines without the
// vector).
template <typename Visit>
void forEachSaRawLine(std::string_view body, bool crlf, Visit&& visit) {
  size_t at = 0;
  while (at < body.size()) {
    const size_t nl = body.find('\n', at);
    if (nl == std::string_view::npos) {
      visit(SaLine{body.substr(at), false});
      return;
    }
    size_t end = nl;
    if (crlf && end > at && body[end - 1] == '\r') --end;
    visit(SaLine{body.substr(at, end - at), true});
    at = nl + 1;
  }
}

}  // namespace portcullis::content
