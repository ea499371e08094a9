#include "gateway/spool/queue_file.h"

#include <set>

#include "gateway/core/queue_id.h"
#include "gateway/spool/record_format.h"

namespace portcullis::spool {

namespace {

// A TimePoint (nanoseconds in libstdc++) holds about ±292 years; stay well inside that.
constexpr int64_t kMaxAbsMicros = 9'000'000'000'000'000;

// Tracks which singular fields were seen so a repeated one is an error.
class FieldSet {
 public:
  bool first(const std::string& key) { return seen_.insert(key).second; }
  bool has(const std::string& key) const { return seen_.count(key) > 0; }

 private:
  std::set<std::string, std::less<>> seen_;
};

bool parseBool(const std::string& value, bool& out) {
  if (value == "0" || value == "1") {
    out = value == "1";
    return true;
  }
  return false;
}

bool parseTime(const std::string& value, TimePoint& out) {
  int64_t micros = 0;
  return parseSigned(value, micros) && fromUnixMicros(micros, out);
}

const char* boolText(bool b) {
  return b ? "1" : "0";
}

Result<RecipientStatus> parseStatus(const std::string& value) {
  for (auto s : {RecipientStatus::Pending, RecipientStatus::Delivered, RecipientStatus::Failed,
                 RecipientStatus::Delayed}) {
    if (value == recipientStatusName(s)) return Result<RecipientStatus>::success(s);
  }
  return Result<RecipientStatus>::failure("unknown recipient status");
}

}  // namespace

int64_t toUnixMicros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

bool fromUnixMicros(int64_t micros, TimePoint& out) {
  if (micros > kMaxAbsMicros || micros < -kMaxAbsMicros) return false;
  out = TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
  return true;
}

EncodedQueueFile encodeQueueFile(const MessageMeta& meta, std::string_view message) {
  RecordWriter w(kQueueFileMagic);
  w.field("id", meta.id);
  w.number("arrival", toUnixMicros(meta.arrival));
  const ClientInfo& c = meta.client;
  w.field("client-address", c.address);
  w.number("client-port", c.port);
  if (!c.hostname.empty()) w.field("client-hostname", c.hostname);
  if (!c.helo.empty()) w.field("client-helo", c.helo);
  w.field("client-esmtp", boolText(c.esmtp));
  if (c.tls) {
    w.field("tls-version", c.tls->version);
    w.field("tls-cipher", c.tls->cipher);
    w.number("tls-bits", c.tls->bits);
  }
  if (!c.auth_user.empty()) w.field("auth-user", c.auth_user);
  const Envelope& e = meta.envelope;
  w.field("mail-from", e.mail_from);
  if (e.params.size) w.number("size", static_cast<int64_t>(*e.params.size));
  if (!e.params.body.empty()) w.field("body", e.params.body);
  if (e.params.smtputf8) w.field("smtputf8", "1");
  if (!e.params.ret.empty()) w.field("ret", e.params.ret);
  if (!e.params.envid.empty()) w.field("envid", e.params.envid);
  for (const auto& r : e.recipients) {
    w.field("rcpt", r.address);
    if (!r.notify.empty()) w.field("rcpt-notify", r.notify);
    if (!r.orcpt.empty()) w.field("rcpt-orcpt", r.orcpt);
  }
  w.blobHeader("message", message.size());
  EncodedQueueFile out;
  out.head = std::move(w.text());
  out.body = message;
  out.tail = "\n" + checksumLine({out.head, out.body, "\n"});
  return out;
}

std::string encodeQueueFileToString(const MessageMeta& meta, std::string_view message) {
  auto encoded = encodeQueueFile(meta, message);
  std::string out = std::move(encoded.head);
  out.append(encoded.body);
  out.append(encoded.tail);
  return out;
}

Result<QueueFile> decodeQueueFile(std::string_view bytes) {
  auto content = verifyChecksum(bytes);
  if (!content) return Result<QueueFile>::failure(content.error);
  return parseQueueFileContent(*content);
}

Result<QueueFile> parseQueueFileContent(std::string_view content) {
  using R = Result<QueueFile>;
  RecordReader reader(content);
  if (auto magic = reader.expectMagic(kQueueFileMagic); !magic) return R::failure(magic.error);
  QueueFile file;
  MessageMeta& m = file.meta;
  FieldSet seen;
  std::set<std::string, std::less<>> seen_in_recipient;
  std::string key, value;
  auto bad = [&](std::string_view what) { return R::failure(reader.errorAt(what)); };
  while (reader.next(key, value)) {
    if (seen.has("message")) return bad("field after the message");
    if (key == "rcpt") {
      m.envelope.recipients.push_back(Recipient{value, {}, {}});
      seen_in_recipient.clear();
      continue;
    }
    if (key == "rcpt-notify" || key == "rcpt-orcpt") {
      if (m.envelope.recipients.empty()) return bad("'" + key + "' before any 'rcpt'");
      if (!seen_in_recipient.insert(key).second) return bad("repeated '" + key + "'");
      auto& r = m.envelope.recipients.back();
      (key == "rcpt-notify" ? r.notify : r.orcpt) = value;
      continue;
    }
    if (!seen.first(key)) return bad("repeated field '" + key + "'");
    if (key == "id") {
      if (!isValidQueueId(value)) return bad("invalid queue id");
      m.id = value;
    } else if (key == "arrival") {
      if (!parseTime(value, m.arrival)) return bad("bad arrival time");
    } else if (key == "client-address") {
      m.client.address = value;
    } else if (key == "client-port") {
      uint64_t port = 0;
      if (!parseUnsigned(value, port) || port > 65535) return bad("bad client port");
      m.client.port = static_cast<uint16_t>(port);
    } else if (key == "client-hostname") {
      m.client.hostname = value;
    } else if (key == "client-helo") {
      m.client.helo = value;
    } else if (key == "client-esmtp") {
      if (!parseBool(value, m.client.esmtp)) return bad("bad boolean");
    } else if (key == "tls-version" || key == "tls-cipher" || key == "tls-bits") {
      if (!m.client.tls) m.client.tls.emplace();
      if (key == "tls-version") {
        m.client.tls->version = value;
      } else if (key == "tls-cipher") {
        m.client.tls->cipher = value;
      } else {
        uint64_t bits = 0;
        if (!parseUnsigned(value, bits) || bits > 65535) return bad("bad TLS bits");
        m.client.tls->bits = static_cast<int>(bits);
      }
    } else if (key == "auth-user") {
      m.client.auth_user = value;
    } else if (key == "mail-from") {
      m.envelope.mail_from = value;
    } else if (key == "size") {
      uint64_t size = 0;
      if (!parseUnsigned(value, size)) return bad("bad SIZE");
      m.envelope.params.size = size;
    } else if (key == "body") {
      m.envelope.params.body = value;
    } else if (key == "smtputf8") {
      if (!parseBool(value, m.envelope.params.smtputf8)) return bad("bad boolean");
    } else if (key == "ret") {
      m.envelope.params.ret = value;
    } else if (key == "envid") {
      m.envelope.params.envid = value;
    } else if (key == "message") {
      auto bytes = reader.blob(value);
      if (!bytes) return R::failure(bytes.error);
      file.message.assign(*bytes);
    } else {
      return bad("unknown field '" + key + "'");
    }
  }
  if (!reader.error().empty()) return R::failure(reader.error());
  for (const char* required : {"id", "arrival", "mail-from", "message"}) {
    if (!seen.has(required)) return R::failure(std::string("missing field '") + required + "'");
  }
  if (m.envelope.recipients.empty()) return R::failure("no recipients");
  return R::success(std::move(file));
}

std::string encodeStateFile(std::string_view id, const DeliveryState& state) {
  RecordWriter w(kStateFileMagic);
  w.field("id", id);
  w.number("attempts", state.attempts);
  w.number("next-attempt", toUnixMicros(state.next_attempt));
  w.number("last-attempt", toUnixMicros(state.last_attempt));
  w.field("delay-notice-sent", boolText(state.delay_notice_sent));
  for (const auto& r : state.recipients) {
    w.field("rcpt", recipientStatusName(r.status));
    if (!r.reply.empty()) w.field("rcpt-reply", r.reply);
    if (!r.remote_mta.empty()) w.field("rcpt-remote-mta", r.remote_mta);
    if (r.last_attempt != TimePoint{}) w.number("rcpt-last-attempt", toUnixMicros(r.last_attempt));
    if (r.notified) w.field("rcpt-notified", "1");
  }
  std::string out = std::move(w.text());
  out.append(checksumLine({out}));
  return out;
}

Result<StateFile> decodeStateFile(std::string_view bytes) {
  auto content = verifyChecksum(bytes);
  if (!content) return Result<StateFile>::failure(content.error);
  return parseStateFileContent(*content);
}

Result<StateFile> parseStateFileContent(std::string_view content) {
  using R = Result<StateFile>;
  RecordReader reader(content);
  if (auto magic = reader.expectMagic(kStateFileMagic); !magic) return R::failure(magic.error);
  StateFile file;
  DeliveryState& s = file.state;
  FieldSet seen;
  std::set<std::string, std::less<>> seen_in_recipient;
  std::string key, value;
  auto bad = [&](std::string_view what) { return R::failure(reader.errorAt(what)); };
  while (reader.next(key, value)) {
    if (key == "rcpt") {
      auto status = parseStatus(value);
      if (!status) return bad(status.error);
      s.recipients.push_back(RecipientState{*status, {}, {}, {}, false});
      seen_in_recipient.clear();
      continue;
    }
    if (key.starts_with("rcpt-")) {
      if (s.recipients.empty()) return bad("'" + key + "' before any 'rcpt'");
      if (!seen_in_recipient.insert(key).second) return bad("repeated '" + key + "'");
      auto& r = s.recipients.back();
      if (key == "rcpt-reply") {
        r.reply = value;
      } else if (key == "rcpt-remote-mta") {
        r.remote_mta = value;
      } else if (key == "rcpt-last-attempt") {
        if (!parseTime(value, r.last_attempt)) return bad("bad time");
      } else if (key == "rcpt-notified") {
        if (!parseBool(value, r.notified)) return bad("bad boolean");
      } else {
        return bad("unknown field '" + key + "'");
      }
      continue;
    }
    if (!seen.first(key)) return bad("repeated field '" + key + "'");
    if (key == "id") {
      if (!isValidQueueId(value)) return bad("invalid queue id");
      file.id = value;
    } else if (key == "attempts") {
      uint64_t attempts = 0;
      if (!parseUnsigned(value, attempts) || attempts > UINT32_MAX) return bad("bad attempts");
      s.attempts = static_cast<uint32_t>(attempts);
    } else if (key == "next-attempt") {
      if (!parseTime(value, s.next_attempt)) return bad("bad time");
    } else if (key == "last-attempt") {
      if (!parseTime(value, s.last_attempt)) return bad("bad time");
    } else if (key == "delay-notice-sent") {
      if (!parseBool(value, s.delay_notice_sent)) return bad("bad boolean");
    } else {
      return bad("unknown field '" + key + "'");
    }
  }
  if (!reader.error().empty()) return R::failure(reader.error());
  for (const char* required : {"id", "attempts", "next-attempt"}) {
    if (!seen.has(required)) return R::failure(std::string("missing field '") + required + "'");
  }
  return R::success(std::move(file));
}

}  // namespace portcullis::spool
