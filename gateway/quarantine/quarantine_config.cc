#include "gateway/quarantine/quarantine_config.h"

#include <algorithm>

#include "gateway/core/text.h"

namespace portcullis::quarantine {

namespace {

using std::chrono::milliseconds;
constexpr milliseconds kMinute{60'000};
constexpr milliseconds kHour{3'600'000};
constexpr milliseconds kDay{86'400'000};

// "HH:MM", 00:00 to 23:59.
std::optional<std::chrono::minutes> parseTimeOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return std::chrono::minutes(hours * 60 + minutes);
}

// "en", "de", "pt-br": a file name, never a path.
bool isLanguageTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 16 || tag.front() == '-') return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

bool isPlainAddress(std::string_view address) {
  auto at = address.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size()) return false;
  return std::all_of(address.begin(), address.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '<' && c != '>' && c != ',' && c != '"' && c != '(' &&
           c != ')' && c != ';' && c != '\\';
  });
}

DigestConfig readDigestConfig(config::Section& s) {
  DigestConfig c;
  c.enabled = s.getBool("enabled", c.enabled);
  std::string time = s.getString("schedule", "07:00");
  auto minutes = parseTimeOfDay(time);
  if (!minutes) s.fail("schedule", "\"" + time + "\" is not a local time of day HH:MM");
  c.time_of_day = *minutes;
  c.sender = s.getString("sender", "");
  if (!c.sender.empty() && !isPlainAddress(c.sender)) {
    s.fail("sender", "\"" + c.sender + "\" is not a plain address (local@domain)");
  }
  std::string directory = s.getString("template_directory", c.template_directory.string());
  if (directory.empty() || directory.front() != '/') {
    s.fail("template_directory", "must be an absolute path");
  }
  c.template_directory = directory;
  c.language = s.getString("language", c.language);
  if (!isLanguageTag(c.language)) {
    s.fail("language", "\"" + c.language + "\" is not a language tag (en, de, pt-br)");
  }
  c.max_messages = static_cast<uint32_t>(s.getInt("max_messages", c.max_messages, 1, 10'000));
  c.max_field_length =
      static_cast<uint32_t>(s.getInt("max_field_length", c.max_field_length, 16, 900));
  c.settle_time = s.getDuration("settle_time", c.settle_time, milliseconds{0}, kHour);
  c.domains = s.getStrings("domains", {});
  for (auto& d : c.domains) d = toLower(d);
  s.finish();
  return c;
}

QuarantineConfig readQuarantineConfig(config::Section& section) {
  QuarantineConfig c;
  std::string directory = section.getString("directory", c.directory.string());
  if (directory.empty() || directory.front() != '/') {
    section.fail("directory", "must be an absolute path");
  }
  c.directory = directory;
  c.retention = section.getDuration("retention", c.retention, kHour, 3650 * kDay);
  c.expire_interval = section.getDuration("expire_interval", c.expire_interval, kMinute, kDay);
  if (c.expire_interval > c.retention) {
    section.fail("expire_interval", "must not be longer than retention");
  }
  c.history_retention =
      section.getDuration("history_retention", c.history_retention, kDay, 3650 * kDay);
  c.history_flush_interval = section.getDuration("history_flush_interval", c.history_flush_interval,
                                                 std::chrono::milliseconds{1000}, kHour);
  if (auto digest = section.sub("digest")) c.digest = readDigestConfig(*digest);
  section.finish();
  return c;
}

QuarantineConfig loadQuarantineConfig(const config::Document& doc) {
  auto root = doc.root();
  auto section = root.sub("quarantine");
  if (!section) return {};
  return readQuarantineConfig(*section);
}

}  // namespace portcullis::quarantine
