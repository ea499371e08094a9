#include "gateway/core/queue_id.h"

#include <atomic>
#include <chrono>
#include <random>

namespace portcullis {

namespace {
constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";  // base 32, order-preserving

void appendBase32(std::string& out, uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) out.push_back(kAlphabet[(value >> (5 * i)) & 31]);
}
}  // namespace

std::string newQueueId() {
  // 50 bits of microseconds since the epoch (sortable), 20 bits of a per-process counter and 20
  // random bits chosen once per process so that restarts within a microsecond cannot collide.
  static const uint64_t process_salt = std::random_device{}() & 0xFFFFF;
  static std::atomic<uint64_t> counter{0};
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string id;
  id.reserve(18);
  appendBase32(id, static_cast<uint64_t>(micros), 10);
  appendBase32(id, counter.fetch_add(1) & 0xFFFFF, 4);
  appendBase32(id, process_salt, 4);
  return id;
}

bool isValidQueueId(std::string_view id) {
  if (id.size() != 18) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'V'))) return false;
  }
  return true;
}

}  // namespace portcullis
