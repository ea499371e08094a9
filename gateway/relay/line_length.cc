#include "gateway/relay/line_length.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "filters/dkim/message_fields.h"
#include "filters/dkim/signature.h"
#include "gateway/base/text.h"

namespace portcullis::relay {

namespace {

// The d= of every usable DKIM signature whose signed content contains a wrapped line.
std::vector<std::string> brokenSignatures(std::string_view message, size_t limit) {
  std::vector<std::string> broken;
  dkim::RawMessage parts = dkim::splitMessage(message);
  const bool body_wrapped = smtp::longestLine(parts.body) > limit;
  std::vector<std::string> wrapped_fields;  // lowercased names
  for (const auto& field : parts.fields) {
    if (smtp::longestLine(field.raw) > limit) wrapped_fields.push_back(toLower(field.name));
  }
  for (const auto& field : parts.fields) {
    if (!iequals(field.name, "DKIM-Signature")) continue;
    dkim::Signature sig = dkim::parseSignature(field.value);
    if (!sig.ok()) continue;
    bool breaks = body_wrapped || smtp::longestLine(field.raw) > limit;
    for (const auto& name : wrapped_fields) {
      breaks = breaks || std::find(sig.signed_headers.begin(), sig.signed_headers.end(), name) !=
                             sig.signed_headers.end();
    }
    if (breaks) broken.push_back(sig.domain);
  }
  return broken;
}

}  // namespace

FittedMessage fitLineLength(const smtp::LongLinePolicy& policy, const Envelope& envelope,
                            std::string_view message) {
  if (policy.limit == 0 || !smtp::hasTextLines(envelope)) return FittedMessage{};
  return fitLineLength(policy, envelope, message, smtp::longestLine(message));
}

RelayText prepareForRelay(const smtp::LongLinePolicy& policy, const Envelope& envelope,
                          std::string_view message) {
  const smtp::LineShape shape = smtp::lineShape(message);
  return {fitLineLength(policy, envelope, message, shape.longest_line), shape.needs_dot_stuffing};
}

FittedMessage fitLineLength(const smtp::LongLinePolicy& policy, const Envelope& envelope,
                            std::string_view message, size_t longest_line) {
  FittedMessage fitted;
  if (policy.limit == 0 || !smtp::hasTextLines(envelope)) return fitted;
  fitted.longest_line = longest_line;
  if (fitted.longest_line <= policy.limit) return fitted;
  fitted.wrapped_lines = smtp::countLongLines(message, policy.limit);
  fitted.wrapped = smtp::wrapLongLines(message, policy.limit);
  fitted.broken_dkim_domains = brokenSignatures(message, policy.limit);
  return fitted;
}

void logLineWrap(std::string_view queue_id, size_t limit, const FittedMessage& fitted) {
  if (fitted.wrapped_lines == 0) return;
  std::string what = fmt::format(
      "{}: {} line{} over {} octets (longest {}) wrapped for the "
      "internal MTA",
      queue_id, fitted.wrapped_lines, fitted.wrapped_lines == 1 ? "" : "s", limit,
      fitted.longest_line);
  if (fitted.broken_dkim_domains.empty()) {
    spdlog::info("{}", what);
    return;
  }
  std::string domains;
  for (const auto& d : fitted.broken_dkim_domains) {
    domains += (domains.empty() ? "d=" : ", d=") + d;
  }
  spdlog::warn("{}; this breaks the DKIM signature{} of {}", what,
               fitted.broken_dkim_domains.size() == 1 ? "" : "s", domains);
}

}  // namespace portcullis::relay
