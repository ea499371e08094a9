// Where the registered part of a domain name begins, as SpamAssassin's RegistryBoundaries sees
// it: the top-level domains and the two- and three-level registry suffixes come from the rule
// files (util_rb_tld, util_rb_2tld, util_rb_3tld; clear_util_rb empties them), plus the US
// state rules of RFC 1480. Built once per rule set and shared; immutable.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "filters/content/eval/eval_registry.h"

namespace portcullis::content {

class RegistryBoundaries {
 public:
  explicit RegistryBoundaries(const std::vector<Setting>& settings);

  // The registered domain of a host name (trim_domain): "www.example.co.uk" -> "example.co.uk".
  std::string domainOf(std::string_view host) const;
  // Whether `domain` has a dot, no whitespace and a known top-level domain (is_domain_valid).
  bool isDomainValid(std::string_view domain) const;
  // Whether a lowercased label is a known top-level domain.
  bool isTld(std::string_view label) const;

  // The rule set's boundaries, built on first use.
  static std::shared_ptr<const RegistryBoundaries> of(EvalBuildContext& context);

 private:
  std::set<std::string, std::less<>> tlds_;
  std::set<std::string, std::less<>> two_level_;
  std::set<std::string, std::less<>> three_level_;
};

}  // namespace portcullis::content
