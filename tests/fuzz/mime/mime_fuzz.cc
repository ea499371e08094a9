// libFuzzer target for the MIME parser: any byte string must parse without crashing, within small
// limits, into a consistent tree, and every view the Message hands out must stay in bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/mime/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portcullis::mime;
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  Limits limits;
  limits.max_depth = 12;
  limits.max_parts = 200;
  limits.max_decoded_bytes = 1 << 20;
  limits.max_text_bytes = 1 << 18;
  limits.max_uris = 200;
  Message m = Message::parse(raw, limits);
  size_t total = 0;
  for (size_t i = 0; i < m.parts().size(); ++i) {
    const Part& part = m.parts()[i];
    for (int child : part.children)
      if (child <= static_cast<int>(i) || child >= static_cast<int>(m.parts().size()) ||
          m.parts()[child].parent != static_cast<int>(i))
        __builtin_trap();
    for (const Header& h : part.headers.all()) total += h.raw.size() + h.value.size();
    total += part.raw_body.size() + part.preamble.size() + part.epilogue.size();
  }
  for (const Attachment& a : m.attachments())
    if (m.content(a).size() != a.size) __builtin_trap();
  if (m.bodyText().size() > 2 * limits.max_text_bytes) __builtin_trap();
  for (const std::string& uri : m.uris()) total += uri.size();
  return total == static_cast<size_t>(-1);
}
