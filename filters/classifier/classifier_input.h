// What the classifier reads from one message, already decoded by the content engine: the header
// fields (unfolded, RFC 2047 decoded), the rendered body text (MIME decoded, HTML rendered) and
// the URIs. Plain views, so the classifier does not depend on the content engine; the content
// engine and the `learn` command fill it from a ContentView.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::classifier {

struct ClassifierInput {
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // name, decoded value
  std::string_view body;                                               // rendered text
  std::vector<std::string_view> uris;
  std::string_view raw;  // the whole message as received, for its digest
};

}  // namespace portcullis::classifier
