#include "gateway/relay/quarantine_keeper.h"

#include <spdlog/spdlog.h>

#include "gateway/core/offload.h"
#include "gateway/mime/message.h"

namespace portcullis::relay {

QuarantineKeeper::QuarantineKeeper(std::shared_ptr<quarantine::Quarantine> store,
                                   asio::thread_pool& workers)
    : store_(std::move(store)), workers_(workers) {}

awaitable<FlowReply> QuarantineKeeper::keep(const Transaction& tx, std::string_view message,
                                            const Verdict& verdict) {
  spool::MessageMeta meta{tx.id, std::chrono::system_clock::now(), tx.client, tx.envelope};
  quarantine::Details details;
  if (tx.parsed) {
    if (const auto* subject = tx.parsed->headers().find("Subject"))
      details.subject = subject->value;
  }
  details.score = verdict.score;
  details.reason = verdict.reason;
  for (const auto& s : verdict.symbols) details.symbols.push_back({s.name, s.score, s.detail});
  quarantine::Quarantine& store = *store_;
  // Named, not a temporary: g++ 12 destroys lambda temporaries in co_await expressions twice.
  auto add = [&store, &meta, message, &details] { return store.add(meta, message, details); };
  Status status = co_await offload(workers_, std::move(add));
  if (!status) {
    spdlog::error("{}: cannot store in the quarantine: {}", tx.id, status.error);
    co_return FlowReply{451, "4.3.0", "Error: cannot store the message, try again later"};
  }
  co_return FlowReply{250, "2.0.0", "Ok: queued as " + tx.id};
}

}  // namespace portcullis::relay
