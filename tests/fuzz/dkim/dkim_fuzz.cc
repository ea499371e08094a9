// libFuzzer target for the DKIM parsers: the tag=value list, DKIM-Signature values, key records,
// From mailbox domains, message splitting and canonicalisation, and the verifier's header
// selection and b= blanking on a whole message (with the RFC 8463 keys, so signatures in the
// corpus can verify). Needs OpenSSL's libcrypto at link time.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "filters/dkim/author.h"
#include "filters/dkim/canonicalization.h"
#include "filters/dkim/key_record.h"
#include "filters/dkim/message_fields.h"
#include "filters/dkim/signature.h"
#include "filters/dkim/tag_list.h"
#include "filters/dkim/verifier.h"

using namespace portcullis::dkim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto tags = parseTagList(input)) {
    for (const auto& tag : *tags) {
      if (tag.value_begin > tag.value_end || tag.value_end > input.size()) __builtin_trap();
    }
  }
  parseSignature(input);
  parseKeyRecord(input);
  mailboxDomains(input);
  canonicalizeBody(input, Canonicalization::Simple);
  canonicalizeBody(input, Canonicalization::Relaxed);
  RawMessage message = splitMessage(input);
  for (const auto& field : message.fields) {
    canonicalizeHeader(field.raw, Canonicalization::Relaxed);
  }
  authorOf(message);

  MessageVerifier verifier(input);
  KeyAnswer rsa{
      KeyAnswer::Status::Found,
      {"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5q"
       "hdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4"
       "hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"}};
  KeyAnswer ed25519{KeyAnswer::Status::Found,
                    {"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}};
  for (size_t i = 0; i < verifier.signatures().size() && i < 4; ++i) {
    const auto& sig = verifier.signatures()[i];
    verifier.verify(i, sig.algorithm == Algorithm::Ed25519Sha256 ? ed25519 : rsa, {}, 1700000000);
  }
  return 0;
}
