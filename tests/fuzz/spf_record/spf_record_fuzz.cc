// Fuzzes the SPF record parser and the macro expander (RFC 7208 §4.6, §7): any TXT text an
// attacker publishes must give a parse result or a permerror, never a crash, and macro expansion
// must stay bounded.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "filters/spf/spf_macro.h"
#include "filters/spf/spf_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)portcullis::spf::isSpfRecord(text);
  (void)portcullis::spf::parseRecord(text);
  portcullis::spf::MacroContext context;
  context.local_part = "user";
  context.sender_domain = "example.org";
  context.domain = "example.org";
  if (auto ip = portcullis::dns::IpAddress::parse("192.0.2.1")) context.ip = *ip;
  context.helo = "mx.example.org";
  for (auto use : {portcullis::spf::MacroUse::DomainSpec, portcullis::spf::MacroUse::Explanation}) {
    if (portcullis::spf::isValidMacroString(text, use)) {
      (void)portcullis::spf::expandMacros(text, context, use);
    }
  }
  return 0;
}
