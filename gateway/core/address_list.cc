#include "gateway/core/address_list.h"

#include <cctype>

#include "gateway/base/text.h"
#include "gateway/core/envelope.h"

namespace portcullis {

namespace {

// Whether `domain` can be a domain name, and why not. Non-ASCII bytes are let through for
// internationalised (U-label) domains.
Status checkDomain(std::string_view domain) {
  if (domain.empty()) return Status::failure("has an empty domain");
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return Status::failure("has an empty label in its domain");
  }
  for (char c : domain) {
    auto u = static_cast<unsigned char>(c);
    bool ok = std::isalnum(u) || c == '-' || c == '.' || u >= 0x80;
    if (!ok) return Status::failure("has a character a domain cannot contain");
  }
  return Status::success();
}

}  // namespace

Status AddressList::add(std::string_view entry) {
  std::string quoted = "\"" + std::string(entry) + "\"";
  if (entry.empty()) return Status::failure("an empty entry is not an address or domain");
  for (char c : entry) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>') {
      return Status::failure(quoted + " contains a blank, a control character or angle brackets");
    }
  }
  auto at = entry.find('@');
  if (at != std::string_view::npos) {
    if (entry.find('@', at + 1) != std::string_view::npos)
      return Status::failure(quoted + " has more than one @");
    if (at == 0)
      return Status::failure(quoted + " has an empty local part (write the domain alone)");
    if (Status checked = checkDomain(entry.substr(at + 1)); !checked)
      return Status::failure(quoted + " " + checked.error);
    addresses_.insert({toLower(entry), std::string(entry)});
    return Status::success();
  }
  bool parent = entry.front() == '.';
  std::string_view domain = parent ? entry.substr(1) : entry;
  if (Status checked = checkDomain(domain); !checked)
    return Status::failure(quoted + " " + checked.error);
  (parent ? parents_ : domains_).insert({toLower(domain), std::string(entry)});
  return Status::success();
}

std::optional<std::string> AddressList::lookup(const std::set<Entry>& entries,
                                               std::string_view key) {
  auto it = entries.find(Entry{std::string(key), {}});
  if (it == entries.end()) return std::nullopt;
  return it->text;
}

std::optional<std::string> AddressList::find(std::string_view address) const {
  if (address.empty()) return std::nullopt;
  if (auto hit = lookup(addresses_, toLower(address))) return hit;
  std::string domain = domainOf(address);
  if (domain.empty()) return std::nullopt;
  if (auto hit = lookup(domains_, domain)) return hit;
  for (auto dot = domain.find('.'); dot != std::string::npos; dot = domain.find('.', dot + 1)) {
    if (auto hit = lookup(parents_, std::string_view(domain).substr(dot + 1))) return hit;
  }
  return std::nullopt;
}

}  // namespace portcullis
