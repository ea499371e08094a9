#include "gateway/pipeline/authentication_results.h"

#include "gateway/core/text.h"

namespace portcullis::pipeline {

namespace {

// RFC 2045 tspecials plus space and controls: what forces a value into a quoted-string.
bool needsQuoting(std::string_view value, bool allow_at) {
  if (value.empty()) return true;
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return true;
    if (c == '@' && allow_at) continue;
    if (std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos) return true;
  }
  return false;
}

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// A pvalue (RFC 8601 §2.2): a token, [local-part] "@" domain, or a quoted-string.
std::string pvalue(std::string_view value) {
  size_t at = value.rfind('@');
  bool address_like = at != std::string_view::npos && !needsQuoting(value.substr(0, at), false) &&
                      !needsQuoting(value.substr(at + 1), false);
  if (address_like || (at == 0 && !needsQuoting(value.substr(1), false))) return std::string(value);
  return needsQuoting(value, false) ? quoted(value) : std::string(value);
}

void property(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += ' ';
  out += name;
  out += '=';
  out += pvalue(value);
}

void reason(std::string& out, std::string_view text) {
  if (text.empty()) return;
  out += " reason=";
  out += quoted(text);
}

// A comment with the characters a comment cannot hold removed.
std::string comment(std::string_view text) {
  std::string out = "(";
  for (char c : text) {
    if (c != '(' && c != ')' && c != '\\' && c != '\r' && c != '\n') out.push_back(c);
  }
  out.push_back(')');
  return out;
}

std::string_view skipCfws(std::string_view s) {
  while (!s.empty()) {
    char c = s.front();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      s.remove_prefix(1);
    } else if (c == '(') {
      int depth = 0;
      size_t i = 0;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\')
          ++i;
        else if (s[i] == '(')
          ++depth;
        else if (s[i] == ')' && --depth == 0)
          break;
      }
      s.remove_prefix(std::min(i + 1, s.size()));
    } else {
      break;
    }
  }
  return s;
}

}  // namespace

std::string renderAuthenticationResults(const AuthResults& results, std::string_view authserv_id,
                                        std::string_view separator) {
  std::string out(authserv_id);
  bool any = false;
  auto next = [&] {
    out += ';';
    out += separator;
    any = true;
  };
  if (results.spf) {
    next();
    const auto& spf = *results.spf;
    out += "spf=" + (spf.result.empty() ? std::string("none") : spf.result);
    if (!spf.explanation.empty()) out += " " + comment(spf.explanation);
    property(out, spf.identity == "helo" ? "smtp.helo" : "smtp.mailfrom", spf.domain);
  }
  for (const auto& dkim : results.dkim) {
    next();
    out += "dkim=" + dkim.result;
    reason(out, dkim.reason);
    property(out, "header.d", dkim.domain);
    property(out, "header.s", dkim.selector);
    property(out, "header.i", dkim.identity);
    property(out, "header.a", dkim.algorithm);
    property(out, "header.b", dkim.signature_prefix);
  }
  if (results.dmarc) {
    next();
    const auto& dmarc = *results.dmarc;
    out += "dmarc=" + dmarc.result;
    if (!dmarc.policy.empty() && (dmarc.result == "pass" || dmarc.result == "fail")) {
      std::string detail = "p=" + dmarc.policy;
      if (!dmarc.disposition.empty()) detail += " dis=" + dmarc.disposition;
      out += " " + comment(detail);
    }
    property(out, "header.from", dmarc.header_from_domain);
  }
  if (!any) {
    out += ';';
    out += separator;
    out += "none";
  }
  return out;
}

bool claimsAuthservId(std::string_view field_value, std::string_view authserv_id) {
  std::string_view s = skipCfws(field_value);
  std::string id;
  if (!s.empty() && s.front() == '"') {
    for (size_t i = 1; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      id.push_back(s[i]);
    }
  } else {
    size_t end = s.find_first_of(" \t\r\n;(");
    id = std::string(s.substr(0, end));
  }
  return !id.empty() && iequals(id, authserv_id);
}

}  // namespace portcullis::pipeline
