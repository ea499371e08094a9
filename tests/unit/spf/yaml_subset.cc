#include "tests/unit/spf/yaml_subset.h"

#include <stdexcept>

namespace portcullis::testing::yaml {

const Node* Node::find(std::string_view key) const {
  for (const auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

struct Line {
  int indent;
  std::string text;  // without indentation
};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::runtime_error("bad hex digit in YAML escape");
}

// Reads a quoted scalar starting at text[pos] (the quote); advances pos past the closing quote.
std::string readQuoted(std::string_view text, size_t& pos) {
  char quote = text[pos++];
  std::string out;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quote == '\'' && c == '\'') {
      if (pos < text.size() && text[pos] == '\'') {
        out += '\'';
        ++pos;
        continue;
      }
      return out;
    }
    if (quote == '"' && c == '"') return out;
    if (quote == '"' && c == '\\' && pos < text.size()) {
      char e = text[pos++];
      switch (e) {
        case 'x': {
          out += static_cast<char>(hexValue(text[pos]) * 16 + hexValue(text[pos + 1]));
          pos += 2;
          break;
        }
        case '0':
          out += '\0';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        default:
          out += e;
          break;
      }
      continue;
    }
    out += c;
  }
  throw std::runtime_error("unterminated quoted scalar");
}

std::string trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(' ');
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(' ');
  return std::string(s.substr(b, e - b + 1));
}

Node scalar(std::string value) {
  Node n;
  n.scalar = std::move(value);
  return n;
}

// An inline value: quoted scalar, flow sequence of scalars, or plain scalar.
Node inlineValue(std::string_view text) {
  std::string t = trimmed(text);
  if (t.empty()) return scalar("");
  if (t[0] == '"' || t[0] == '\'') {
    size_t pos = 0;
    return scalar(readQuoted(t, pos));
  }
  if (t[0] == '[') {
    Node seq;
    seq.kind = Node::Kind::Sequence;
    size_t pos = 1;
    while (pos < t.size()) {
      while (pos < t.size() && (t[pos] == ' ' || t[pos] == ',')) ++pos;
      if (pos >= t.size() || t[pos] == ']') break;
      if (t[pos] == '"' || t[pos] == '\'') {
        seq.items.push_back(scalar(readQuoted(t, pos)));
      } else {
        size_t end = t.find_first_of(",]", pos);
        seq.items.push_back(scalar(trimmed(std::string_view(t).substr(pos, end - pos))));
        pos = end;
      }
    }
    return seq;
  }
  return scalar(t);
}

// Splits "key: value" / "key:" (key possibly quoted); false when the text is not a mapping entry.
bool splitKey(std::string_view text, std::string& key, std::string& rest) {
  if (!text.empty() && (text[0] == '"' || text[0] == '\'')) {
    size_t pos = 0;
    key = readQuoted(text, pos);
    if (pos >= text.size() || text[pos] != ':') return false;
    rest = std::string(text.substr(pos + 1));
    return true;
  }
  size_t sep = text.find(": ");
  if (sep == std::string_view::npos) {
    if (text.empty() || text.back() != ':') return false;
    sep = text.size() - 1;
  }
  key = std::string(text.substr(0, sep));
  if (key.find_first_of("[\"'") != std::string::npos) return false;
  rest = sep + 1 < text.size() ? std::string(text.substr(sep + 2)) : "";
  return true;
}

class Parser {
 public:
  explicit Parser(std::vector<Line> lines) : lines_(std::move(lines)) {}

  Node document() {
    if (pos_ >= lines_.size()) return {};
    return node(lines_[pos_].indent);
  }

 private:
  bool atItem(int indent) const {
    return pos_ < lines_.size() && lines_[pos_].indent == indent &&
           (lines_[pos_].text == "-" || lines_[pos_].text.rfind("- ", 0) == 0);
  }

  Node node(int indent) {
    if (atItem(indent)) return sequence(indent);
    return mapping(indent);
  }

  Node sequence(int indent) {
    Node seq;
    seq.kind = Node::Kind::Sequence;
    while (atItem(indent)) {
      std::string item = lines_[pos_].text == "-" ? "" : lines_[pos_].text.substr(2);
      ++pos_;
      std::string key, rest;
      if (!item.empty() && item[0] != '[' && splitKey(item, key, rest)) {
        // "- key: value" opens a mapping whose further keys sit at indent + 2.
        Node map;
        map.kind = Node::Kind::Mapping;
        map.map.emplace_back(key, value(rest, indent + 2));
        if (pos_ < lines_.size() && lines_[pos_].indent == indent + 2) {
          Node more = mapping(indent + 2);
          for (auto& entry : more.map) map.map.push_back(std::move(entry));
        }
        seq.items.push_back(std::move(map));
      } else {
        seq.items.push_back(value(item, indent));
      }
    }
    return seq;
  }

  Node mapping(int indent) {
    Node map;
    map.kind = Node::Kind::Mapping;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent && !atItem(indent)) {
      std::string key, rest;
      if (!splitKey(lines_[pos_].text, key, rest))
        throw std::runtime_error("expected a mapping key: " + lines_[pos_].text);
      ++pos_;
      map.map.emplace_back(key, value(rest, indent));
    }
    return map;
  }

  // The value after "key:" at `indent`: inline, block scalar, nested node, or plain continuation.
  Node value(const std::string& rest, int indent) {
    std::string t = trimmed(rest);
    if (t == "|" || t == "|-" || t == ">" || t == ">-") return blockScalar(indent, t[0] == '>');
    if (t.empty()) {
      if (pos_ < lines_.size() && lines_[pos_].indent > indent) return node(lines_[pos_].indent);
      if (atItem(indent)) return sequence(indent);
      return scalar("");
    }
    Node n = inlineValue(t);
    // A plain scalar may continue on more indented lines.
    while (n.kind == Node::Kind::Scalar && t[0] != '"' && t[0] != '\'' && pos_ < lines_.size() &&
           lines_[pos_].indent > indent) {
      n.scalar += " " + lines_[pos_++].text;
    }
    return n;
  }

  Node blockScalar(int indent, bool folded) {
    std::string out;
    while (pos_ < lines_.size() && lines_[pos_].indent > indent) {
      if (!out.empty()) out += folded ? ' ' : '\n';
      out += lines_[pos_++].text;
    }
    return scalar(out);
  }

  std::vector<Line> lines_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<Node> parseDocuments(std::string_view text) {
  std::vector<Node> documents;
  std::vector<Line> lines;
  auto flush = [&] {
    if (!lines.empty()) documents.push_back(Parser(std::move(lines)).document());
    lines.clear();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw == "---") {
      flush();
      continue;
    }
    size_t indent = raw.find_first_not_of(' ');
    if (indent == std::string_view::npos || raw[indent] == '#') continue;
    lines.push_back({static_cast<int>(indent), std::string(raw.substr(indent))});
    if (end == text.size()) break;
  }
  flush();
  return documents;
}

}  // namespace portcullis::testing::yaml
