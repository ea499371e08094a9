#include "gateway/mime/tld_list.h"

#include <libpsl.h>

#include <string>

namespace portcullis::mime {
namespace {

// libpsl's newest list (the distribution's file or its built-in copy), kept for the process.
const psl_ctx_t* systemList() {
  static const psl_ctx_t* const list = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest ? latest : psl_builtin();
  }();
  return list;
}

}  // namespace

bool isKnownTld(std::string_view lowercase_label) {
  if (lowercase_label.empty() || lowercase_label.find('.') != std::string_view::npos) return false;
  const psl_ctx_t* list = systemList();
  if (!list) return false;
  const std::string label(lowercase_label);
  return psl_is_public_suffix2(list, label.c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) == 1;
}

}  // namespace portcullis::mime
