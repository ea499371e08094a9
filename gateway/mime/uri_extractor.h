// URIs and e-mail addresses found in message text and HTML, as SpamAssassin's URI extraction finds
// them: schemed URIs (http, https, ftp, file, mailto, javascript), schemeless "www."/"ftp." links,
// bare domains whose top-level domain exists ("example.com/x"), e-mail addresses (also listed as
// "mailto:" URIs), and HTML attribute URIs resolved against <base href>. Each URI is listed in
// canonical form (lowercase scheme and host, userinfo dropped, percent-escapes of printable
// characters decoded, "http:\\" and missing slashes repaired) and, when it differs, as written.
// Duplicates are listed once, in order of first appearance.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace portcullis::mime {

// The canonical form of `uri` (see above). `base_href` resolves relative references; "www." and
// "ftp." hosts without a scheme get one.
std::string canonicalizeUri(std::string_view uri, std::string_view base_href = {});

class UriCollector {
 public:
  UriCollector(size_t max_uris, size_t max_addresses);

  void addFromText(std::string_view text);
  // A URI from an HTML attribute (references already decoded).
  void addFromHtml(std::string_view value, std::string_view base_href);

  std::vector<std::string>& uris() { return uris_; }
  std::vector<std::string>& emailAddresses() { return emails_; }

 private:
  // Lists the canonical form of `raw` and, if `keep_written` and it differs, `raw` itself.
  void addUri(std::string_view raw, std::string_view base_href, bool keep_written = true);
  void addEmail(std::string_view address);
  void scanToken(std::string_view token);

  size_t max_uris_;
  size_t max_addresses_;
  std::vector<std::string> uris_;
  std::vector<std::string> emails_;
  std::unordered_set<std::string> seen_uris_;
  std::unordered_set<std::string> seen_emails_;
};

}  // namespace portcullis::mime
