#include "gateway/dns/answer_parser.h"

#include <ares.h>
#include <arpa/inet.h>

#include <algorithm>
#include <limits>
#include <optional>

namespace portcullis::dns {

namespace {

constexpr uint16_t kTypeA = 1, kTypeSoa = 6, kTypePtr = 12, kTypeMx = 15, kTypeTxt = 16,
                   kTypeAaaa = 28;
constexpr size_t kHeaderSize = 12;

class Reader {
 public:
  Reader(const unsigned char* data, size_t size) : data_(data), size_(size) {}

  bool has(size_t n) const { return pos_ + n <= size_; }
  size_t pos() const { return pos_; }
  void skip(size_t n) { pos_ += n; }
  uint16_t u16() {
    uint16_t v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t u32() {
    uint32_t hi = u16();
    return hi << 16 | u16();
  }
  // A possibly compressed domain name at `at`; sets `length` to its encoded size there.
  std::optional<std::string> nameAt(size_t at, long& length) const {
    if (at >= size_) return std::nullopt;
    char* out = nullptr;
    if (ares_expand_name(data_ + at, data_, static_cast<int>(size_), &out, &length) != ARES_SUCCESS)
      return std::nullopt;
    std::string name(out);
    ares_free_string(out);
    return name;
  }
  std::optional<std::string> name() {
    long length = 0;
    auto n = nameAt(pos_, length);
    if (n) pos_ += static_cast<size_t>(length);
    return n;
  }
  const unsigned char* data() const { return data_; }

 private:
  const unsigned char* data_;
  size_t size_;
  size_t pos_ = 0;
};

Answer malformed() {
  return Answer{Status::Error, {}, {}, 0};
}

bool readRecordData(Reader& r, size_t rdata, uint16_t rdlength, RrType asked, Answer& answer) {
  const unsigned char* p = r.data() + rdata;
  switch (asked) {
    case RrType::A:
    case RrType::AAAA: {
      bool v4 = asked == RrType::A;
      if (rdlength != (v4 ? 4 : 16)) return false;
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(v4 ? AF_INET : AF_INET6, p, text, sizeof text);
      answer.records.emplace_back(text);
      return true;
    }
    case RrType::TXT: {
      std::string joined;
      for (size_t i = 0; i < rdlength;) {
        size_t len = p[i];
        if (i + 1 + len > rdlength) return false;
        joined.append(reinterpret_cast<const char*>(p + i + 1), len);
        i += 1 + len;
      }
      answer.records.push_back(std::move(joined));
      return true;
    }
    case RrType::MX: {
      if (rdlength < 3) return false;
      uint16_t preference = static_cast<uint16_t>(p[0] << 8 | p[1]);
      long length = 0;
      auto host = r.nameAt(rdata + 2, length);
      if (!host) return false;
      answer.records.push_back(*host);
      answer.mx.push_back({preference, std::move(*host)});
      return true;
    }
    case RrType::PTR: {
      long length = 0;
      auto host = r.nameAt(rdata, length);
      if (!host) return false;
      answer.records.push_back(std::move(*host));
      return true;
    }
  }
  return false;
}

}  // namespace

uint16_t wireType(RrType type) {
  switch (type) {
    case RrType::A:
      return kTypeA;
    case RrType::AAAA:
      return kTypeAaaa;
    case RrType::TXT:
      return kTypeTxt;
    case RrType::MX:
      return kTypeMx;
    case RrType::PTR:
      return kTypePtr;
  }
  return 0;
}

Answer parseResponse(const unsigned char* message, size_t length, RrType asked) {
  Reader r(message, length);
  if (!r.has(kHeaderSize)) return malformed();
  r.skip(2);
  uint16_t flags = r.u16();
  uint16_t questions = r.u16(), answers = r.u16(), authorities = r.u16();
  r.skip(2);
  int rcode = flags & 0xf;

  for (uint16_t i = 0; i < questions; ++i) {
    if (!r.name() || !r.has(4)) return malformed();
    r.skip(4);
  }
  Answer answer;
  uint32_t ttl = std::numeric_limits<uint32_t>::max();
  uint16_t wanted = wireType(asked);
  for (uint16_t i = 0; i < answers; ++i) {
    if (!r.name() || !r.has(10)) return malformed();
    uint16_t type = r.u16();
    r.skip(2);
    uint32_t record_ttl = r.u32();
    uint16_t rdlength = r.u16();
    if (!r.has(rdlength)) return malformed();
    size_t rdata = r.pos();
    if (type == wanted) {
      if (!readRecordData(r, rdata, rdlength, asked, answer)) return malformed();
      ttl = std::min(ttl, record_ttl);
    }
    r.skip(rdlength);
  }
  if (!answer.records.empty()) {
    answer.status = Status::Ok;
    answer.ttl = ttl;
    return answer;
  }
  switch (rcode) {
    case 0:
      answer.status = Status::NoData;
      break;
    case 3:
      answer.status = Status::NxDomain;
      break;
    case 2:
    case 5:
      answer.status = Status::ServFail;
      return answer;
    default:
      answer.status = Status::Error;
      return answer;
  }
  // RFC 2308 section 5: the negative TTL is the smaller of the SOA's own TTL and its MINIMUM.
  for (uint16_t i = 0; i < authorities; ++i) {
    if (!r.name() || !r.has(10)) break;
    uint16_t type = r.u16();
    r.skip(2);
    uint32_t record_ttl = r.u32();
    uint16_t rdlength = r.u16();
    if (!r.has(rdlength)) break;
    if (type == kTypeSoa && rdlength >= 22) {
      const unsigned char* minimum = message + r.pos() + rdlength - 4;
      uint32_t soa_minimum =
          static_cast<uint32_t>(minimum[0]) << 24 | minimum[1] << 16 | minimum[2] << 8 | minimum[3];
      answer.ttl = std::min(record_ttl, soa_minimum);
      break;
    }
    r.skip(rdlength);
  }
  return answer;
}

}  // namespace portcullis::dns
