#include "filters/dkim/canonicalization.h"

#include "gateway/base/text.h"

namespace portcullis::dkim {

namespace {

bool isWsp(char c) {
  return c == ' ' || c == '\t';
}

// Appends `text` with every run of WSP reduced to one space and trailing WSP removed.
void appendCompressed(std::string_view text, std::string& out) {
  bool pending_space = false;
  for (char c : text) {
    if (isWsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
}

}  // namespace

std::string canonicalizeHeader(std::string_view raw, Canonicalization canon) {
  if (canon == Canonicalization::Simple) {
    std::string out(raw);
    if (!out.ends_with("\r\n")) out += "\r\n";
    return out;
  }
  size_t colon = raw.find(':');
  std::string_view name = colon == std::string_view::npos ? raw : raw.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : raw.substr(colon + 1);
  std::string unfolded;
  unfolded.reserve(value.size());
  for (char c : value) {
    if (c != '\r' && c != '\n') unfolded.push_back(c);
  }
  std::string out = toLower(trim(name));
  out.push_back(':');
  std::string_view v = unfolded;
  while (!v.empty() && isWsp(v.front())) v.remove_prefix(1);
  appendCompressed(v, out);
  out += "\r\n";
  return out;
}

std::string canonicalizeBody(std::string_view body, Canonicalization canon) {
  std::string out;
  out.reserve(body.size() + 2);
  size_t pending_empty_lines = 0;
  size_t pos = 0;
  std::string line;
  while (pos < body.size()) {
    size_t crlf = body.find("\r\n", pos);
    size_t end = crlf == std::string_view::npos ? body.size() : crlf;
    std::string_view text = body.substr(pos, end - pos);
    pos = crlf == std::string_view::npos ? body.size() : crlf + 2;
    line.clear();
    if (canon == Canonicalization::Relaxed) {
      appendCompressed(text, line);
    } else {
      line.assign(text);
    }
    if (line.empty()) {
      ++pending_empty_lines;
      continue;
    }
    out.append(pending_empty_lines * 2, '\0');
    for (size_t i = out.size() - pending_empty_lines * 2; i < out.size(); i += 2) {
      out[i] = '\r';
      out[i + 1] = '\n';
    }
    pending_empty_lines = 0;
    out += line;
    out += "\r\n";
  }
  if (out.empty() && canon == Canonicalization::Simple) out = "\r\n";
  return out;
}

}  // namespace portcullis::dkim
