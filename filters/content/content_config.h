// The `[checks.content]` configuration, read into the rule engine's EngineConfig, and the
// CheckFactory that builds the content check (content_check.h) from it.
//
// [checks.content] options (all optional):
//   rules = ["/path/dir", "/path/file.cf"]   rule files or directories (default: rules/)
//   score_set = 0..3       SpamAssassin score set; by default as SpamAssassin picks it: 0 without
//                          network tests or classifier, 1 with network tests (DNS lists, SPF,
//                          DKIM, DMARC), 2 with the classifier, 3 with both
//   trusted_networks, internal_networks, msa_networks = ["192.0.2.0/24", ...]   the relay
//                          model's trust, added to the rule files' settings
//   cache_dir = "..."      compiled-database cache (default: <state_dir>/content-cache)
//   max_scan_bytes = "2M"  each text is scanned up to this size
//   pcre_match_limit = 100000, pcre_depth_limit = 10000
//   language = "en"        which `lang xx` lines apply
#pragma once

#include "filters/content/eval/site_services.h"
#include "filters/content/rule_engine.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::content {

// Reads and validates `[checks.content]` (rule files relative to the configuration file, the
// score set chosen for `services` unless given, the cache under deps.state_dir); does not call
// finish().
EngineConfig readContentConfig(config::Section& section, const SiteServices& services,
                               const CheckDeps& deps);

// The factory named "content" for gateway/cli/check_catalog.cc. `services` are the DNS lists and
// classifier the rest of the configuration runs: network evals answer from them, and they choose
// the score set unless `score_set` is given; autolearn follows services.autolearn.
CheckFactory contentCheckFactory(SiteServices services = {});

}  // namespace portcullis::content
