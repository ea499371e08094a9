#include "gateway/smtp/session_context.h"

namespace portcullis::smtp {

namespace {

class SinkStore : public QuarantineStore {
 public:
  explicit SinkStore(std::shared_ptr<QuarantineSink> sink) : sink_(std::move(sink)) {}
  awaitable<FlowReply> keep(const Transaction& tx, std::string_view message,
                            const Verdict& verdict) override {
    Reply reply = co_await sink_->keep(tx, message, verdict);
    co_return toFlowReply(reply);
  }

 private:
  std::shared_ptr<QuarantineSink> sink_;
};

}  // namespace

std::shared_ptr<QuarantineStore> quarantineStore(std::shared_ptr<QuarantineSink> sink) {
  if (!sink) return nullptr;
  return std::make_shared<SinkStore>(std::move(sink));
}

Reply toReply(const FlowReply& reply) {
  return Reply{reply.code, reply.enhanced, reply.text};
}

FlowReply toFlowReply(const Reply& reply) {
  return FlowReply{reply.code, reply.enhanced, reply.text};
}

}  // namespace portcullis::smtp
