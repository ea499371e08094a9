// The HTML structure SpamAssassin's HTMLEval rules read ($pms->{html_all}): each text/html part
// parsed once, the way HTML::Parser tokenises it and Mail::SpamAssassin::HTML measures it (tag
// counts and balance, font colours and sizes, images, titles, anchors, comments, obfuscation).
// Pure code (standard library and gateway/mime's charset conversion) so that it can be fuzzed
// on its own. Work is linear in the document's size whatever the input: no recursion, no
// regex, the style stack and marked sections are kept with counts.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::mime {
class Message;
}

namespace portcullis::content {

// What Mail::SpamAssassin::HTML reports for one text/html part.
struct HtmlDocumentFacts {
  // Scalar results by SpamAssassin's names: html, length, image_area, min_size, max_size,
  // closed_extra_ratio, bad_tag_ratio, non_element_ratio, obfuscation_ratio, backhair_count,
  // html_length, non_space_len, ratio, and the flags font_low_contrast, font_invalid_color,
  // font_face_bad, form_action_mailto, embeds, uri_truncated. A name SpamAssassin leaves
  // undefined is absent.
  std::map<std::string, double, std::less<>> values;
  // Every tag seen (start or end, lowercased) with its open count, never below zero.
  std::map<std::string, long, std::less<>> inside;
  std::vector<std::string> comments;  // whole comments, "<!--" and "-->" included
  std::vector<std::string> scripts;   // text inside <script>
  std::vector<std::string> titles;    // text of each <title>
  std::vector<std::string> anchors;   // text of each <a>, "<img>\n" for an image in it
  std::vector<std::string> uris;      // link and object URIs, trimmed
  std::vector<std::string> charsets;  // from <meta http-equiv="Content-Type" content="...">
  std::string iframe_src;             // the first non-blank src of an <iframe>
  std::string contrast_evidence;      // the first near-invisible text: colours and distance

  // The scalar `name`, or nullptr when undefined.
  const double* value(std::string_view name) const;
  // The text list `name` (comment, script, title, anchor, uri), or nullptr for any other name.
  const std::vector<std::string>* texts(std::string_view name) const;
};

struct HtmlFacts {
  std::vector<HtmlDocumentFacts> documents;  // one per non-empty text/html leaf, in order
};

// Measures one HTML document given as UTF-8; `decoded_size` is its size in its own charset
// (for the rendered-to-raw `ratio`).
HtmlDocumentFacts analyzeHtml(std::string_view html, size_t decoded_size);

// Every non-empty text/html leaf of `message` (and leaves named *.htm, *.html, *.shtml),
// converted to UTF-8 from its declared charset.
HtmlFacts htmlFactsOf(const mime::Message& message);

}  // namespace portcullis::content
