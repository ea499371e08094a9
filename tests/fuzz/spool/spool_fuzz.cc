// libFuzzer target for the queue-file and state-file decoders: any bytes must give a value or a
// reason, never a crash, a hang or undefined behaviour. The structure parsers are also fed
// directly, because random bytes almost never carry a valid SHA-256 line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/spool/queue_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  using namespace portcullis::spool;

  auto file = decodeQueueFile(bytes);
  if (file.ok() == !file.error.empty()) __builtin_trap();
  auto state = decodeStateFile(bytes);
  if (state.ok() == !state.error.empty()) __builtin_trap();

  auto parsed = parseQueueFileContent(bytes);
  if (parsed) {
    // Whatever the parser accepts must survive a round trip unchanged.
    auto again = decodeQueueFile(encodeQueueFileToString(parsed->meta, parsed->message));
    if (!again || again->message != parsed->message ||
        again->meta.envelope.recipients.size() != parsed->meta.envelope.recipients.size()) {
      __builtin_trap();
    }
  }
  auto parsed_state = parseStateFileContent(bytes);
  if (parsed_state) {
    auto again = decodeStateFile(encodeStateFile(parsed_state->id, parsed_state->state));
    if (!again || again->state.recipients.size() != parsed_state->state.recipients.size()) {
      __builtin_trap();
    }
  }
  return 0;
}
