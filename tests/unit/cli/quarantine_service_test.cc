// The quarantine of `serve`: the keeper both front ends store through (one QuarantineStore
// interface) answers 250 once the message is in the store, which the service opened.
#include "gateway/cli/serve/quarantine_service.h"

#include <gtest/gtest.h>

#include "gateway/core/queue_id.h"
#include "tests/support/temp_dir.h"

namespace portcullis::cli {
namespace {

TEST(QuarantineService, TheKeeperAnswers250OnceTheMessageIsStored) {
  test::TempDir dir;
  config::Document document = config::Document::parseString(
      "[quarantine]\ndirectory = \"" + (dir / "quarantine").string() + "\"\n", "test.toml");
  asio::io_context io;
  asio::thread_pool workers(1);
  metrics::Metrics metrics;
  QuarantineService service(document, io, workers, metrics);

  Transaction tx;
  tx.id = newQueueId();
  tx.client.address = "192.0.2.1";
  tx.envelope.mail_from = "sender@example.net";
  tx.envelope.recipients.push_back(Recipient{"user@example.org"});
  Verdict verdict;
  verdict.action = Action::Quarantine;
  verdict.score = 9.5;
  verdict.reason = "score";
  std::shared_ptr<QuarantineStore> store = service.keeper();
  FlowReply reply;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        reply = co_await store->keep(tx, "Subject: hi\r\n\r\nbody\r\n", verdict);
        io.stop();
      },
      asio::detached);
  io.run();

  EXPECT_EQ(reply.code, 250);
  EXPECT_EQ(reply.enhanced, "2.0.0");
  EXPECT_EQ(reply.text, "Ok: queued as " + tx.id);
  auto kept = service.store()->list({});
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].id, tx.id);
  EXPECT_DOUBLE_EQ((*kept)[0].details.score, 9.5);
  service.history()->stopFlushing();
  workers.join();
}

}  // namespace
}  // namespace portcullis::cli
