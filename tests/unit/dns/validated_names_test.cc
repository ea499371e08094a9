// Forward-confirmed reverse names (gateway/dns/validated_names.h) against a static zone: a name
// counts only when its own addresses lead back to the client, lookup failures skip a name, and
// the number of PTR names tried is bounded.
#include "gateway/dns/validated_names.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "gateway/dns/domain_name.h"
#include "gateway/dns/static_resolver.h"

namespace portcullis::dns {
namespace {

std::vector<std::string> namesOf(StaticResolver& zone, const std::string& address,
                                 size_t max_names = 10) {
  asio::io_context io;
  auto ip = IpAddress::parse(address);
  EXPECT_TRUE(ip);
  auto future = asio::co_spawn(io, validatedNames(zone, *ip, max_names), asio::use_future);
  io.run();
  return future.get();
}

TEST(ValidatedNames, KeepsOnlyNamesWhoseAddressesLeadBack) {
  StaticResolver zone;
  zone.add("7.2.0.192.in-addr.arpa", RrType::PTR, "mail.example.test.");
  zone.add("7.2.0.192.in-addr.arpa", RrType::PTR, "liar.example.test.");
  zone.add("7.2.0.192.in-addr.arpa", RrType::PTR, "gone.example.test.");
  zone.add("mail.example.test", RrType::A, "192.0.2.7");
  zone.add("liar.example.test", RrType::A, "198.51.100.1");
  zone.setTimeout("gone.example.test");
  EXPECT_EQ(namesOf(zone, "192.0.2.7"), std::vector<std::string>{"mail.example.test"});
}

TEST(ValidatedNames, Ipv6AsksForAaaaRecords) {
  StaticResolver zone;
  auto ip = IpAddress::parse("2001:db8::25");
  zone.add(ip->reverseName(), RrType::PTR, "mx6.example.test");
  zone.add("mx6.example.test", RrType::A, "192.0.2.25");
  zone.add("mx6.example.test", RrType::AAAA, "2001:db8::25");
  EXPECT_EQ(namesOf(zone, "2001:db8::25"), std::vector<std::string>{"mx6.example.test"});
}

TEST(ValidatedNames, NoPtrOrAFailedOneGivesNoName) {
  StaticResolver zone;
  EXPECT_TRUE(namesOf(zone, "192.0.2.8").empty());
  zone.setTimeout("9.2.0.192.in-addr.arpa");
  EXPECT_TRUE(namesOf(zone, "192.0.2.9").empty());
}

TEST(ValidatedNames, TriesAtMostTheGivenNumberOfPtrNames) {
  StaticResolver zone;
  for (int i = 0; i < 5; ++i) {
    const std::string name = "n" + std::to_string(i) + ".example.test";
    zone.add("10.2.0.192.in-addr.arpa", RrType::PTR, name);
    if (i == 4) zone.add(name, RrType::A, "192.0.2.10");
  }
  EXPECT_TRUE(namesOf(zone, "192.0.2.10", 3).empty());
  EXPECT_EQ(namesOf(zone, "192.0.2.10", 5), std::vector<std::string>{"n4.example.test"});
}

TEST(DomainName, QueryableNamesAndTheTrailingDot) {
  EXPECT_EQ(withoutTrailingDot("a.example."), "a.example");
  EXPECT_TRUE(isQueryableName("a.example."));
  EXPECT_FALSE(isQueryableName(""));
  EXPECT_FALSE(isQueryableName("a..example"));
  EXPECT_FALSE(isQueryableName(std::string(64, 'a') + ".example"));
  EXPECT_FALSE(isQueryableName(std::string(250, 'a') + ".example"));
}

}  // namespace
}  // namespace portcullis::dns
