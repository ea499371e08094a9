#include "filters/content/eval/message_facts.h"

#include "gateway/base/text.h"

namespace portcullis::content {

const RelayModel& MessageFacts::relays() {
  if (!relays_) relays_ = buildRelayModel(view_, trust_);
  return *relays_;
}

bool MessageFacts::isPseudoHeader(std::string_view name) {
  for (std::string_view pseudo :
       {"X-Spam-Relays-Trusted", "X-Spam-Relays-Untrusted", "X-Spam-Relays-Internal",
        "X-Spam-Relays-External", "EnvelopeFrom"}) {
    if (iequals(name, pseudo)) return true;
  }
  return isRelayHeaderSection(name);
}

std::optional<std::string> MessageFacts::pseudoHeader(std::string_view name) {
  if (!isPseudoHeader(name)) return std::nullopt;
  const RelayModel& model = relays();
  if (isRelayHeaderSection(name)) return relayHeaderSection(view_, model, name);
  if (iequals(name, "EnvelopeFrom")) return model.envelope_from;
  if (iequals(name, "X-Spam-Relays-Trusted")) return RelayModel::join(model.trusted);
  if (iequals(name, "X-Spam-Relays-Untrusted")) return RelayModel::join(model.untrusted);
  if (iequals(name, "X-Spam-Relays-Internal")) return RelayModel::join(model.internal);
  return RelayModel::join(model.external);
}

}  // namespace portcullis::content
