#include "gateway/pipeline/early_rejection.h"

namespace portcullis {

std::optional<Verdict> earlyRejection(const Policy& policy, const Report& connection,
                                      const Report* transaction) {
  Report early;
  early.merge(connection);
  if (transaction) early.merge(*transaction);
  std::optional<ForcedAction> forced = early.forced();
  if (!forced || forced->action != Action::Reject) return std::nullopt;
  return policy.decide(early);
}

}  // namespace portcullis
