#include "filters/content/eval/registry_boundaries.h"

#include <vector>

#include "gateway/base/text.h"
#include "gateway/mime/tld_list.h"

namespace portcullis::content {
namespace {

bool isUsState(std::string_view code) {
  static const std::set<std::string_view> kStates = {
      "ak", "al", "ar", "az", "ca", "co", "ct", "dc", "de", "fl", "ga", "gu", "hi", "ia",
      "id", "il", "in", "ks", "ky", "la", "ma", "md", "me", "mi", "mn", "mo", "ms", "mt",
      "nc", "nd", "ne", "nh", "nj", "nm", "nv", "ny", "oh", "ok", "or", "pa", "pr", "ri",
      "sc", "sd", "tn", "tx", "ut", "va", "vi", "vt", "wa", "wi", "wv", "wy"};
  return kStates.count(code) > 0;
}

std::string joined(const std::vector<std::string_view>& parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '.';
    out += parts[i];
  }
  return out;
}

}  // namespace

RegistryBoundaries::RegistryBoundaries(const std::vector<Setting>& settings) {
  for (const auto& setting : settings) {
    std::set<std::string, std::less<>>* target = nullptr;
    if (setting.name == "clear_util_rb") {
      tlds_.clear();
      two_level_.clear();
      three_level_.clear();
    } else if (setting.name == "util_rb_tld") {
      target = &tlds_;
    } else if (setting.name == "util_rb_2tld") {
      target = &two_level_;
    } else if (setting.name == "util_rb_3tld") {
      target = &three_level_;
    }
    if (!target) continue;
    for (std::string_view entry : split(setting.value, ' ')) {
      entry = trim(entry);
      if (!entry.empty()) target->insert(toLower(entry));
    }
  }
}

bool RegistryBoundaries::isTld(std::string_view label) const {
  return tlds_.count(label) > 0 || mime::isKnownTld(label);
}

bool RegistryBoundaries::isDomainValid(std::string_view domain) const {
  const std::string lower = toLower(domain);
  for (char c : lower) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return false;
  }
  const size_t dot = lower.rfind('.');
  if (dot == std::string::npos || dot + 1 == lower.size()) return false;
  return isTld(std::string_view(lower).substr(dot + 1));
}

std::string RegistryBoundaries::domainOf(std::string_view host) const {
  std::string domain;
  for (char c : toLower(host)) {
    if (c == '.' && !domain.empty() && domain.back() == '.') continue;
    domain += c;
  }
  while (!domain.empty() && domain.front() == '.') domain.erase(0, 1);
  while (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty()) return domain;
  const std::vector<std::string_view> parts = split(domain, '.');
  size_t first = 0;  // parts[first..] is what is left of the domain
  while (parts.size() - first > 1) {
    const size_t left = parts.size() - first;
    if (left == 2) {
      if (two_level_.count(joined(parts, first, parts.size())) > 0) break;
    } else if (left == 3) {
      if (parts[first + 2] == "us") {
        if (isUsState(parts[first + 1])) break;
      } else if (three_level_.count(joined(parts, first, parts.size())) > 0) {
        break;
      }
    } else if (left == 4) {
      const bool locality = (parts[first] == "pvt" && parts[first + 1] == "k12") ||
                            parts[first] == "ci" || parts[first] == "co";
      if (parts[first + 3] == "us" && locality && isUsState(parts[first + 2])) break;
    }
    ++first;
  }
  if (first > 0) --first;  // the registered name itself
  return joined(parts, first, parts.size());
}

std::shared_ptr<const RegistryBoundaries> RegistryBoundaries::of(EvalBuildContext& context) {
  return context.shared<RegistryBoundaries>(
      "registry_boundaries", [&context] { return RegistryBoundaries(context.settings()); });
}

}  // namespace portcullis::content
