#include "gateway/core/envelope.h"

#include "gateway/base/text.h"

namespace portcullis {

std::string domainOf(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  return toLower(address.substr(at + 1));
}

std::string localPartOf(std::string_view address) {
  auto at = address.rfind('@');
  return std::string(at == std::string_view::npos ? address : address.substr(0, at));
}

}  // namespace portcullis
