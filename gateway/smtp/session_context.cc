#include "gateway/smtp/session_context.h"

namespace portcullis::smtp {

Reply toReply(const FlowReply& reply) {
  return Reply{reply.code, reply.enhanced, reply.text};
}

FlowReply toFlowReply(const Reply& reply) {
  return FlowReply{reply.code, reply.enhanced, reply.text};
}

}  // namespace portcullis::smtp
