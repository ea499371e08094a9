#include "gateway/quarantine/stored_message.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "gateway/spool/record_format.h"

namespace portcullis::quarantine {

namespace {

bool parseScore(std::string_view text, double& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

}  // namespace

std::string encodeStoredMessage(const Details& details, std::string_view message) {
  spool::RecordWriter writer(kStoredMessageMagic);
  writer.field("subject", details.subject);
  writer.field("score", fmt::format("{}", details.score));
  writer.field("reason", details.reason);
  for (const auto& symbol : details.symbols) {
    writer.field("symbol", fmt::format("{} {}", symbol.score, symbol.name));
    if (!symbol.detail.empty()) writer.field("symbol-detail", symbol.detail);
  }
  writer.blobHeader("message", message.size());
  std::string out = std::move(writer.text());
  out.append(message);
  out.push_back('\n');
  return out;
}

spool::Result<StoredMessage> decodeStoredMessage(std::string_view bytes) {
  using R = spool::Result<StoredMessage>;
  spool::RecordReader reader(bytes);
  if (auto magic = reader.expectMagic(kStoredMessageMagic); !magic) return R::failure(magic.error);
  StoredMessage stored;
  bool have_message = false;
  std::string key, value;
  while (reader.next(key, value)) {
    if (have_message) return R::failure(reader.errorAt("data after the message"));
    if (key == "subject") {
      stored.details.subject = value;
    } else if (key == "reason") {
      stored.details.reason = value;
    } else if (key == "score") {
      if (!parseScore(value, stored.details.score)) return R::failure(reader.errorAt("bad score"));
    } else if (key == "symbol") {
      auto space = value.find(' ');
      SymbolScore symbol;
      if (space == std::string::npos || space + 1 == value.size() ||
          !parseScore(std::string_view(value).substr(0, space), symbol.score)) {
        return R::failure(reader.errorAt("bad symbol"));
      }
      symbol.name = value.substr(space + 1);
      stored.details.symbols.push_back(std::move(symbol));
    } else if (key == "symbol-detail") {
      if (stored.details.symbols.empty())
        return R::failure(reader.errorAt("detail without symbol"));
      stored.details.symbols.back().detail = value;
    } else if (key == "message") {
      auto blob = reader.blob(value);
      if (!blob) return R::failure(blob.error);
      stored.message = std::string(*blob);
      have_message = true;
    } else {
      return R::failure(reader.errorAt("unknown field '" + spool::escapeValue(key) + "'"));
    }
  }
  if (!reader.error().empty()) return R::failure(reader.error());
  if (!have_message) return R::failure("no message in the quarantine record");
  return R::success(std::move(stored));
}

}  // namespace portcullis::quarantine
