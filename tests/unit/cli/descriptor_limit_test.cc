// The descriptor estimate follows the configuration: the delivery mode's connections, the milter,
// recipient probes and the worker pool.
#include "gateway/cli/serve/descriptor_limit.h"

#include <gtest/gtest.h>

namespace portcullis::cli {
namespace {

config::GatewayConfig load(const std::string& tables) {
  return config::loadGatewayConfig(config::Document::parseString(
      "[domains]\nlocal = [\"example.org\"]\n" + tables, "test.toml"));
}

TEST(DescriptorNeeds, SpoolModeCountsTwoPerQueueRunnerDelivery) {
  DescriptorNeeds spool = descriptorNeeds(load("[relay]\nconcurrency = 10\n"), 4);
  DescriptorNeeds more = descriptorNeeds(load("[relay]\nconcurrency = 15\n"), 4);
  EXPECT_EQ(more.fixed - spool.fixed, 10u);
  EXPECT_EQ(spool.per_session, 2u);
}

TEST(DescriptorNeeds, ProxyModeCountsItsIdleConnectionsInsteadOfDeliveries) {
  DescriptorNeeds none =
      descriptorNeeds(load("[relay]\nmode = \"proxy\"\nproxy_idle_connections = 0\n"), 4);
  DescriptorNeeds idle =
      descriptorNeeds(load("[relay]\nmode = \"proxy\"\nproxy_idle_connections = 30\n"), 4);
  EXPECT_EQ(idle.fixed - none.fixed, 30u);
  EXPECT_EQ(descriptorNeeds(load("[relay]\nconcurrency = 1\n"), 4).fixed - none.fixed, 2u);
}

TEST(DescriptorNeeds, TheMilterProbesAndWorkersAddTheirs) {
  DescriptorNeeds plain = descriptorNeeds(load(""), 4);
  EXPECT_EQ(
      descriptorNeeds(load("[milter]\nlisten = \"inet:8891@127.0.0.1\"\n"), 4).fixed - plain.fixed,
      100u);
  EXPECT_EQ(descriptorNeeds(load("verify = \"probe\"\n"), 4).per_session, plain.per_session + 1);
  EXPECT_EQ(descriptorNeeds(load(""), 6).fixed - plain.fixed, 4u);
  EXPECT_EQ(plain.total(10), plain.fixed + 10 * plain.per_session);
}

}  // namespace
}  // namespace portcullis::cli
