#include "gateway/smtp/recipient_policy.h"

#include "gateway/base/text.h"

namespace portcullis::smtp {

RecipientPolicy::RecipientPolicy(std::vector<std::string> local_domains,
                                 std::vector<std::string> recipients, VerifyMode mode,
                                 std::shared_ptr<RecipientVerifier> verifier)
    : mode_(mode), verifier_(std::move(verifier)) {
  for (const auto& d : local_domains) domains_.insert(toLower(d));
  for (const auto& r : recipients) recipients_.insert(toLower(r));
}

bool RecipientPolicy::isLocalDomain(std::string_view domain) const {
  return domains_.count(toLower(domain)) > 0;
}

awaitable<std::optional<Reply>> RecipientPolicy::check(const Recipient& recipient) const {
  const std::string& address = recipient.address;
  if (iequals(address, "postmaster")) co_return std::nullopt;  // RFC 5321 §4.5.1
  if (!isLocalDomain(domainOf(address))) co_return replies::relayDenied();
  if (iequals(localPartOf(address), "postmaster")) co_return std::nullopt;
  switch (mode_) {
    case VerifyMode::None:
      co_return std::nullopt;
    case VerifyMode::List:
      if (recipients_.count(toLower(address))) co_return std::nullopt;
      co_return replies::unknownUser();
    case VerifyMode::Probe: {
      std::optional<bool> exists;
      if (verifier_) exists = co_await verifier_->exists(address);
      if (!exists) {
        co_return Reply{450, "4.1.1", "Error: recipient address not verified, try again later"};
      }
      if (*exists) co_return std::nullopt;
      co_return replies::unknownUser();
    }
  }
  co_return std::nullopt;
}

}  // namespace portcullis::smtp
