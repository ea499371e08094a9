// Reading [policy] and [[policy.domain]]: lists, per-domain settings inheriting from [policy], and
// a specific file:line error for every malformed entry.
#include <gtest/gtest.h>

#include "gateway/config/gateway_config.h"

namespace portcullis::config {
namespace {

GatewayConfig load(const std::string& policy) {
  std::string text =
      "[domains]\nlocal = [\"example.org\", \"Lists.Example.org\"]\n\n[policy]\n" + policy;
  return loadGatewayConfig(Document::parseString(text, "test.toml"));
}

// The message of the ConfigError loading `policy` throws, or "" when it loads.
std::string errorOf(const std::string& policy) {
  try {
    load(policy);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(PolicyConfig, ReadsListsAndDomainOverrides) {
  GatewayConfig c = load(
      "tag_threshold = 4\n"
      "subject_prefix = \"[SPAM]\"\n"
      "allow_clients = [\"192.0.2.0/24\", \"2001:db8::/32\"]\n"
      "deny_clients = [\"198.51.100.1\"]\n"
      "allow_senders = [\"partner.example\", \"boss@x.example\"]\n"
      "deny_senders = [\".spam.example\"]\n"
      "allow_recipients = [\"abuse@example.org\"]\n"
      "deny_recipients = [\"former@example.org\"]\n"
      "\n[[policy.domain]]\n"
      "domain = \"lists.example.org\"\n"
      "tag_threshold = 8\n"
      "reject_threshold = 30\n");
  const PolicyConfig& p = c.policy;
  EXPECT_EQ(p.lists.allow_clients.find("192.0.2.9"), "192.0.2.0/24");
  EXPECT_EQ(p.lists.allow_clients.find("2001:db8::9"), "2001:db8::/32");
  EXPECT_EQ(p.lists.deny_clients.find("198.51.100.1"), "198.51.100.1");
  EXPECT_EQ(p.lists.allow_senders.find("a@partner.example"), "partner.example");
  EXPECT_EQ(p.lists.deny_senders.find("a@mx.spam.example"), ".spam.example");
  EXPECT_EQ(p.lists.allow_recipients.find("abuse@example.org"), "abuse@example.org");
  EXPECT_EQ(p.lists.deny_recipients.find("former@example.org"), "former@example.org");
  ASSERT_EQ(p.domains.size(), 1u);
  const DomainPolicyConfig& d = p.domains[0];
  EXPECT_EQ(d.domain, "lists.example.org");
  EXPECT_EQ(d.tag_threshold, 8);
  EXPECT_EQ(d.reject_threshold, 30);
  EXPECT_EQ(d.subject_prefix, "[SPAM]");  // inherited from [policy]
  EXPECT_EQ(d.quarantine_threshold, p.quarantine_threshold);
}

TEST(PolicyConfig, BadEntriesNameTheKeyAndLine) {
  EXPECT_EQ(errorOf("reject_threshold = 20\nallow_clients = [\"192.0.2.0/33\"]\n"),
            "test.toml:6: policy.allow_clients: \"192.0.2.0/33\" is not an IPv4 address or network "
            "(like 192.0.2.0/24)");
  EXPECT_EQ(errorOf("deny_clients = [\"10.1.2.3/8\"]\n"),
            "test.toml:5: policy.deny_clients: \"10.1.2.3/8\" has bits set after the prefix; the "
            "network is 10.0.0.0/8");
  EXPECT_EQ(errorOf("deny_senders = [\"a@b@c\"]\n"),
            "test.toml:5: policy.deny_senders: \"a@b@c\" has more than one @");
  EXPECT_EQ(errorOf("allow_recipients = \"abuse@example.org\"\n").find("test.toml:5: "), 0u);
}

TEST(PolicyConfig, DomainOverridesMustNameOneLocalDomainOnce) {
  EXPECT_EQ(errorOf("\n[[policy.domain]]\ndomain = \"other.example\"\n"),
            "test.toml:7: policy.domain.domain: \"other.example\" is not one of domains.local");
  EXPECT_NE(errorOf("\n[[policy.domain]]\ntag_threshold = 3\n").find("needs domain = "),
            std::string::npos);
  EXPECT_EQ(errorOf("\n[[policy.domain]]\ndomain = \"example.org\"\n"
                    "\n[[policy.domain]]\ndomain = \"EXAMPLE.org\"\n"),
            "test.toml:10: policy.domain.domain: \"example.org\" has a [[policy.domain]] already");
  EXPECT_EQ(errorOf("\n[[policy.domain]]\ndomain = \"example.org\"\nreject_treshold = 3\n"),
            "test.toml:8: unknown option \"policy.domain.reject_treshold\"");
}

}  // namespace
}  // namespace portcullis::config
