#include "gateway/cli/server_tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace portcullis::cli {

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The reason of the oldest queued OpenSSL error (the queue is emptied).
std::string openSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : "OpenSSL error " + std::to_string(code);
}

// "RSA", "EC", "ED25519", ...
std::string keyType(const EVP_PKEY* key) {
  const char* name = key ? EVP_PKEY_get0_type_name(key) : nullptr;
  return name ? name : "unknown";
}

// The TLS 1.2 authentication a certificate with this key can do (NID_auth_*).
int authenticationOf(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return NID_auth_rsa;
    case EVP_PKEY_EC:
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448:
      return NID_auth_ecdsa;
    case EVP_PKEY_DSA:
      return NID_auth_dss;
    default:
      return NID_undef;
  }
}

// Keys are read without a passphrase: the gateway starts unattended.
int noPassphrase(char*, int, int, void*) {
  return 0;
}

KeyPtr readPrivateKey(const config::Section& tls, const std::string& path) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) tls.fail("key", "cannot open " + path + ": " + openSslError());
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key) {
    tls.fail("key",
             "cannot load " + path + " (a PEM private key without passphrase): " + openSslError());
  }
  return key;
}

void setProtocols(const config::Section& tls, SSL_CTX* ctx, const config::TlsConfig& c) {
  auto offered = [&](const char* name) {
    return std::find(c.protocols.begin(), c.protocols.end(), name) != c.protocols.end();
  };
  int min = offered("TLSv1.2") ? TLS1_2_VERSION : TLS1_3_VERSION;
  int max = offered("TLSv1.3") ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max) != 1) {
    tls.fail("protocols", "not supported by this OpenSSL: " + openSslError());
  }
}

// OpenSSL silently skips names it does not know as long as one element matches: each plain
// element ("!x", "-x", "+x" and "@x" modify the list) must select a cipher on its own.
void setCiphers(const config::Section& tls, SSL_CTX* ctx, const std::string& list) {
  asio::ssl::context scratch(asio::ssl::context::tls_server);
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find_first_of(":, ", start);
    if (end == std::string::npos) end = list.size();
    std::string element = list.substr(start, end - start);
    start = end + 1;
    if (element.empty() || std::string_view("!-+@").find(element[0]) != std::string_view::npos) {
      continue;
    }
    if (SSL_CTX_set_cipher_list(scratch.native_handle(), element.c_str()) != 1) {
      ERR_clear_error();
      tls.fail("ciphers", "\"" + element +
                              "\" names no TLS 1.2 cipher this OpenSSL knows (TLS 1.3 suites are "
                              "not set here)");
    }
  }
  if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1) {
    tls.fail("ciphers", "selects no TLS 1.2 cipher: " + openSslError());
  }
}

// With TLS 1.2 offered, the list must hold a cipher the certificate can authenticate, or every
// TLS 1.2 handshake would fail with "no shared cipher".
void checkCiphersFitCertificate(const config::Section& tls, SSL_CTX* ctx,
                                const EVP_PKEY* certificate_key) {
  int wanted = authenticationOf(certificate_key);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    if (SSL_CIPHER_get_auth_nid(sk_SSL_CIPHER_value(ciphers, i)) == wanted) return;
  }
  tls.fail("ciphers", "no TLS 1.2 cipher in the list can be used with the " +
                          keyType(certificate_key) + " certificate");
}

}  // namespace

std::shared_ptr<asio::ssl::context> serverTlsContext(const config::GatewayConfig& config) {
  const config::TlsConfig& c = config.tls;
  if (!c.enabled()) return nullptr;
  config::Section root = config.document.root();
  std::optional<config::Section> section = root.sub("tls");
  if (!section) throw std::logic_error("[tls] names a certificate but is not in the document");
  const config::Section& tls = *section;

  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
  // SMTP never needs renegotiation; client-initiated renegotiation only costs us CPU.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (c.server_preference) SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_dh_auto(native, 1);  // DHE suites, when configured, use a group fitting the key
  setProtocols(tls, native, c);
  setCiphers(tls, native, c.ciphers);

  const std::string certificate = c.certificate.string();
  const std::string key_file = c.key.string();
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(certificate, ec);
  if (ec) tls.fail("certificate", "cannot load " + certificate + ": " + ec.message());
  const EVP_PKEY* certificate_key = X509_get0_pubkey(SSL_CTX_get0_certificate(native));

  KeyPtr key = readPrivateKey(tls, key_file);
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_get_base_id(certificate_key)) {
    tls.fail("key", key_file + " holds an " + keyType(key.get()) + " key but the certificate in " +
                        certificate + " has an " + keyType(certificate_key) +
                        " key: every handshake would fail");
  }
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    tls.fail("key", key_file + " does not belong to the certificate in " + certificate + ": " +
                        openSslError());
  }
  if (SSL_CTX_get_min_proto_version(native) <= TLS1_2_VERSION) {
    checkCiphersFitCertificate(tls, native, certificate_key);
  }
  return ctx;
}

}  // namespace portcullis::cli
