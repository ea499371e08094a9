#include "gateway/spool/attempt.h"

namespace portcullis::spool {

std::string replyLine(const RecipientOutcome& outcome) {
  std::string line = std::to_string(outcome.code);
  if (!outcome.enhanced.empty()) line += " " + outcome.enhanced;
  if (!outcome.text.empty()) {
    line += " ";
    for (char c : outcome.text) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  return line;
}

AttemptPlan planAfterAttempt(const BackoffSettings& backoff, const MessageMeta& meta,
                             DeliveryState state,
                             const std::vector<std::optional<RecipientOutcome>>& outcomes,
                             const std::string& remote_mta, TimePoint now, double jitter_unit) {
  AttemptPlan plan;
  state.recipients.resize(meta.envelope.recipients.size());
  ++state.attempts;
  state.last_attempt = now;
  for (size_t i = 0; i < state.recipients.size() && i < outcomes.size(); ++i) {
    if (!outcomes[i]) continue;
    RecipientState& r = state.recipients[i];
    int code = outcomes[i]->code;
    r.status = code >= 200 && code < 300   ? RecipientStatus::Delivered
               : code >= 500 && code < 600 ? RecipientStatus::Failed
                                           : RecipientStatus::Delayed;
    r.reply = replyLine(*outcomes[i]);
    r.remote_mta = remote_mta;
    r.last_attempt = now;
  }

  if (state.unfinished() == 0) {
    plan.remove_entry = true;
  } else {
    auto decision = decideAfterTemporaryFailure(backoff, meta.arrival, state.attempts,
                                                state.delay_notice_sent, now, jitter_unit);
    if (decision.kind == BackoffDecision::Kind::Bounce) {
      plan.expired = true;
      plan.remove_entry = true;
      for (auto& r : state.recipients) {
        if (r.status == RecipientStatus::Pending || r.status == RecipientStatus::Delayed) {
          r.status = RecipientStatus::Failed;
        }
      }
    } else {
      plan.retry_at = decision.retry_at;
      state.next_attempt = decision.retry_at;
      if (decision.send_delay_notice) {
        plan.delayed = selectDsnRecipients(meta, state, DsnKind::Delay);
        state.delay_notice_sent = true;
      }
    }
  }

  plan.failed = selectDsnRecipients(meta, state, DsnKind::Failure);
  if (plan.expired) {
    // Bounced for running out of time: say so rather than quote a temporary status as final.
    for (auto& r : plan.failed) {
      if (r.reply.empty() || r.reply[0] != '5') r.status = "4.4.7";
    }
  }
  for (auto& r : state.recipients) {
    if (r.status == RecipientStatus::Failed) r.notified = true;
  }
  plan.state = std::move(state);
  return plan;
}

}  // namespace portcullis::spool
