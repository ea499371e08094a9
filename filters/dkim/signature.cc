#include "filters/dkim/signature.h"

#include <openssl/evp.h>

#include <charconv>

#include "filters/dkim/tag_list.h"
#include "gateway/base/text.h"

namespace portcullis::dkim {

namespace {

template <typename Int>
std::optional<Int> parseNumber(std::string_view text) {
  Int value = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<Canonicalization> parseCanon(std::string_view text) {
  if (text == "simple") return Canonicalization::Simple;
  if (text == "relaxed") return Canonicalization::Relaxed;
  return std::nullopt;
}

std::string parseTags(const std::vector<Tag>& tags, Signature& sig) {
  auto get = [&](std::string_view name) { return findTag(tags, name); };
  const Tag* v = get("v");
  if (!v) return "missing v= tag";
  if (v->value != "1") return "unsupported version v=" + std::string(v->value);

  for (const char* required : {"a", "b", "bh", "d", "h", "s"}) {
    if (!get(required)) return std::string("missing ") + required + "= tag";
  }
  sig.domain = toLower(get("d")->value);
  sig.selector = std::string(get("s")->value);
  if (sig.domain.empty()) return "empty d= tag";
  if (sig.selector.empty()) return "empty s= tag";

  sig.algorithm_name = toLower(get("a")->value);
  if (sig.algorithm_name == "rsa-sha256") {
    sig.algorithm = Algorithm::RsaSha256;
  } else if (sig.algorithm_name == "rsa-sha1") {
    sig.algorithm = Algorithm::RsaSha1;
  } else if (sig.algorithm_name == "ed25519-sha256") {
    sig.algorithm = Algorithm::Ed25519Sha256;
  } else {
    return "unknown algorithm a=" + sig.algorithm_name;
  }

  const Tag* b = get("b");
  sig.b_value_begin = b->value_begin;
  sig.b_value_end = b->value_end;
  sig.signature_prefix = removeWhitespace(b->value).substr(0, 8);
  auto signature = decodeBase64(b->value);
  if (!signature || signature->empty()) return "malformed b= tag";
  sig.signature = std::move(*signature);
  auto body_hash = decodeBase64(get("bh")->value);
  if (!body_hash || body_hash->empty()) return "malformed bh= tag";
  sig.body_hash = std::move(*body_hash);

  std::string header_list = removeWhitespace(get("h")->value);
  for (auto name : split(header_list, ':')) {
    if (name.empty()) return "malformed h= tag";
    sig.signed_headers.push_back(toLower(name));
  }
  bool from_signed = false;
  for (const auto& name : sig.signed_headers) from_signed = from_signed || name == "from";
  if (!from_signed) return "From field not signed";

  if (const Tag* c = get("c")) {
    std::string_view value = c->value;
    size_t slash = value.find('/');
    auto header = parseCanon(toLower(value.substr(0, slash)));
    auto body = slash == std::string_view::npos ? Canonicalization::Simple
                                                : parseCanon(toLower(value.substr(slash + 1)));
    if (!header || !body) return "unknown canonicalization c=" + std::string(value);
    sig.header_canon = *header;
    sig.body_canon = *body;
  }

  if (const Tag* i = get("i")) {
    sig.auid = std::string(i->value);
    size_t at = sig.auid.rfind('@');
    if (at == std::string::npos) return "malformed i= tag";
    if (!isSameOrSubdomain(toLower(sig.auid.substr(at + 1)), sig.domain)) {
      return "i= domain is not d= or a subdomain of it";
    }
  } else {
    sig.auid = "@" + sig.domain;
  }

  if (const Tag* q = get("q")) {
    bool dns_txt = false;
    std::string methods = removeWhitespace(q->value);
    for (auto method : split(methods, ':')) {
      dns_txt = dns_txt || iequals(method, "dns/txt") || iequals(method, "dns");
    }
    if (!dns_txt) return "unsupported query method q=" + std::string(q->value);
  }
  if (const Tag* l = get("l")) {
    sig.body_length = parseNumber<uint64_t>(l->value);
    if (!sig.body_length) return "malformed l= tag";
  }
  if (const Tag* t = get("t")) {
    sig.timestamp = parseNumber<int64_t>(t->value);
    if (!sig.timestamp) return "malformed t= tag";
  }
  if (const Tag* x = get("x")) {
    sig.expiration = parseNumber<int64_t>(x->value);
    if (!sig.expiration) return "malformed x= tag";
    if (sig.timestamp && *sig.expiration <= *sig.timestamp) return "x= is not after t=";
  }
  return {};
}

}  // namespace

HashAlgorithm hashOf(Algorithm algorithm) {
  return algorithm == Algorithm::RsaSha1 ? HashAlgorithm::Sha1 : HashAlgorithm::Sha256;
}

std::string_view keyTypeOf(Algorithm algorithm) {
  return algorithm == Algorithm::Ed25519Sha256 ? "ed25519" : "rsa";
}

Signature parseSignature(std::string_view field_value) {
  Signature sig;
  auto tags = parseTagList(field_value);
  if (!tags) {
    sig.error = "malformed tag list";
    return sig;
  }
  sig.error = parseTags(*tags, sig);
  return sig;
}

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string compact = removeWhitespace(text);
  if (compact.size() % 4 != 0) return std::nullopt;
  if (compact.empty()) return std::string();
  std::string out(compact.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(compact.data()),
                          static_cast<int>(compact.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  if (compact.back() == '=') ++padding;
  if (compact.size() >= 2 && compact[compact.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

bool isSameOrSubdomain(std::string_view domain, std::string_view parent) {
  if (domain == parent) return true;
  return domain.size() > parent.size() && domain.ends_with(parent) &&
         domain[domain.size() - parent.size() - 1] == '.';
}

}  // namespace portcullis::dkim
