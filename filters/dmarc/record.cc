#include "filters/dmarc/record.h"

#include <charconv>

#include "filters/dkim/tag_list.h"
#include "gateway/base/text.h"

namespace portcullis::dmarc {

namespace {

std::optional<Policy> parsePolicy(std::string_view text) {
  std::string value = toLower(text);
  if (value == "none") return Policy::None;
  if (value == "quarantine") return Policy::Quarantine;
  if (value == "reject") return Policy::Reject;
  return std::nullopt;
}

std::optional<AlignmentMode> parseMode(std::string_view text) {
  std::string value = toLower(text);
  if (value == "r") return AlignmentMode::Relaxed;
  if (value == "s") return AlignmentMode::Strict;
  return std::nullopt;
}

std::optional<int64_t> parseInt(std::string_view text, int64_t max) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0 || value > max) {
    return std::nullopt;
  }
  return value;
}

bool hasValidUri(const std::vector<std::string>& uris) {
  for (const auto& uri : uris) {
    auto colon = uri.find(':');
    if (colon != std::string::npos && colon > 0 && colon + 1 < uri.size()) return true;
  }
  return false;
}

}  // namespace

std::string_view toString(Policy policy) {
  switch (policy) {
    case Policy::None:
      return "none";
    case Policy::Quarantine:
      return "quarantine";
    case Policy::Reject:
      return "reject";
  }
  return "none";
}

bool isDmarcRecord(std::string_view txt) {
  txt = trim(txt);
  if (!txt.starts_with("v=DMARC1")) return false;
  std::string_view rest = trim(txt.substr(8));
  return rest.empty() || rest.front() == ';';
}

Record parseRecord(std::string_view txt) {
  Record record;
  auto tags = dkim::parseTagList(txt);
  if (!tags || tags->empty()) {
    record.error = txt.empty() ? "empty record" : "malformed record";
    return record;
  }
  if (tags->front().name != "v" || tags->front().value != "DMARC1") {
    record.error = "not a DMARC1 record";
    return record;
  }
  if (const auto* rua = dkim::findTag(*tags, "rua")) {
    for (auto uri : split(rua->value, ',')) record.rua.emplace_back(trim(uri));
  }
  const auto* p = dkim::findTag(*tags, "p");
  const auto* sp = dkim::findTag(*tags, "sp");
  record.policy = Policy::None;
  bool policy_ok = p && parsePolicy(p->value);
  bool subdomain_ok = !sp || parsePolicy(sp->value);
  if (policy_ok && subdomain_ok) {
    record.policy = *parsePolicy(p->value);
    if (sp) record.subdomain_policy = parsePolicy(sp->value);
  } else if (hasValidUri(record.rua)) {
    // §6.6.3: without a valid p= (or with an invalid sp=) a record with a usable rua= counts
    // as p=none; otherwise DMARC does not apply.
    record.ignored.push_back(policy_ok ? "sp" : "p");
  } else {
    record.error = !p ? "missing p= tag" : !policy_ok ? "invalid p= tag" : "invalid sp= tag";
    return record;
  }
  auto mode = [&](const char* name, AlignmentMode& out) {
    const auto* tag = dkim::findTag(*tags, name);
    if (!tag) return;
    if (auto parsed = parseMode(tag->value))
      out = *parsed;
    else
      record.ignored.push_back(name);
  };
  mode("adkim", record.dkim_alignment);
  mode("aspf", record.spf_alignment);
  if (const auto* pct = dkim::findTag(*tags, "pct")) {
    if (auto value = parseInt(pct->value, 100))
      record.percent = static_cast<int>(*value);
    else
      record.ignored.push_back("pct");
  }
  if (const auto* ri = dkim::findTag(*tags, "ri")) {
    if (!parseInt(ri->value, UINT32_MAX)) record.ignored.push_back("ri");
  }
  if (const auto* rf = dkim::findTag(*tags, "rf")) {
    for (auto format : split(rf->value, ':')) {
      std::string name = toLower(trim(format));
      if (name != "afrf" && name != "iodef") {
        record.ignored.push_back("rf");
        break;
      }
    }
  }
  return record;
}

}  // namespace portcullis::dmarc
