// Fuzzes the milter wire protocol codec (gateway/milter/milter_protocol.cc) on what an MTA could
// send: the input is a byte stream cut into packets as the connection cuts it, and every packet's
// data goes through the parser its command selects. Invariants: a framed packet lies inside the
// buffer and its size covers header and data; a stream with an oversized or empty length stops
// framing; every string read lies inside the packet; the negotiation we answer with never offers
// more than the MTA offered, and what we build frames back to the same command and data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/milter/milter_protocol.h"

using namespace portcullis::milter;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void parsePacket(const protocol::Packet& packet) {
  for (std::string_view s : protocol::strings(packet.data)) check(inside(s, packet.data));
  switch (packet.command) {
    case protocol::kConnect:
      if (auto info = protocol::parseConnect(packet.data))
        check(info->hostname.size() <= packet.data.size());
      break;
    case protocol::kOptionNegotiation:
      if (auto offer = protocol::parseNegotiation(packet.data)) {
        std::string answer;
        const uint32_t steps = protocol::appendNegotiation(answer, *offer);
        check((steps & ~offer->steps) == 0);
        bool too_large = false;
        auto framed = protocol::nextPacket(answer, too_large);
        check(framed && !too_large && framed->size == answer.size() &&
              framed->packet.command == protocol::kOptionNegotiation);
      }
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  while (!stream.empty()) {
    bool too_large = false;
    auto framed = protocol::nextPacket(stream, too_large);
    if (too_large || !framed) break;
    check(framed->size >= 5 && framed->size <= stream.size());
    check(inside(framed->packet.data, stream.substr(0, framed->size)));
    parsePacket(framed->packet);
    std::string rebuilt;
    protocol::appendPacket(rebuilt, framed->packet.command, framed->packet.data);
    check(rebuilt == stream.substr(0, framed->size));
    stream.remove_prefix(framed->size);
  }
  return 0;
}
