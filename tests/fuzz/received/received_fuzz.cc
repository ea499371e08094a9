// Fuzzes the Received-field parser (gateway/mime/received.h) and the RE2 patterns under it on
// arbitrary bytes: it must never crash, hang or read out of bounds, and a relay it returns must
// print as SpamAssassin's bracketed form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/mime/received.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portcullis::mime;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const ReceivedParse parse = parseReceived(value);
  if (parse.kind == ReceivedParse::Kind::Relay) {
    const std::string text = parse.relay.asString(false, false);
    if (text.rfind("[ ip=", 0) != 0 || text.back() != ']') std::abort();
    isWholePrivateIp(parse.relay.ip);
    isIpv4Address(parse.relay.helo);
  }
  if (auto synthetic = originatingIpReceived(value)) parseReceived(*synthetic);
  isPrivateIp(value);
  return 0;
}
