#include "gateway/dns/domain_name.h"

#include "gateway/base/text.h"

namespace portcullis::dns {

std::string_view withoutTrailingDot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

bool isQueryableName(std::string_view name) {
  name = withoutTrailingDot(name);
  if (name.empty() || name.size() > kMaxDomainLength) return false;
  for (auto label : split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
  }
  return true;
}

}  // namespace portcullis::dns
