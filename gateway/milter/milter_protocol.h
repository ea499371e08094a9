// The milter wire protocol (versions 2 to 6) as the MTA speaks it: packets are a 4-byte length in
// network order, a command byte and its data (../shared/testdata/milter). This file only parses and
// builds packets; it promises never to read past the bytes it is given and never to throw, so a
// malformed packet from the MTA is a value (nullopt / empty), not a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::milter::protocol {

// Commands from the MTA.
inline constexpr char kAbort = 'A';
inline constexpr char kBody = 'B';
inline constexpr char kConnect = 'C';
inline constexpr char kMacro = 'D';
inline constexpr char kEndOfBody = 'E';
inline constexpr char kHelo = 'H';
inline constexpr char kQuitNewConnection = 'K';
inline constexpr char kHeader = 'L';
inline constexpr char kMail = 'M';
inline constexpr char kEndOfHeaders = 'N';
inline constexpr char kOptionNegotiation = 'O';
inline constexpr char kQuit = 'Q';
inline constexpr char kRecipient = 'R';
inline constexpr char kData = 'T';
inline constexpr char kUnknown = 'U';

// Replies to the MTA.
inline constexpr char kAccept = 'a';
inline constexpr char kContinue = 'c';
inline constexpr char kDiscard = 'd';
inline constexpr char kAddHeader = 'h';
inline constexpr char kInsertHeader = 'i';
inline constexpr char kChangeHeader = 'm';
inline constexpr char kQuarantine = 'q';
inline constexpr char kReject = 'r';
inline constexpr char kTempFail = 't';
inline constexpr char kReplyCode = 'y';

// Actions this milter may take (SMFIF_*): add and insert, change and delete header fields,
// quarantine.
inline constexpr uint32_t kActionAddHeaders = 0x01;
inline constexpr uint32_t kActionChangeHeaders = 0x10;
inline constexpr uint32_t kActionQuarantine = 0x20;
// Protocol steps (SMFIP_*): the MTA should not send unknown SMTP commands nor DATA (nothing is
// done at DATA: the message's macros come with the end of the message), and expects no reply to
// HELO, DATA, each header field, the end of headers and each body chunk (this milter never
// refuses at those: it decides at RCPT and at the end of the message). An MTA that sends DATA all
// the same (it did not agree to kStepNoData) gets the reply it expects.
inline constexpr uint32_t kStepNoUnknown = 0x100;
inline constexpr uint32_t kStepNoData = 0x200;
inline constexpr uint32_t kStepNoReplyHeader = 0x80;
inline constexpr uint32_t kStepNoReplyHelo = 0x2000;
inline constexpr uint32_t kStepNoReplyData = 0x10000;
inline constexpr uint32_t kStepNoReplyEndOfHeaders = 0x40000;
inline constexpr uint32_t kStepNoReplyBody = 0x80000;
inline constexpr uint32_t kStepsWithoutReply = kStepNoReplyHeader | kStepNoReplyHelo |
                                               kStepNoReplyData | kStepNoReplyEndOfHeaders |
                                               kStepNoReplyBody;
inline constexpr uint32_t kStepsWanted = kStepNoUnknown | kStepNoData | kStepsWithoutReply;

inline constexpr uint32_t kHighestVersion = 6;
inline constexpr uint32_t kLowestVersion = 2;
// The largest packet an MTA sends: body chunks are at most 64 KiB unless a larger size is
// negotiated, which this milter never asks for; a little room for the other commands.
inline constexpr uint32_t kMaxPacket = 65535 + 1024;

struct Packet {
  char command = 0;
  std::string_view data;  // points into the buffer it was parsed from
};

// The first complete packet at the start of `buffer` and its total size in bytes (header
// included); nullopt while incomplete. `too_large` is set when the length exceeds kMaxPacket or is
// zero, after which the connection cannot be resynchronised.
struct Framed {
  Packet packet;
  size_t size = 0;
};
std::optional<Framed> nextPacket(std::string_view buffer, bool& too_large);

// The NUL-terminated strings of a packet's data, in order (a missing final NUL ends the last).
std::vector<std::string_view> strings(std::string_view data);
// The first of those strings, removed from `data` (with its NUL); `data` must not be empty.
std::string_view nextString(std::string_view& data);

// SMFIC_CONNECT: hostname, family ('U', 'L', '4', '6'), port, address.
struct ConnectInfo {
  std::string hostname;
  char family = 'U';
  uint16_t port = 0;
  std::string address;
};
std::optional<ConnectInfo> parseConnect(std::string_view data);

// SMFIC_OPTNEG from the MTA: what it offers.
struct Negotiation {
  uint32_t version = 0;
  uint32_t actions = 0;
  uint32_t steps = 0;
};
std::optional<Negotiation> parseNegotiation(std::string_view data);

// Appends one packet to `out`.
void appendPacket(std::string& out, char command, std::string_view data = {});
// The answer to the MTA's offer: the lower of both versions, the actions this milter takes and
// kStepsWanted, each masked to what the MTA offered. Returns the steps agreed.
uint32_t appendNegotiation(std::string& out, const Negotiation& offered);
// SMFIR_REPLYCODE: "CODE ENHANCED TEXT" (or "CODE TEXT").
void appendReplyCode(std::string& out, int code, std::string_view enhanced, std::string_view text);
void appendAddHeader(std::string& out, std::string_view name, std::string_view value);
void appendInsertHeader(std::string& out, uint32_t index, std::string_view name,
                        std::string_view value);
// An empty value deletes the `index`th field called `name`.
void appendChangeHeader(std::string& out, uint32_t index, std::string_view name,
                        std::string_view value);
void appendQuarantine(std::string& out, std::string_view reason);

}  // namespace portcullis::milter::protocol
