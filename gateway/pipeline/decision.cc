#include "gateway/pipeline/decision.h"

namespace portcullis {

Decision Decision::refuse(FlowReply reply) {
  Answer answer = reply.code >= 400 && reply.code < 500 ? Answer::TempFail : Answer::Reject;
  return {answer, std::move(reply)};
}

Decision Decision::of(const Verdict& verdict) {
  if (verdict.action != Action::Reject && verdict.action != Action::TempFail) return proceed();
  return {verdict.action == Action::Reject ? Answer::Reject : Answer::TempFail,
          {verdict.smtp_code, verdict.enhanced, verdict.reply_text}};
}

}  // namespace portcullis
