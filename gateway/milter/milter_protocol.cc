#include "gateway/milter/milter_protocol.h"

#include <algorithm>

namespace portcullis::milter::protocol {

namespace {

uint32_t readUint32(std::string_view data) {
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(data[i])); };
  return byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
}

void appendUint32(std::string& out, uint32_t value) {
  out += static_cast<char>(value >> 24);
  out += static_cast<char>(value >> 16);
  out += static_cast<char>(value >> 8);
  out += static_cast<char>(value);
}

void appendString(std::string& out, std::string_view text) {
  out += text;
  out += '\0';
}

// Appends a packet whose data the caller writes afterwards; returns where its length goes.
size_t beginPacket(std::string& out, char command) {
  size_t at = out.size();
  appendUint32(out, 0);
  out += command;
  return at;
}

void endPacket(std::string& out, size_t at) {
  uint32_t length = static_cast<uint32_t>(out.size() - at - 4);
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(length >> (24 - 8 * i));
}

}  // namespace

std::optional<Framed> nextPacket(std::string_view buffer, bool& too_large) {
  too_large = false;
  if (buffer.size() < 4) return std::nullopt;
  uint32_t length = readUint32(buffer);
  if (length == 0 || length > kMaxPacket) {
    too_large = true;
    return std::nullopt;
  }
  if (buffer.size() < 4 + static_cast<size_t>(length)) return std::nullopt;
  return Framed{{buffer[4], buffer.substr(5, length - 1)}, 4 + static_cast<size_t>(length)};
}

std::string_view nextString(std::string_view& data) {
  size_t end = std::min(data.find('\0'), data.size());
  std::string_view first = data.substr(0, end);
  data.remove_prefix(std::min(end + 1, data.size()));
  return first;
}

std::vector<std::string_view> strings(std::string_view data) {
  std::vector<std::string_view> out;
  while (!data.empty()) out.push_back(nextString(data));
  return out;
}

std::optional<ConnectInfo> parseConnect(std::string_view data) {
  ConnectInfo info;
  size_t end = data.find('\0');
  if (end == std::string_view::npos) return std::nullopt;
  info.hostname = std::string(data.substr(0, end));
  data.remove_prefix(end + 1);
  if (data.empty()) return info;
  info.family = data[0];
  data.remove_prefix(1);
  if (info.family == 'U') return info;
  if (data.size() < 2) return std::nullopt;
  info.port = static_cast<uint16_t>(static_cast<unsigned char>(data[0]) << 8 |
                                    static_cast<unsigned char>(data[1]));
  data.remove_prefix(2);
  info.address = std::string(data.substr(0, std::min(data.find('\0'), data.size())));
  return info;
}

std::optional<Negotiation> parseNegotiation(std::string_view data) {
  if (data.size() < 12) return std::nullopt;
  return Negotiation{readUint32(data), readUint32(data.substr(4)), readUint32(data.substr(8))};
}

void appendPacket(std::string& out, char command, std::string_view data) {
  size_t at = beginPacket(out, command);
  out += data;
  endPacket(out, at);
}

uint32_t appendNegotiation(std::string& out, const Negotiation& offered) {
  size_t at = beginPacket(out, kOptionNegotiation);
  appendUint32(out, std::min(offered.version, kHighestVersion));
  appendUint32(out,
               (kActionAddHeaders | kActionChangeHeaders | kActionQuarantine) & offered.actions);
  uint32_t steps = kStepsWanted & offered.steps;
  appendUint32(out, steps);
  endPacket(out, at);
  return steps;
}

void appendReplyCode(std::string& out, int code, std::string_view enhanced, std::string_view text) {
  size_t at = beginPacket(out, kReplyCode);
  out += std::to_string(code);
  out += ' ';
  if (!enhanced.empty()) {
    out += enhanced;
    out += ' ';
  }
  appendString(out, text);
  endPacket(out, at);
}

void appendAddHeader(std::string& out, std::string_view name, std::string_view value) {
  size_t at = beginPacket(out, kAddHeader);
  appendString(out, name);
  appendString(out, value);
  endPacket(out, at);
}

void appendInsertHeader(std::string& out, uint32_t index, std::string_view name,
                        std::string_view value) {
  size_t at = beginPacket(out, kInsertHeader);
  appendUint32(out, index);
  appendString(out, name);
  appendString(out, value);
  endPacket(out, at);
}

void appendChangeHeader(std::string& out, uint32_t index, std::string_view name,
                        std::string_view value) {
  size_t at = beginPacket(out, kChangeHeader);
  appendUint32(out, index);
  appendString(out, name);
  appendString(out, value);
  endPacket(out, at);
}

void appendQuarantine(std::string& out, std::string_view reason) {
  size_t at = beginPacket(out, kQuarantine);
  appendString(out, reason);
  endPacket(out, at);
}

}  // namespace portcullis::milter::protocol
