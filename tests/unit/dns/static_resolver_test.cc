#include "gateway/dns/static_resolver.h"

#include <gtest/gtest.h>

namespace portcullis::dns {
namespace {

TEST(StaticResolver, FollowsCnamesAndDetectsLoops) {
  StaticResolver zone;
  zone.add("host.example.test", RrType::A, "192.0.2.1");
  zone.addCname("alias.example.test", "Host.Example.Test.");
  zone.addCname("loop1.example.test", "loop2.example.test");
  zone.addCname("loop2.example.test", "loop1.example.test");
  EXPECT_EQ(zone.lookup("alias.example.test", RrType::A).records,
            std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(zone.lookup("loop1.example.test", RrType::A).status, Status::ServFail);
}

TEST(StaticResolver, TimeoutForMissingTypesOnly) {
  StaticResolver zone;
  zone.add("half.example.test", RrType::TXT, "v=spf1 -all");
  zone.setTimeoutForMissingTypes("half.example.test");
  EXPECT_EQ(zone.lookup("half.example.test", RrType::TXT).status, Status::Ok);
  EXPECT_EQ(zone.lookup("half.example.test", RrType::A).status, Status::Timeout);
}

TEST(DnsNames, StatusAndTypeNames) {
  EXPECT_EQ(toString(RrType::AAAA), "AAAA");
  EXPECT_EQ(toString(Status::NxDomain), "nxdomain");
  EXPECT_EQ(toString(Status::Timeout), "timeout");
}

}  // namespace
}  // namespace portcullis::dns
