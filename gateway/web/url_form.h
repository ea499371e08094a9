// Percent-encoding for URLs and the application/x-www-form-urlencoded bodies and query strings of
// the console's forms.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace portcullis::web {

// Every byte outside A-Z a-z 0-9 - . _ ~ becomes %XX.
std::string urlEncode(std::string_view text);
// %XX and '+' (space) decoded; a malformed escape is kept as it is.
std::string urlDecode(std::string_view text);
// "a=1&b=x+y" -> {a: "1", b: "x y"}; the first of repeated names wins; at most `max_fields` fields.
std::map<std::string, std::string> parseForm(std::string_view text, size_t max_fields = 64);

// The path and the query of a request target "/path?query".
struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};
Target parseTarget(std::string_view target);

}  // namespace portcullis::web
