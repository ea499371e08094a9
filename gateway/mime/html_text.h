// HTML rendered to text the way SpamAssassin's HTML.pm renders it for `body` rules: tags removed,
// character references decoded, whitespace inside text collapsed to one space (NBSP too),
// <br>/<div> make a line break, <p>/<hr>/<blockquote>/<pre>/<title>... a paragraph break,
// <li>/<td>/<th>/<h1-6>... a space (at start and end tags alike), <script>/<style> content and
// comments dropped, the alt text of <img> included. Also collects the URIs of links and embedded
// objects (href, src, action, background, meta refresh) and the <base href>. One pass, no regex.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portcullis::mime {

struct HtmlRendering {
  std::string text;               // UTF-8 (the input is UTF-8)
  std::vector<std::string> uris;  // attribute values, references decoded, in document order
  std::string base_href;          // from <base href>, empty if none
  bool truncated = false;         // text reached max_text_bytes
};

HtmlRendering renderHtml(std::string_view html, size_t max_text_bytes, size_t max_uris);

}  // namespace portcullis::mime
