// The links of an HTML document with the text shown for them, as Mail::SpamAssassin::HTML keeps
// them in uri_detail for URIEval and HTTPSMismatch: for every distinct <a href> value (trimmed,
// references decoded) the text of each anchor using it ("<img>\n" standing for an image inside),
// and whether a link or object URI exceeded SpamAssassin's URI length limit. One linear pass over
// the document, no regex; the content of <script> and <style> and comments is skipped.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::content {

// The longest URI SpamAssassin keeps whole (Mail::SpamAssassin::Constants::MAX_URI_LENGTH).
constexpr size_t kMaxUriLength = 8192;

struct HtmlAnchors {
  std::map<std::string, std::vector<std::string>> anchor_texts;  // href -> one text per <a>
  bool uri_truncated = false;  // an href/src/background/action value over kMaxUriLength bytes
};

HtmlAnchors htmlAnchors(std::string_view html);

}  // namespace portcullis::content
