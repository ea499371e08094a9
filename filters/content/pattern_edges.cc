#include "filters/content/pattern_edges.h"

#include <cctype>
#include <vector>

namespace portcullis::content {
namespace {

// Where the class opening at `open` ends: the position of its "]"; npos when it does not.
size_t classEnd(std::string_view re, size_t open) {
  size_t i = open + 1;
  if (i < re.size() && re[i] == '^') ++i;
  if (i < re.size() && re[i] == ']') ++i;  // a leading "]" is a member
  for (; i < re.size(); ++i) {
    if (re[i] == '\\') {
      ++i;
    } else if (re[i] == '[' && i + 1 < re.size() && re[i + 1] == ':') {
      const size_t close = re.find(":]", i + 2);
      if (close == std::string_view::npos) return std::string_view::npos;
      i = close + 1;
    } else if (re[i] == ']') {
      return i;
    }
  }
  return std::string_view::npos;
}

// Where the group opening at `open` ends: the position of its ")"; npos when it does not.
size_t groupEnd(std::string_view re, size_t open) {
  int depth = 0;
  for (size_t i = open; i < re.size(); ++i) {
    if (re[i] == '\\') {
      ++i;
    } else if (re[i] == '[') {
      i = classEnd(re, i);
      if (i == std::string_view::npos) return i;
    } else if (re[i] == '(') {
      ++depth;
    } else if (re[i] == ')' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// One top-level item: its atom and its quantifier ("" when none).
struct Item {
  std::string_view atom;
  std::string_view quantifier;
};

// The end of the quantifier starting at `at` (== at when there is none).
size_t quantifierEnd(std::string_view re, size_t at) {
  size_t i = at;
  if (i < re.size() && (re[i] == '?' || re[i] == '*' || re[i] == '+')) {
    ++i;
  } else if (i < re.size() && re[i] == '{') {
    size_t j = i + 1;
    while (j < re.size() && (std::isdigit(static_cast<unsigned char>(re[j])) || re[j] == ',')) ++j;
    if (j == i + 1 || j >= re.size() || re[j] != '}' || re[i + 1] == ',') return at;
    i = j + 1;
  } else {
    return at;
  }
  if (i < re.size() && (re[i] == '?' || re[i] == '+')) ++i;  // lazy or possessive
  return i;
}

// The top-level items of `re`; nullopt when it cannot be read or has a top-level alternation.
std::optional<std::vector<Item>> topLevelItems(std::string_view re) {
  std::vector<Item> items;
  for (size_t i = 0; i < re.size();) {
    size_t end = i + 1;
    if (re[i] == '\\') {
      if (i + 1 >= re.size()) return std::nullopt;
      const char e = re[i + 1];
      if (e == 'Q' || e == 'E') return std::nullopt;
      end = i + 2;
      if (std::string_view("xpPNgko").find(e) != std::string_view::npos && end < re.size() &&
          re[end] == '{') {
        end = re.find('}', end);
        if (end == std::string_view::npos) return std::nullopt;
        ++end;
      }
    } else if (re[i] == '[') {
      end = classEnd(re, i);
      if (end == std::string_view::npos) return std::nullopt;
      ++end;
    } else if (re[i] == '(') {
      if (re.substr(i).starts_with("(?#") || re.substr(i).starts_with("(*")) return std::nullopt;
      end = groupEnd(re, i);
      if (end == std::string_view::npos) return std::nullopt;
      ++end;
    } else if (re[i] == '|' || re[i] == ')') {
      return std::nullopt;
    }
    const size_t quantified = quantifierEnd(re, end);
    items.push_back({re.substr(i, end - i), re.substr(end, quantified - end)});
    i = quantified;
  }
  return items;
}

bool repeatsFromZero(std::string_view quantifier) {
  return quantifier.starts_with("?") || quantifier.starts_with("*") ||
         quantifier.starts_with("{0,") || quantifier.starts_with("{0}");
}

// An edge item that may be dropped: it consumes at most what a match may be widened by.
bool optionalEdge(const Item& item) {
  if (item.atom == "\\b" || item.atom == "(?:\\b|\\s)") return item.quantifier.empty();
  const bool filler =
      item.atom == "\\s" || item.atom == "\\W" || item.atom == "_" || item.atom == "[_\\W]";
  return filler && repeatsFromZero(item.quantifier);
}

}  // namespace

std::optional<std::string> withoutOptionalEdges(std::string_view pattern) {
  if (pattern.starts_with("(?x") || pattern.find("(?x") != std::string_view::npos)
    return std::nullopt;
  const auto items = topLevelItems(pattern);
  if (!items || items->empty()) return std::nullopt;
  size_t first = 0, last = items->size();
  while (first < last && optionalEdge((*items)[first])) ++first;
  while (last > first && optionalEdge((*items)[last - 1])) --last;
  if (first == last || (first == 0 && last == items->size())) return std::nullopt;
  std::string out;
  for (size_t k = first; k < last; ++k) {
    out.append((*items)[k].atom);
    out.append((*items)[k].quantifier);
  }
  return out;
}

}  // namespace portcullis::content
