// A parsed DMARC policy record (RFC 7489 §6.3). Parsing is pure. A record DMARC cannot apply
// carries the reason in `error`; values that are malformed but not essential (pct, adkim, aspf,
// rf, ri) fall back to their defaults as §6.3 asks and are listed in `ignored`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::dmarc {

enum class Policy { None, Quarantine, Reject };
enum class AlignmentMode { Relaxed, Strict };

std::string_view toString(Policy policy);  // "none", "quarantine", "reject"

struct Record {
  Policy policy = Policy::None;                           // p=
  std::optional<Policy> subdomain_policy;                 // sp=
  AlignmentMode dkim_alignment = AlignmentMode::Relaxed;  // adkim=
  AlignmentMode spf_alignment = AlignmentMode::Relaxed;   // aspf=
  int percent = 100;                                      // pct=
  std::vector<std::string> rua;
  std::string error;                 // empty when the record applies
  std::vector<std::string> ignored;  // malformed optional tags that fell back to defaults
  bool ok() const { return error.empty(); }
};

// True when the TXT record is a DMARC record candidate (starts with "v=DMARC1").
bool isDmarcRecord(std::string_view txt);

Record parseRecord(std::string_view txt);

}  // namespace portcullis::dmarc
