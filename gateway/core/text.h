// Small ASCII text helpers used across the gateway (case folding, trimming, splitting).
// Mail protocols are case-insensitive in ASCII only, so none of these look at locales.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portcullis {

std::string toLower(std::string_view s);
std::string toUpper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istartsWith(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
// `s` as a JSON string literal, quotes included: '"', '\\' and control characters escaped,
// UTF-8 passed through unchanged.
std::string jsonQuoted(std::string_view s);

}  // namespace portcullis
