#include "gateway/spool/queue_entry.h"

namespace portcullis::spool {

size_t DeliveryState::unfinished() const {
  size_t count = 0;
  for (const auto& r : recipients) {
    if (r.status == RecipientStatus::Pending || r.status == RecipientStatus::Delayed) ++count;
  }
  return count;
}

DeliveryState initialDeliveryState(const MessageMeta& meta) {
  DeliveryState state;
  state.next_attempt = meta.arrival;
  state.recipients.resize(meta.envelope.recipients.size());
  return state;
}

std::string_view recipientStatusName(RecipientStatus status) {
  switch (status) {
    case RecipientStatus::Pending:
      return "pending";
    case RecipientStatus::Delivered:
      return "delivered";
    case RecipientStatus::Failed:
      return "failed";
    case RecipientStatus::Delayed:
      return "delayed";
  }
  return "pending";
}

}  // namespace portcullis::spool
