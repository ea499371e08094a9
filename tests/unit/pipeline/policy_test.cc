// The verdict policy: thresholds and their replies, forced actions, allow and deny lists, and the
// per-recipient-domain settings with the choice that decides which recipients share a transaction.
#include "gateway/pipeline/policy.h"

#include <gtest/gtest.h>

namespace portcullis {
namespace {

Report scored(double score, std::string name = "TEST_SPAM") {
  Report r;
  r.addSymbol({std::move(name), score, "test"});
  return r;
}

std::string header(const Verdict& v, std::string_view name) {
  for (const auto& h : v.headers) {
    if (h.name == name) return h.value;
  }
  return "(absent)";
}

PolicySettings defaults() {
  return PolicySettings{5.0, 10.0, 15.0, "[SPAM]", false};
}

TEST(Policy, ScoreAgainstThresholds) {
  Policy policy(defaults());
  EXPECT_EQ(policy.decide(scored(1)).action, Action::Accept);
  EXPECT_EQ(policy.decide(scored(5)).action, Action::Tag);
  EXPECT_EQ(policy.decide(scored(10)).action, Action::Quarantine);
  EXPECT_EQ(policy.decide(scored(15)).action, Action::Reject);
}

TEST(Policy, TagWritesHeadersAndSubjectPrefix) {
  Policy policy(defaults());
  Verdict tag = policy.decide(scored(6.5));
  EXPECT_EQ(header(tag, "X-Spam-Flag"), "YES");
  EXPECT_EQ(header(tag, "X-Spam-Score"), "6.5");
  EXPECT_EQ(header(tag, "X-Spam-Status"), "Yes, score=6.5 required=5.0 tests=TEST_SPAM=6.5");
  EXPECT_EQ(tag.subject_prefix, "[SPAM]");

  Verdict ham = policy.decide(Report{});
  EXPECT_EQ(header(ham, "X-Spam-Flag"), "(absent)");
  EXPECT_EQ(header(ham, "X-Spam-Status"), "No, score=0.0 required=5.0 tests=none");
  EXPECT_EQ(ham.subject_prefix, "");
}

TEST(Policy, RejectReplyNamesRulesOnlyWhenConfigured) {
  Verdict quiet = Policy(defaults()).decide(scored(20, "SECRET_RULE"));
  EXPECT_EQ(quiet.smtp_code, 550);
  EXPECT_EQ(quiet.enhanced, "5.7.1");
  EXPECT_EQ(quiet.reply_text, "Message rejected as spam");

  PolicySettings reveal = defaults();
  reveal.reveal_symbols = true;
  Verdict loud = Policy(reveal).decide(scored(20, "SECRET_RULE"));
  EXPECT_EQ(loud.smtp_code, 550);
  EXPECT_EQ(loud.reply_text, "Message rejected as spam (score 20.0: SECRET_RULE=20.0)");
}

TEST(Policy, ForcedActionsWinWithTheirReplyOrTheDefault) {
  Policy policy(defaults());
  Report tempfail;
  tempfail.force({Action::TempFail, "clamav unavailable", "", "", ""});
  Verdict v = policy.decide(tempfail);
  EXPECT_EQ(v.action, Action::TempFail);
  EXPECT_EQ(v.smtp_code, 451);
  EXPECT_EQ(v.enhanced, "4.7.1");
  EXPECT_EQ(v.reason, "clamav unavailable");

  Report virus;
  virus.force({Action::Reject, "virus Eicar", "554", "5.7.0", "virus found"});
  Verdict r = policy.decide(virus);
  EXPECT_EQ(r.action, Action::Reject);
  EXPECT_EQ(r.smtp_code, 554);
  EXPECT_EQ(r.enhanced, "5.7.0");
  EXPECT_EQ(r.reply_text, "virus found");
}

AccessLists lists() {
  AccessLists l;
  EXPECT_TRUE(l.allow_clients.add("192.0.2.0/24").ok());
  EXPECT_TRUE(l.deny_clients.add("198.51.100.0/24").ok());
  EXPECT_TRUE(l.deny_clients.add("192.0.2.66").ok());
  EXPECT_TRUE(l.allow_senders.add("partner.example").ok());
  EXPECT_TRUE(l.allow_senders.add("boss@x.example").ok());
  EXPECT_TRUE(l.deny_senders.add("spammer.example").ok());
  EXPECT_TRUE(l.deny_senders.add("crook@partner.example").ok());
  EXPECT_TRUE(l.allow_recipients.add("abuse@example.org").ok());
  EXPECT_TRUE(l.deny_recipients.add("former@example.org").ok());
  return l;
}

TEST(Policy, DenyListsRefuseWith550AndBeatAllowLists) {
  Policy policy(defaults(), {}, lists());
  auto client = policy.refuseTransaction("198.51.100.9", "a@b.example");
  ASSERT_TRUE(client);
  EXPECT_EQ(client->action, Action::Reject);
  EXPECT_EQ(client->smtp_code, 550);
  EXPECT_EQ(client->enhanced, "5.7.1");
  EXPECT_EQ(client->reply_text, "Client host rejected by local policy");
  EXPECT_EQ(client->reason, "deny list: client 198.51.100.0/24");

  auto sender = policy.refuseTransaction("203.0.113.1", "x@SPAMMER.example");
  ASSERT_TRUE(sender);
  EXPECT_EQ(sender->reply_text, "Sender address rejected by local policy");
  EXPECT_EQ(sender->reason, "deny list: sender spammer.example");

  // Denied although the client network / the sender's domain is allow-listed.
  EXPECT_TRUE(policy.refuseTransaction("192.0.2.66", "a@b.example"));
  EXPECT_TRUE(policy.refuseTransaction("203.0.113.1", "crook@partner.example"));

  auto rcpt = policy.refuseRecipient("former@example.org");
  ASSERT_TRUE(rcpt);
  EXPECT_EQ(rcpt->reply_text, "Recipient address rejected by local policy");
  EXPECT_EQ(rcpt->smtp_code, 550);

  EXPECT_FALSE(policy.refuseTransaction("203.0.113.1", "a@b.example"));
  EXPECT_FALSE(policy.refuseTransaction("203.0.113.1", ""));
  EXPECT_FALSE(policy.refuseRecipient("bob@example.org"));
}

TEST(Policy, AllowListSkipsTheScoreButNotForcedActions) {
  Policy policy(defaults(), {}, lists());
  PolicyChoice by_client = policy.choose("192.0.2.7", "a@b.example", "bob@example.org");
  EXPECT_EQ(by_client.allowed_by, "client 192.0.2.0/24");
  PolicyChoice by_sender = policy.choose("203.0.113.1", "boss@x.example", "bob@example.org");
  EXPECT_EQ(by_sender.allowed_by, "sender boss@x.example");
  PolicyChoice by_rcpt = policy.choose("203.0.113.1", "a@b.example", "abuse@example.org");
  EXPECT_EQ(by_rcpt.allowed_by, "recipient abuse@example.org");
  EXPECT_EQ(policy.choose("203.0.113.1", "a@b.example", "bob@example.org").allowed_by, "");

  Verdict spam = policy.decide(scored(50), by_sender);
  EXPECT_EQ(spam.action, Action::Accept);
  EXPECT_EQ(spam.reason, "allow list: sender boss@x.example");
  EXPECT_EQ(header(spam, "X-Spam-Flag"), "(absent)");
  EXPECT_EQ(spam.subject_prefix, "");

  Report virus = scored(50);
  virus.force({Action::Reject, "virus Eicar", "554", "5.7.0", "virus found"});
  EXPECT_EQ(policy.decide(virus, by_client).action, Action::Reject);
  Report unchecked;
  unchecked.force({Action::TempFail, "clamav unavailable", "451", "4.7.1", "try later"});
  EXPECT_EQ(policy.decide(unchecked, by_client).action, Action::TempFail);
}

TEST(Policy, DomainSettingsApplyToTheirRecipients) {
  PolicySettings lists_domain{8, 1e9, 30, "[LIST-SPAM]", true};
  Policy policy(defaults(), {{"Lists.Example.org", lists_domain}});
  PolicyChoice plain = policy.choose("203.0.113.1", "a@b.example", "bob@example.org");
  PolicyChoice lists = policy.choose("203.0.113.1", "a@b.example", "dev@lists.example.org");
  EXPECT_FALSE(plain.sameAs(lists));
  EXPECT_TRUE(lists.sameAs(policy.choose("203.0.113.1", "", "ops@LISTS.example.org")));

  EXPECT_EQ(policy.decide(scored(6), plain).action, Action::Tag);
  EXPECT_EQ(policy.decide(scored(6), lists).action, Action::Accept);
  EXPECT_EQ(policy.decide(scored(20), plain).action, Action::Reject);
  Verdict tagged = policy.decide(scored(20), lists);
  EXPECT_EQ(tagged.action, Action::Tag);
  EXPECT_EQ(tagged.subject_prefix, "[LIST-SPAM]");
  EXPECT_EQ(header(tagged, "X-Spam-Status"), "Yes, score=20.0 required=8.0 tests=TEST_SPAM=20.0");
  Verdict rejected = policy.decide(scored(31), lists);
  EXPECT_EQ(rejected.action, Action::Reject);
  EXPECT_EQ(rejected.reply_text, "Message rejected as spam (score 31.0: TEST_SPAM=31.0)");
}

TEST(Policy, RecipientsShareATransactionOnlyWithTheSamePolicy) {
  AccessLists l;
  ASSERT_TRUE(l.allow_recipients.add("abuse@example.org").ok());
  ASSERT_TRUE(l.allow_clients.add("192.0.2.0/24").ok());
  // Two domains with settings equal to each other, one equal to [policy]: no split among them.
  PolicySettings strict{3, 1e9, 8, "", false};
  Policy policy(defaults(),
                {{"a.example", strict}, {"b.example", strict}, {"same.example", defaults()}}, l);
  auto choose = [&](std::string_view client, std::string_view rcpt) {
    return policy.choose(client, "s@sender.example", rcpt);
  };
  EXPECT_TRUE(choose("203.0.113.1", "x@a.example").sameAs(choose("203.0.113.1", "y@b.example")));
  EXPECT_TRUE(
      choose("203.0.113.1", "x@same.example").sameAs(choose("203.0.113.1", "y@example.org")));
  EXPECT_FALSE(choose("203.0.113.1", "x@a.example").sameAs(choose("203.0.113.1", "y@example.org")));
  // An allow-listed recipient differs from one that is not...
  EXPECT_FALSE(
      choose("203.0.113.1", "abuse@example.org").sameAs(choose("203.0.113.1", "bob@example.org")));
  // ...unless the whole transaction is allow-listed.
  EXPECT_TRUE(
      choose("192.0.2.1", "abuse@example.org").sameAs(choose("192.0.2.1", "bob@example.org")));
}

}  // namespace
}  // namespace portcullis
