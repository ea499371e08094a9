#include "gateway/mime/message.h"

#include <algorithm>

#include "gateway/base/text.h"
#include "gateway/mime/body_text.h"
#include "gateway/mime/charset.h"
#include "gateway/mime/encoded_word.h"
#include "gateway/mime/header_fields.h"
#include "gateway/mime/html_text.h"
#include "gateway/mime/transfer_decoding.h"
#include "gateway/mime/uri_extractor.h"

namespace portcullis::mime {

const Header* HeaderList::find(std::string_view name) const {
  for (const Header& h : fields_)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

std::vector<const Header*> HeaderList::findAll(std::string_view name) const {
  std::vector<const Header*> found;
  for (const Header& h : fields_)
    if (iequals(h.name, name)) found.push_back(&h);
  return found;
}

namespace {

// Recursion bound whatever Limits::max_depth says: each level costs a few stack frames.
constexpr size_t kHardMaxDepth = 256;

// Whether a text/plain body is really HTML, by SpamAssassin's test (a telltale tag near the start).
bool looksLikeHtml(std::string_view text) {
  std::string_view head = text.substr(0, 64);
  size_t lt = head.find('<');
  if (lt == std::string_view::npos || lt > 18) return false;
  std::string_view tag = text.substr(lt + 1);
  for (std::string_view name : {"body", "head", "html", "img", "pre", "table", "title"}) {
    if (istartsWith(tag, name) && tag.size() > name.size() &&
        (tag[name.size()] == '>' || isAsciiSpace(tag[name.size()])))
      return true;
  }
  return false;
}

bool isIdentityEncoding(std::string_view cte) {
  return cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary";
}

}  // namespace

// Builds a Message: the MIME tree depth first (so leaves come in document order), the texts
// body and rawbody rules see as each text leaf is decoded, then URIs and attachments.
class Parser {
 public:
  Parser(Message& message, const Limits& limits)
      : m_(message),
        limits_(limits),
        max_depth_(std::min(limits.max_depth, kHardMaxDepth)),
        collector_(limits.max_uris, limits.max_uris) {}

  void run(std::string_view raw) {
    m_.raw_ = raw;
    std::string_view entity = raw;
    if (entity.starts_with("From ")) {
      size_t nl = entity.find('\n');
      entity = nl == std::string_view::npos ? std::string_view() : entity.substr(nl + 1);
    }
    parseEntity(entity, -1, 0, "text/plain");
    finish();
  }

 private:
  void flag(Anomaly a) { m_.anomalies_ |= static_cast<uint32_t>(a); }

  void parseEntity(std::string_view entity, int parent, int depth, std::string_view default_type) {
    if (m_.parts_.size() >= std::max<size_t>(limits_.max_parts, 1)) {  // the root always exists
      flag(Anomaly::PartLimit);
      return;
    }
    int index = static_cast<int>(m_.parts_.size());
    m_.parts_.emplace_back();
    if (parent >= 0) m_.parts_[parent].children.push_back(index);
    Part& part = m_.parts_.back();
    part.depth = depth;
    part.parent = parent;

    RawHeaderSection section = splitHeaderSection(entity, limits_.max_header_fields);
    if (section.malformed) flag(Anomaly::MalformedHeader);
    if (section.truncated) flag(Anomaly::HeaderLimit);
    if (parent < 0) m_.raw_header_section_ = entity.substr(0, section.header_end);
    readHeaders(part, section, default_type);
    part.raw_body = entity.substr(section.body_offset);
    if (parent < 0) startBodyText(part);

    bool container = part.is_multipart() || part.is_message();
    if (container && static_cast<size_t>(depth) >= max_depth_) {
      flag(Anomaly::DepthLimit);
      decodeLeaf(index);
      return;
    }
    if (part.is_multipart()) {
      parseMultipart(index, depth);
    } else if (part.is_message()) {
      parseEmbeddedMessage(index, depth);
    } else {
      decodeLeaf(index);
    }
  }

  void readHeaders(Part& part, const RawHeaderSection& section, std::string_view default_type) {
    const RawField* content_type = nullptr;
    const RawField* disposition = nullptr;
    const RawField* encoding = nullptr;
    part.headers.reserve(section.fields.size());
    for (const RawField& field : section.fields) {
      Header header;
      header.name = std::string(field.name);
      header.raw = field.value;
      std::string unfolded = unfoldHeaderValue(field.value);
      if (isPlainHeaderText(unfolded)) {
        header.value = std::move(unfolded);  // decoding would copy it unchanged
      } else {
        HeaderTextFlags flags;
        appendDecodedHeaderText(unfolded, header.value, flags);
        if (flags.bad_encoded_word) flag(Anomaly::BadEncodedWord);
        if (flags.unknown_charset) flag(Anomaly::UnknownCharset);
        if (flags.eight_bit) flag(Anomaly::EightBitHeader);
      }
      part.headers.add(std::move(header));
      if (!content_type && iequals(field.name, "content-type")) content_type = &field;
      if (!disposition && iequals(field.name, "content-disposition")) disposition = &field;
      if (!encoding && iequals(field.name, "content-transfer-encoding")) encoding = &field;
    }
    part.content_type = std::string(default_type);
    if (content_type) {
      ParameterizedValue value = parseParameterizedValue(unfoldHeaderValue(content_type->value));
      size_t slash = value.value.find('/');
      if (slash != std::string::npos && slash > 0 && slash + 1 < value.value.size())
        part.content_type = value.value;
      else if (value.value == "text")
        part.content_type = "text/plain";
      if (const std::string* charset = value.param("charset"))
        part.charset = toLower(trimAsciiSpace(*charset));
      if (const std::string* boundary = value.param("boundary")) part.boundary = *boundary;
      if (const std::string* name = value.param("name")) part.filename = *name;
    }
    if (disposition) {
      ParameterizedValue value = parseParameterizedValue(unfoldHeaderValue(disposition->value));
      part.disposition = value.value;
      if (const std::string* filename = value.param("filename"); filename && !filename->empty())
        part.filename = *filename;
    }
    if (encoding) {
      std::string unfolded = unfoldHeaderValue(encoding->value);
      std::string_view token = unfolded;
      token = token.substr(0, std::min(token.find(';'), token.find('(')));
      part.transfer_encoding = toLower(trimAsciiSpace(token));
    }
  }

  void parseMultipart(int index, int depth) {
    std::string delimiter = "--" + m_.parts_[index].boundary;
    std::string_view body = m_.parts_[index].raw_body;
    std::string_view child_type =
        m_.parts_[index].content_type == "multipart/digest" ? "message/rfc822" : "text/plain";
    if (m_.parts_[index].boundary.empty()) {
      treatAsText(index);
      return;
    }
    // Offsets of delimiter lines: where the line (with the line break before it) starts and
    // where the content after it starts.
    size_t content_start = std::string_view::npos;
    bool closed = false;
    bool found_any = false;
    size_t search = 0;
    while (search < body.size()) {
      size_t at = body.find(delimiter, search);
      if (at == std::string_view::npos) break;
      search = at + delimiter.size();
      if (at != 0 && body[at - 1] != '\n') continue;
      size_t line_end = body.find('\n', search);
      std::string_view after = body.substr(
          search, (line_end == std::string_view::npos ? body.size() : line_end) - search);
      bool closing = after.starts_with("--");
      if (closing) after.remove_prefix(2);
      if (!trimAsciiSpace(after).empty()) continue;
      size_t boundary_line_start = at;
      if (boundary_line_start > 0) --boundary_line_start;  // the '\n' before the delimiter
      if (boundary_line_start > 0 && body[boundary_line_start - 1] == '\r') --boundary_line_start;
      if (!found_any) {
        m_.parts_[index].preamble = body.substr(0, at == 0 ? 0 : boundary_line_start);
      } else {
        addChild(index,
                 body.substr(content_start,
                             std::max(boundary_line_start, content_start) - content_start),
                 depth, child_type);
      }
      found_any = true;
      content_start = line_end == std::string_view::npos ? body.size() : line_end + 1;
      search = content_start;
      if (closing) {
        closed = true;
        m_.parts_[index].epilogue = body.substr(content_start);
        break;
      }
      if (m_.parts_.size() >= limits_.max_parts) {
        flag(Anomaly::PartLimit);
        return;
      }
    }
    if (!found_any) {
      treatAsText(index);
      return;
    }
    if (!closed) {
      flag(Anomaly::MissingBoundary);
      addChild(index, body.substr(content_start), depth, child_type);
    }
  }

  void addChild(int index, std::string_view entity, int depth, std::string_view child_type) {
    parseEntity(entity, index, depth + 1, child_type);
  }

  // A multipart without a usable boundary: its body is read as plain text, as mail readers do.
  void treatAsText(int index) {
    flag(Anomaly::MissingBoundary);
    m_.parts_[index].content_type = "text/plain";
    decodeLeaf(index);
  }

  void parseEmbeddedMessage(int index, int depth) {
    Part& part = m_.parts_[index];
    std::string_view body = part.raw_body;
    if (!isIdentityEncoding(part.transfer_encoding)) {
      decodeContent(index);
      auto buffer = std::make_shared<const std::string>(std::move(m_.parts_[index].decoded));
      m_.parts_[index].decoded.clear();
      m_.parts_[index].text.clear();
      m_.owned_buffers_.push_back(buffer);
      body = *buffer;
    }
    parseEntity(body, index, depth + 1, "text/plain");
  }

  void decodeLeaf(int index) {
    decodeContent(index);
    Part& part = m_.parts_[index];
    if (part.content_type.starts_with("text/") || part.content_type.starts_with("message/"))
      addText(part);
  }

  // Undoes the Content-Transfer-Encoding into Part::decoded, within the decoded-bytes budget.
  void decodeContent(int index) {
    Part& part = m_.parts_[index];
    size_t budget = limits_.max_decoded_bytes - std::min(limits_.max_decoded_bytes, decoded_total_);
    std::string_view body = part.raw_body;
    const std::string& cte = part.transfer_encoding;
    DecodeStatus status;
    if (cte == "base64") {
      status = decodeBase64(body, part.decoded, budget);
      if (status.malformed) flag(Anomaly::BadBase64);
    } else if (cte == "quoted-printable") {
      status = decodeQuotedPrintable(body, part.decoded, budget);
      if (status.malformed) flag(Anomaly::BadQuotedPrintable);
    } else if (cte == "x-uuencode" || cte == "uuencode" || cte == "x-uue") {
      status = decodeUuencode(body, part.decoded, budget);
    } else {
      status.truncated = body.size() > budget;
      part.decoded.assign(body.substr(0, budget));
    }
    if (status.truncated) flag(Anomaly::DecodedLimit);
    decoded_total_ += part.decoded.size();
  }

  // Converts a text leaf to UTF-8, renders HTML, and feeds the body and rawbody texts.
  void addText(Part& part) {
    std::string utf8;
    if (!appendAsUtf8(part.decoded, part.charset, utf8)) flag(Anomaly::UnknownCharset);
    bool textual = part.content_type.starts_with("text/");
    bool html = part.content_type == "text/html" ||
                (part.content_type == "text/plain" && looksLikeHtml(utf8));
    bool rendered = part.content_type == "text/plain" || part.content_type == "text/html";

    appendLimited(raw_text_, raw_text_.empty() ? std::string_view() : "\n");
    appendLimited(raw_text_, utf8);

    if (html) {
      HtmlRendering rendering = renderHtml(utf8, limits_.max_text_bytes, limits_.max_uris);
      if (rendering.truncated) flag(Anomaly::TextLimit);
      for (const std::string& uri : rendering.uris)
        collector_.addFromHtml(uri, rendering.base_href);
      part.text = std::move(rendering.text);
    } else if (textual) {
      part.text = std::move(utf8);
    }
    // SpamAssassin puts a line break before every text/* and message/* leaf, and the rendered
    // text of text/plain and text/html after it.
    if (!body_source_.empty()) appendLimited(body_source_, "\n");
    if (rendered) appendLimited(body_source_, part.text);
  }

  void appendLimited(std::string& target, std::string_view s) {
    size_t room = limits_.max_text_bytes - std::min(limits_.max_text_bytes, target.size());
    if (s.size() > room) {
      flag(Anomaly::TextLimit);
      s = s.substr(0, room);
    }
    target.append(s);
  }

  void startBodyText(const Part& root) {
    const Header* subject = root.headers.find("subject");
    if (subject && !subject->value.empty()) appendLimited(body_source_, subject->value);
    appendLimited(body_source_, "\n");
  }

  void finish() {
    appendParagraphLines(body_source_, m_.body_text_);
    body_source_.clear();
    body_source_.shrink_to_fit();
    appendShortLines(raw_text_, m_.raw_body_text_);
    collector_.addFromText(m_.body_text_);
    m_.uris_ = std::move(collector_.uris());
    m_.emails_ = std::move(collector_.emailAddresses());
    if (m_.uris_.size() >= limits_.max_uris) flag(Anomaly::UriLimit);
    collectAttachments();
  }

  void collectAttachments() {
    for (size_t i = 0; i < m_.parts_.size(); ++i) {
      const Part& part = m_.parts_[i];
      if (part.is_multipart() || part.is_message()) continue;  // containers (or cut at a limit)
      bool body_text = (part.content_type == "text/plain" || part.content_type == "text/html") &&
                       part.disposition != "attachment" && part.filename.empty();
      if (!body_text) {
        Attachment attachment;
        attachment.part = static_cast<int>(i);
        attachment.filename = part.filename;
        attachment.declared_type = part.content_type;
        attachment.size = part.decoded.size();
        m_.attachments_.push_back(std::move(attachment));
      }
      if (part.content_type.starts_with("text/")) addUuencodedBlocks(static_cast<int>(i));
    }
  }

  void addUuencodedBlocks(int index) {
    const Part& part = m_.parts_[index];
    if (part.decoded.find("begin ") == std::string::npos) return;
    for (const UuencodedBlock& block : findUuencodedBlocks(part.decoded)) {
      size_t budget =
          limits_.max_decoded_bytes - std::min(limits_.max_decoded_bytes, decoded_total_);
      auto content = std::make_shared<std::string>();
      DecodeStatus status = decodeUuencode(block.lines, *content, budget);
      if (status.truncated) flag(Anomaly::DecodedLimit);
      decoded_total_ += content->size();
      Attachment attachment;
      attachment.part = index;
      appendAsUtf8(block.filename, {}, attachment.filename);
      attachment.declared_type = "application/octet-stream";
      attachment.size = content->size();
      attachment.extracted = std::move(content);
      m_.attachments_.push_back(std::move(attachment));
    }
  }

  Message& m_;
  const Limits& limits_;
  size_t max_depth_;
  size_t decoded_total_ = 0;
  std::string body_source_;  // Subject and rendered text before SpamAssassin's line joining
  std::string raw_text_;     // decoded text leaves for rawbody
  UriCollector collector_;
};

Message Message::parse(std::string_view raw, const Limits& limits) {
  Message message;
  Parser(message, limits).run(raw);
  return message;
}

}  // namespace portcullis::mime
