// What the transaction flow (transaction_flow.h) tells a front end after a step of a transaction:
// go on, or refuse with an SMTP reply (code, enhanced status, text) that the SMTP session sends to
// its client and the milter hands to the MTA (smfi_setreply). Defer is the 452 that is no error
// (RFC 5321 §3.3: the client sends that recipient again in a transaction of its own); TempFail and
// Reject are refusals; the SMTP session counts those of MAIL and RCPT towards its error limit.
#pragma once

#include <string>

#include "gateway/core/verdict.h"

namespace portcullis {

// A reply as both front ends give it: the SMTP session to its client, the milter to the MTA.
struct FlowReply {
  int code = 250;
  std::string enhanced;  // "5.7.1"; may be empty
  std::string text;

  bool positive() const { return code >= 200 && code < 400; }
};

enum class Answer { Continue, Defer, TempFail, Reject };

struct Decision {
  Answer answer = Answer::Continue;
  FlowReply reply;  // for every answer but Continue

  bool refused() const { return answer != Answer::Continue; }

  static Decision proceed() { return {}; }
  // TempFail for a 4xx reply, Reject for any other.
  static Decision refuse(FlowReply reply);
  // Reject and TempFail verdicts refuse with the verdict's reply; any other verdict goes on.
  static Decision of(const Verdict& verdict);
};

}  // namespace portcullis
