#include "gateway/mime/wire_form.h"

namespace portcullis::mime {

std::string inWireForm(std::string_view file_text) {
  if (file_text.starts_with("From ")) {
    const size_t eol = file_text.find('\n');
    file_text.remove_prefix(eol == std::string_view::npos ? file_text.size() : eol + 1);
  }
  std::string out;
  out.reserve(file_text.size() + file_text.size() / 32);
  for (size_t i = 0; i < file_text.size(); ++i) {
    if (file_text[i] == '\n' && (i == 0 || file_text[i - 1] != '\r')) out += '\r';
    out += file_text[i];
  }
  return out;
}

}  // namespace portcullis::mime
