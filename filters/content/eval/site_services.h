// What the gateway runs besides the rules, as far as eval tests answer from it: the DNS lists
// [checks.dnsbl] configures (zone, kind, and the symbols its listings become) and the classifier
// [checks.classifier] opens, with its autolearn settings. Network evals (check_rbl,
// check_uridnsbl, check_bayes, ...) are built against this: a rule whose list or service the site
// does not run is disabled with the reason. The score set SpamAssassin would pick follows from it
// too. Plain data, filled by the CLI from the configuration; empty offline (`portcullis scan`,
// `rules check` without a configuration).
// Which eval rules a score set runs at all is decided here as well (scoreSetSkips).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "filters/classifier/classifier.h"
#include "filters/classifier/classifier_config.h"

namespace portcullis::content {

// One sub-list of a DNS list: the returned addresses (or a mask over the last octet) that the
// DNS list check reports under its own symbol.
struct DnsListCode {
  std::vector<std::string> addresses;  // e.g. "127.0.0.2"
  unsigned mask = 0;
  std::string symbol;
};

struct DnsList {
  enum class Kind { Ip, Domain, Uri };
  std::string zone;  // lowercase, no trailing dot
  Kind kind = Kind::Ip;
  std::string symbol;  // any listing no code claims
  std::vector<DnsListCode> codes;
  bool check_sender = true;  // domain lists: the MAIL FROM domain is looked up
};

struct SiteServices {
  std::vector<DnsList> dns_lists;  // only those a resolver will actually query
  // Checks that ask DNS run (SPF, DKIM, DMARC, DNS lists): SpamAssassin's network tests are on.
  bool network_checks = false;
  // The classifier check_bayes rules read; null when none is configured. Shared, thread-safe.
  std::shared_ptr<const classifier::Classifier> classifier;
  classifier::AutolearnSettings autolearn;  // what the content check learns by itself
};

// SpamAssassin's choice of score set: 0 with neither network tests nor a classifier, 1 with
// network tests (DNS lists, SPF, DKIM, DMARC: what SpamAssassin runs unless local_tests_only), 2
// with the classifier, 3 with both.
inline int scoreSetFor(const SiteServices& services) {
  const bool network = services.network_checks || !services.dns_lists.empty();
  return (network ? 1 : 0) + (services.classifier ? 2 : 0);
}

// Why SpamAssassin does not run an eval rule with these tflags in `score_set` (Plugin::Check: a
// `net` rule only in the network sets 1 and 3, a `learn` rule only in the classifier sets 2 and
// 3), or nullopt when it does.
inline std::optional<std::string> scoreSetSkips(const std::vector<std::string>& tflags,
                                                int score_set) {
  for (const auto& flag : tflags) {
    if (flag == "net" && (score_set & 1) == 0)
      return "needs a score set with network tests (1 or 3): a `tflags net` eval rule does not run "
             "in score set " +
             std::to_string(score_set);
    if (flag == "learn" && (score_set & 2) == 0)
      return "needs a score set with the classifier (2 or 3): a `tflags learn` eval rule does not "
             "run in score set " +
             std::to_string(score_set);
  }
  return std::nullopt;
}

}  // namespace portcullis::content
