// The session contexts of `serve`: install() makes a configuration's context current in the one
// holder every front end reads, a build that fails keeps the running context, and the delivery
// follows relay.mode.
#include "gateway/cli/serve/session_contexts.h"

#include <gtest/gtest.h>

#include "gateway/metrics/metrics.h"
#include "tests/support/temp_dir.h"

namespace portcullis::cli {
namespace {

config::GatewayConfig loadTables(const std::string& tables) {
  return config::loadGatewayConfig(config::Document::parseString(
      "[domains]\nlocal = [\"example.org\"]\n" + tables, "test.toml"));
}

class NoDelivery : public smtp::Delivery {
 public:
  std::unique_ptr<smtp::DeliveryTransaction> begin() override { return nullptr; }
};

class SessionContextsTest : public ::testing::Test {
 protected:
  asio::thread_pool workers_{1};
  metrics::Metrics metrics_;
  metrics::LoadTracker loads_{metrics_};
};

TEST_F(SessionContextsTest, InstallMakesTheContextCurrentAndAFailedBuildKeepsTheRunningOne) {
  SessionContexts contexts(RuntimeServices{workers_, nullptr}, loads_);
  EXPECT_EQ(contexts.holder()->current(), nullptr);

  contexts.install(loadTables("[server]\nhostname = \"first.example\"\n")).activate();
  std::shared_ptr<const smtp::SessionContext> first = contexts.holder()->current();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->hostname, "first.example");

  test::TempDir dir;
  const std::string missing = (dir / "missing.pem").string();
  config::GatewayConfig broken =
      loadTables("[tls]\ncertificate = \"" + missing + "\"\nkey = \"" + missing + "\"\n");
  EXPECT_THROW(contexts.install(broken), config::ConfigError);
  EXPECT_EQ(contexts.holder()->current(), first);

  contexts.install(loadTables("[server]\nhostname = \"second.example\"\n")).activate();
  EXPECT_EQ(contexts.holder()->current()->hostname, "second.example");
  EXPECT_EQ(first->hostname, "first.example");  // a running session keeps its context
}

TEST_F(SessionContextsTest, SpoolModeDeliversThroughTheSpoolAndProxyModeDoesNot) {
  auto spool_delivery = std::make_shared<NoDelivery>();
  SessionContexts contexts(RuntimeServices{workers_, spool_delivery}, loads_);
  contexts.install(loadTables("")).activate();
  EXPECT_EQ(contexts.holder()->current()->delivery, spool_delivery);
  contexts.install(loadTables("[relay]\nmode = \"proxy\"\n")).activate();
  ASSERT_NE(contexts.holder()->current()->delivery, nullptr);
  EXPECT_NE(contexts.holder()->current()->delivery, spool_delivery);
}

TEST_F(SessionContextsTest, ModesReachTheContext) {
  SessionContexts contexts(RuntimeServices{workers_, nullptr}, loads_);
  contexts.install(loadTables("")).activate();
  EXPECT_EQ(contexts.holder()->current()->bare_line_ends, smtp::BareLineEndPolicy::Reject);
  EXPECT_EQ(contexts.holder()->current()->long_lines.action, smtp::LongLineAction::Wrap);
  contexts
      .install(loadTables(
          "[limits]\nbare_line_ends = \"normalize\"\n[relay]\nlong_lines = \"refuse\"\n"))
      .activate();
  EXPECT_EQ(contexts.holder()->current()->bare_line_ends, smtp::BareLineEndPolicy::Normalize);
  EXPECT_EQ(contexts.holder()->current()->long_lines.action, smtp::LongLineAction::Refuse);
}

}  // namespace
}  // namespace portcullis::cli
