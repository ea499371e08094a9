#include "filters/dkim/verifier.h"

#include <algorithm>
#include <limits>

#include "filters/dkim/canonicalization.h"
#include "filters/dkim/crypto.h"
#include "filters/dkim/key_record.h"
#include "gateway/base/text.h"

namespace portcullis::dkim {

namespace {

SignatureResult failure(Result result, std::string reason) {
  SignatureResult r;
  r.result = result;
  r.reason = std::move(reason);
  return r;
}

std::string_view hashName(HashAlgorithm hash) {
  return hash == HashAlgorithm::Sha1 ? "sha1" : "sha256";
}

// The first usable record, or the first record's error when none is usable.
KeyRecord selectKey(const std::vector<std::string>& records) {
  KeyRecord first;
  for (size_t i = 0; i < records.size(); ++i) {
    KeyRecord key = parseKeyRecord(records[i]);
    if (key.ok()) return key;
    if (i == 0) first = std::move(key);
  }
  if (records.empty()) first.error = "no key record";
  return first;
}

}  // namespace

std::string_view toString(Result result) {
  switch (result) {
    case Result::Pass:
      return "pass";
    case Result::Fail:
      return "fail";
    case Result::Neutral:
      return "neutral";
    case Result::Policy:
      return "policy";
    case Result::TempError:
      return "temperror";
    case Result::PermError:
      return "permerror";
  }
  return "permerror";
}

MessageVerifier::MessageVerifier(std::string_view message) : message_(splitMessage(message)) {
  for (size_t i = 0; i < message_.fields.size(); ++i) {
    if (iequals(message_.fields[i].name, "DKIM-Signature")) {
      signatures_.push_back(parseSignature(message_.fields[i].value));
      signature_fields_.push_back(i);
    }
  }
}

std::string MessageVerifier::headerData(size_t index) const {
  const Signature& sig = signatures_[index];
  std::string data;
  // Each h= name selects the last instance not yet selected, from the bottom up (§5.4.2).
  std::map<std::string, size_t> cursor;
  for (const auto& name : sig.signed_headers) {
    auto [it, fresh] = cursor.try_emplace(name, message_.fields.size());
    size_t k = it->second;
    while (k > 0 && !iequals(message_.fields[k - 1].name, name)) --k;
    if (k == 0) {
      it->second = 0;
      continue;
    }
    it->second = k - 1;
    data += canonicalizeHeader(message_.fields[k - 1].raw, sig.header_canon);
  }
  const RawField& field = message_.fields[signature_fields_[index]];
  size_t value_offset = static_cast<size_t>(field.value.data() - field.raw.data());
  std::string blanked(field.raw.substr(0, value_offset + sig.b_value_begin));
  blanked += field.raw.substr(value_offset + sig.b_value_end);
  std::string canonical = canonicalizeHeader(blanked, sig.header_canon);
  canonical.resize(canonical.size() - 2);  // the signature field is hashed without its CRLF
  data += canonical;
  return data;
}

const std::string& MessageVerifier::bodyHash(const Signature& sig, bool& length_exceeded) {
  uint64_t length = sig.body_length.value_or(std::numeric_limits<uint64_t>::max());
  auto key = std::make_tuple(sig.body_canon, hashOf(sig.algorithm), length);
  auto it = body_hashes_.find(key);
  if (it == body_hashes_.end()) {
    std::string canonical = canonicalizeBody(message_.body, sig.body_canon);
    BodyHash entry{{}, canonical.size()};
    if (length < canonical.size()) canonical.resize(length);
    entry.hash = digest(hashOf(sig.algorithm), canonical);
    it = body_hashes_.emplace(key, std::move(entry)).first;
  }
  length_exceeded = sig.body_length && *sig.body_length > it->second.canonical_size;
  return it->second.hash;
}

SignatureResult MessageVerifier::verify(size_t index, const KeyAnswer& answer,
                                        const VerifyOptions& options, int64_t now, KeyCache* keys) {
  const Signature& sig = signatures_[index];
  SignatureResult result = [&]() -> SignatureResult {
    if (!sig.ok()) return failure(Result::PermError, sig.error);
    int64_t skew = options.clock_skew.count();
    if (sig.expiration && now > *sig.expiration + skew) {
      return failure(Result::PermError, "signature expired");
    }
    if (answer.status == KeyAnswer::Status::TempFail) {
      return failure(Result::TempError, "key lookup failed");
    }
    if (answer.status == KeyAnswer::Status::NotFound) {
      return failure(Result::PermError, "no key for signature");
    }
    KeyRecord key = selectKey(answer.records);
    if (!key.ok()) return failure(Result::PermError, key.error);
    SignatureResult r;
    r.testing = key.testing;
    r.future_timestamp = sig.timestamp && *sig.timestamp > now + skew;
    auto fail = [&](Result result, std::string reason) {
      r.result = result;
      r.reason = std::move(reason);
      return r;
    };
    if (key.revoked()) return fail(Result::PermError, "key revoked");
    if (key.key_type != keyTypeOf(sig.algorithm)) {
      return fail(Result::PermError,
                  "key type k=" + key.key_type + " does not match a=" + sig.algorithm_name);
    }
    std::string_view hash = hashName(hashOf(sig.algorithm));
    if (!key.hashes.empty() &&
        std::find(key.hashes.begin(), key.hashes.end(), hash) == key.hashes.end()) {
      return fail(Result::PermError, "key does not allow hash " + std::string(hash));
    }
    if (key.strict && toLower(sig.auid.substr(sig.auid.rfind('@') + 1)) != sig.domain) {
      return fail(Result::PermError, "key requires i= domain to equal d= (t=s)");
    }
    std::optional<PublicKey> public_key;
    if (keys) {
      public_key = keys->get(key.key_type, key.public_key);
    } else {
      public_key = sig.algorithm == Algorithm::Ed25519Sha256 ? PublicKey::ed25519(key.public_key)
                                                             : PublicKey::rsa(key.public_key);
    }
    if (!public_key) return fail(Result::PermError, "unusable public key");
    r.key_bits = public_key->bits();
    if (sig.algorithm != Algorithm::Ed25519Sha256 && r.key_bits < options.min_rsa_bits) {
      return fail(Result::Policy, "RSA key of " + std::to_string(r.key_bits) +
                                      " bits is below the minimum of " +
                                      std::to_string(options.min_rsa_bits));
    }
    bool length_exceeded = false;
    const std::string& body_hash = bodyHash(sig, length_exceeded);
    if (length_exceeded) return fail(Result::PermError, "l= exceeds the body length");
    if (body_hash != sig.body_hash) return fail(Result::Fail, "body hash mismatch");
    if (!public_key->verify(sig.algorithm, headerData(index), sig.signature)) {
      return fail(Result::Fail, "signature verification failed");
    }
    for (const auto& name : options.single_instance_headers) {
      auto signed_count = std::count(sig.signed_headers.begin(), sig.signed_headers.end(), name);
      if (signed_count == 0) continue;
      auto present = std::count_if(message_.fields.begin(), message_.fields.end(),
                                   [&](const RawField& f) { return iequals(f.name, name); });
      if (present > signed_count) {
        return fail(Result::Policy, "unsigned " + name + " field added");
      }
    }
    r.result = Result::Pass;
    return r;
  }();
  result.signature = &sig;
  if (result.testing && result.result != Result::Pass) {
    result.reason = "testing key: " + result.reason;
    result.result = Result::Neutral;
  }
  return result;
}

}  // namespace portcullis::dkim
