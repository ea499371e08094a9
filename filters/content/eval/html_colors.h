// Colours and styles as Mail::SpamAssassin::HTML reads them, for its font-contrast and invisible
// text measures: colour names and #rgb / rgb() forms to six hex digits (its name_to_rgb), the
// last layer of a CSS background, and the value of one style declaration.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::content::html {

// What name_to_rgb gives for text that is no colour.
inline constexpr std::string_view kInvalidColor = "invalid";

// HTML.pm's name_to_rgb: "#rrggbb" for a known name or colour form, else kInvalidColor.
std::string nameToRgb(std::string_view raw);
// ^\#?([0-9a-f]{2}){3}$: the three channels.
std::optional<std::array<int, 3>> rgbChannels(std::string_view color);
// The last six characters (a colour's hex digits after whatever precedes them).
std::string_view lastSix(std::string_view s);
// HTML.pm's parse_css_background: the values of the last layer of a CSS background.
std::vector<std::string> lastBackgroundLayer(std::string_view background);
// The value of a style declaration `NAME: VALUE` as HTML.pm's regexes read it: the text after
// the colon with spaces trimmed; nullopt when it would not match (an empty value or a line break
// inside it). A value of spaces alone reads as one space, as Perl's backtracking gives it.
std::optional<std::string_view> declarationValue(std::string_view rest, bool require_non_space);

}  // namespace portcullis::content::html
