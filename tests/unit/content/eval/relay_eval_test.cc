// Tests of the relay eval family (filters/content/eval/relay_eval.cc) and of the relay model it
// reads (filters/content/eval/relay_model.h): the trust split, SpamAssassin's inference when no
// network is configured, the first-hand client, EnvelopeFrom and the X-Spam-Relays-* texts.
#include <gtest/gtest.h>

#include <string>

#include "filters/content/eval/relay_model.h"
#include "filters/content/message_view.h"
#include "gateway/mime/message.h"
#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::ScanInput;
using testing::scanWith;

constexpr const char* kRelayRules = R"(
header ALL_TRUSTED eval:check_all_trusted()
header NO_RELAYS eval:check_no_relays()
header __UNPARSEABLE_RELAY_COUNT eval:check_relays_unparseable()
meta UNPARSEABLE_RELAY (__UNPARSEABLE_RELAY_COUNT >= 1)
header RCVD_HELO_IP_MISMATCH eval:helo_ip_mismatch()
header NO_RDNS_DOTCOM_HELO eval:check_for_no_rdns_dotcom_helo()
header FORGED_RCVD_TRAIL eval:check_for_forged_received_trail()
header FORGED_IP_HELO eval:check_for_forged_received_ip_helo()
header NUMERIC_HELO eval:check_for_numeric_helo()
header ILLEGAL_IP eval:check_for_illegal_ip()
header FROM_IN_RCVD eval:check_for_from_domain_in_received_headers('example.com', 'true')
header RDNS_NONE X-Spam-Relays-External =~ /^[^\]]+ rdns= /
header FIRST_UNTRUSTED X-Spam-Relays-Untrusted =~ /^\[ ip=(\S+)/
header TRUSTED_TEXT X-Spam-Relays-Trusted =~ /ip=/
header ENVFROM EnvelopeFrom =~ /\@/
header EXTERNAL_HEADERS ALL-EXTERNAL =~ /X-Marker: outside/
)";

std::string relayMessage(std::string_view received, std::string_view extra = "") {
  std::string out(received);
  out += extra;
  out += "From: Joe <joe@example.com>\nTo: a@example.org\nSubject: hi\n\nbody\n";
  return out;
}

const CompiledRules& rules() {
  static const auto compiled = compileText(kRelayRules);
  return *compiled;
}

TEST(RelayEval, AllTrustedWhenEveryRelayIsPrivate) {
  auto scanned =
      scanWith(rules(), relayMessage("Received: from pc (pc.lan [192.168.1.20]) by gw.lan "
                                     "(Postfix) with ESMTP id 1A; Mon, 1 Jan 2024 10:00:00 +0000\n"
                                     "Received: from [10.0.0.5] by pc.lan (Exim 4.50) id 1B\n"));
  ASSERT_TRUE(scanned.hit("ALL_TRUSTED"));
  EXPECT_EQ(scanned.hits.at("ALL_TRUSTED"), "all 2 relays trusted");
  EXPECT_TRUE(scanned.hit("TRUSTED_TEXT"));
  EXPECT_FALSE(scanned.hit("NO_RELAYS"));
  EXPECT_FALSE(scanned.hit("FIRST_UNTRUSTED"));
}

TEST(RelayEval, TrustEndsAtTheFirstPublicRelay) {
  auto scanned =
      scanWith(rules(), relayMessage("Received: from pc (pc.lan [192.168.1.20]) by gw.lan "
                                     "(Postfix) with ESMTP id 1A\n"
                                     "Received: from spammer (unknown [203.0.113.9]) by pc.lan "
                                     "(Postfix) with SMTP id 2B\n"
                                     "Received: from inner (inner.lan [10.1.1.1]) by x.example "
                                     "(Postfix) with SMTP id 3C\n"));
  EXPECT_FALSE(scanned.hit("ALL_TRUSTED"));
  EXPECT_TRUE(scanned.hit("RDNS_NONE"));
  ASSERT_TRUE(scanned.hit("FIRST_UNTRUSTED"));
}

TEST(RelayEval, NoRelaysAndUnparseableRelays) {
  auto none = scanWith(rules(), relayMessage(""));
  ASSERT_TRUE(none.hit("NO_RELAYS"));
  EXPECT_EQ(none.hits.at("NO_RELAYS"), "no relay in the Received fields");
  EXPECT_FALSE(none.hit("ALL_TRUSTED"));

  auto broken =
      scanWith(rules(), relayMessage("Received: from garbage garbage\n"
                                     "Received: from [10.0.0.5] by pc.lan (Exim 4.50) id 1B\n"));
  EXPECT_TRUE(broken.hit("UNPARSEABLE_RELAY"));
  EXPECT_FALSE(broken.hit("NO_RELAYS"));
  EXPECT_FALSE(broken.hit("ALL_TRUSTED"));  // an unparseable field may hide an untrusted relay

  auto skipped =
      scanWith(rules(), relayMessage("Received: (qmail 27981 invoked by uid 225); 14 Mar "
                                     "2003 07:24:34 -0000\n"));
  EXPECT_TRUE(skipped.hit("NO_RELAYS"));
  EXPECT_FALSE(skipped.hit("UNPARSEABLE_RELAY"));
}

TEST(RelayEval, OriginatingIpHeadersAddTheOldestRelay) {
  const std::string rules_text =
      std::string(kRelayRules) + "originating_ip_headers X-Originating-IP\n";
  auto compiled = compileText(rules_text);
  auto scanned = scanWith(*compiled, relayMessage("", "X-Originating-IP: [198.51.100.7]\n"));
  EXPECT_FALSE(scanned.hit("NO_RELAYS"));
  ASSERT_TRUE(scanned.hit("FIRST_UNTRUSTED"));
  EXPECT_NE(scanned.hits.at("FIRST_UNTRUSTED").find("198.51.100.7"), std::string::npos);
}

TEST(RelayEval, ConfiguredNetworksDecideTrust) {
  auto compiled = compileText(std::string(kRelayRules) +
                              "trusted_networks !203.0.113.66 203.0.113.0/24 198.51.\n"
                              "internal_networks 203.0.113.0/24\n");
  const std::string trusted_hop =
      "Received: from mx (mx.example [203.0.113.9]) by gw.example "
      "(Postfix) with ESMTP id 1A\n";
  EXPECT_TRUE(scanWith(*compiled, relayMessage(trusted_hop)).hit("ALL_TRUSTED"));
  auto excluded =
      scanWith(*compiled, relayMessage("Received: from mx (mx.example [203.0.113.66]) by "
                                       "gw.example (Postfix) with ESMTP id 1A\n"));
  EXPECT_FALSE(excluded.hit("ALL_TRUSTED"));
  // 198.51/16 is trusted but not internal: the relay is external, so RDNS_NONE looks at it.
  auto external =
      scanWith(*compiled, relayMessage(trusted_hop + "Received: from x (unknown [198.51.100.4]) by "
                                                     "mx.example (Postfix) with ESMTP id 2B\n"
                                                     "X-Marker: outside\n"));
  EXPECT_TRUE(external.hit("ALL_TRUSTED"));
  EXPECT_TRUE(external.hit("RDNS_NONE"));
  EXPECT_TRUE(external.hit("EXTERNAL_HEADERS"));
  // Private addresses are not trusted once networks are configured.
  EXPECT_FALSE(
      scanWith(*compiled, relayMessage("Received: from pc (pc.lan [192.168.1.20]) by gw.lan "
                                       "(Postfix) with ESMTP id 1A\n"))
          .hit("ALL_TRUSTED"));
}

TEST(RelayEval, AuthenticatedRelaysAreTrusted) {
  auto scanned = scanWith(rules(), relayMessage("Received: from laptop (dsl.example.net "
                                                "[203.0.113.5]) by smtp.example.org (Postfix) with "
                                                "ESMTPSA id 1234\n"));
  EXPECT_TRUE(scanned.hit("ALL_TRUSTED"));
}

TEST(RelayEval, TheFirstHandClientIsTheNearestRelay) {
  ScanInput input;
  input.raw = relayMessage(
      "Received: from pc (pc.lan [192.168.1.20]) by gw.lan (Postfix) with ESMTP "
      "id 1A\n");
  FirstHandClient client;
  client.address = "203.0.113.50";
  client.helo = "mail.example.net";
  client.by = "mx.example.org";
  input.client = client;
  input.envelope_from = "bounce@example.net";
  auto scanned = scanWith(rules(), input);
  EXPECT_FALSE(scanned.hit("ALL_TRUSTED"));
  ASSERT_TRUE(scanned.hit("FIRST_UNTRUSTED"));
  EXPECT_NE(scanned.hits.at("FIRST_UNTRUSTED").find("203.0.113.50"), std::string::npos);
  EXPECT_TRUE(scanned.hit("RDNS_NONE"));  // we looked it up and found no verified name
  EXPECT_TRUE(scanned.hit("ENVFROM"));

  client.address = "10.9.9.9";
  client.auth_user = "joe";
  input.client = client;
  EXPECT_TRUE(scanWith(rules(), input).hit("ALL_TRUSTED"));
}

TEST(RelayEval, TheFirstHandClientReadsAsOurReceivedFieldWould) {
  const mime::Message parsed = mime::Message::parse("From: joe@example.com\n\nbody\n");
  ContentView view = viewOfMessage(parsed);
  view.client = FirstHandClient{"::ffff:203.0.113.5",
                                "mail.example.net.",
                                "[203.0.113.5]",
                                "mx.example.org",
                                "Q1D",
                                "",
                                true,
                                true};
  view.envelope_from = "";
  RelayModel model = buildRelayModel(view, RelayTrust());
  ASSERT_EQ(model.untrusted.size(), 1u);
  EXPECT_EQ(model.untrusted.front().asString(),
            "[ ip=203.0.113.5 rdns=mail.example.net helo=!203.0.113.5! by=mx.example.org ident= "
            "envfrom= intl=0 id=Q1D auth= msa=0 ]");
  EXPECT_TRUE(model.envelope_from_known);  // the null sender, known first-hand
  EXPECT_EQ(model.envelope_from, "");
  EXPECT_EQ(model.last_trusted_index, -1);
  EXPECT_FALSE(relayHeaderSection(view, model, "ALL-TRUSTED").has_value());
  EXPECT_EQ(relayHeaderSection(view, model, "ALL-UNTRUSTED").value_or(""),
            "From: joe@example.com\n");
}

TEST(RelayEval, EnvelopeFromAsSpamAssassinGuessesIt) {
  const mime::Message parsed = mime::Message::parse(
      "Return-Path: <list-bounce@example.net>\n"
      "Received: from a.example (a.example [192.0.2.1]) by b.example (8.12.6/8.12.6) with ESMTP "
      "id x12 (envelope-from <relay-sender@example.net>)\n"
      "From: joe@example.com\n\nbody\n");
  ContentView view = viewOfMessage(parsed);
  RelayTrust trust;
  RelayModel model = buildRelayModel(view, trust);
  EXPECT_EQ(model.envelope_from, "relay-sender@example.net");  // the last untrusted relay's

  const mime::Message late = mime::Message::parse(
      "Received: from a.example (a.example [192.0.2.1]) by b.example (8.12.6/8.12.6) id x12\n"
      "Return-Path: <late@example.net>\n"
      "X-Envelope-From: <also-late@example.net>\n\nbody\n");
  ContentView late_view = viewOfMessage(late);
  RelayModel late_model = buildRelayModel(late_view, trust);
  EXPECT_FALSE(late_model.envelope_from_known);  // both came after a Received field

  late_view.envelope_from = "first-hand@example.net";
  EXPECT_EQ(buildRelayModel(late_view, trust).envelope_from, "first-hand@example.net");
}

TEST(RelayEval, RelayStringsAsSpamAssassinWritesThem) {
  const mime::Message parsed = mime::Message::parse(
      "Received: from mx.example.net (mx.example.net [198.51.100.2]) by gw.example.org "
      "(Postfix) with ESMTP id 4F1B2\n"
      "Received: from pc (pc.lan [192.168.1.20]) by mx.example.net (8.12.6/8.12.6) with "
      "ESMTP id abc12\n\nbody\n");
  ContentView view = viewOfMessage(parsed);
  RelayModel model = buildRelayModel(view, RelayTrust());
  EXPECT_EQ(RelayModel::join(model.untrusted),
            "[ ip=198.51.100.2 rdns=mx.example.net helo=mx.example.net by=gw.example.org ident= "
            "envfrom= intl=0 id=4F1B2 auth= msa=0 ] [ ip=192.168.1.20 rdns=pc.lan helo=pc "
            "by=mx.example.net ident= envfrom= intl=0 id=abc12 auth= msa=0 ]");
  EXPECT_TRUE(model.trusted.empty());
  EXPECT_EQ(model.last_trusted_index, -1);
}

RelayModel modelOf(std::string_view raw, const RelayTrust& trust = RelayTrust()) {
  const mime::Message parsed = mime::Message::parse(raw);
  return buildRelayModel(viewOfMessage(parsed), trust);
}

TEST(RelayEval, MsaNetworksTrustEveryRelayBeyondThem) {
  std::vector<Diagnostic> problems;
  const RelayTrust trust = relayTrustOf({}, {"192.0.2.0/24"}, {}, {"192.0.2.25"}, problems);
  EXPECT_TRUE(problems.empty());
  RelayModel model = modelOf(
      "Received: from msa (msa.example [192.0.2.25]) by mx.example (Postfix) with ESMTP id 1A\n"
      "Received: from home (dsl.example.net [203.0.113.7]) by msa.example (Postfix) with ESMTP "
      "id 2B\n\nbody\n",
      trust);
  ASSERT_EQ(model.trusted.size(), 2u);
  EXPECT_TRUE(model.untrusted.empty());
  EXPECT_TRUE(model.trusted.front().msa);
  // As in SpamAssassin, nothing is decided after the MSA: the client stays internal too.
  EXPECT_NE(model.trusted.back().asString().find(" intl=1 "), std::string::npos);
  EXPECT_EQ(model.last_trusted_index, 1);
}

TEST(RelayEval, MailFetcherHandoversRestartTheTrustedRelays) {
  RelayModel model = modelOf(
      "Received: from pc (pc.lan [192.168.1.20]) by gw.lan (Postfix) with ESMTP id 1A\n"
      "Received: from pop.example.net [198.51.100.3] by pc.lan with POP3 (fetchmail-6.4) for "
      "joe (single-drop)\n"
      "Received: from inner (inner.lan [10.1.1.1]) by pop.example.net (Postfix) with SMTP id 3C\n"
      "\nbody\n");
  ASSERT_EQ(model.trusted.size(), 1u);  // the fetcher's own side is forgotten
  EXPECT_EQ(model.trusted.front().ip, "10.1.1.1");
  EXPECT_EQ(model.relays.size(), 2u);
}

TEST(RelayEval, AnXSenderWithoutAnAddressDoesNotHideTheReturnPath) {
  const std::string fetched =
      "Return-Path: <owner@lists.example.org>\n"
      "Received: from pop.example.net [198.51.100.3] by pc.lan with POP3 (fetchmail-6.4) for "
      "joe (single-drop)\n";
  RelayModel model = modelOf(fetched + "X-Sender: @ (Unverified)\n\nbody\n");
  EXPECT_EQ(model.envelope_from, "owner@lists.example.org");
  // A real X-Sender with a fetchmail hop: SpamAssassin trusts no envelope sender at all.
  RelayModel guarded = modelOf(fetched + "X-Sender: joe@example.com\n\nbody\n");
  EXPECT_EQ(guarded.envelope_from, "");
}

TEST(RelayEval, QmailScannerCarriesTheEnvelopeSenderToTheNextField) {
  RelayModel model = modelOf(
      "Received: from 198.51.100.9 by scan.example (envelope-from <list-bounce@example.org>, uid "
      "502) with qmail-scanner-1.24 (clamdscan: 0.80/594. Processed in 0.2 secs)\n"
      "Received: from list.example.org (HELO list.example.org) (198.51.100.9) by scan.example "
      "with SMTP; 06 Feb 2005 21:11:38 -0000\n\nbody\n");
  ASSERT_EQ(model.untrusted.size(), 1u);
  EXPECT_EQ(model.untrusted.front().envfrom, "list-bounce@example.org");
  EXPECT_EQ(model.envelope_from, "list-bounce@example.org");
}

TEST(RelayEval, HeloIpMismatchOutsideTheSameSlash24) {
  auto hit =
      scanWith(rules(), relayMessage("Received: from 198.51.100.7 (unknown [203.0.113.9]) by "
                                     "mx.example.org (Postfix) with SMTP id 1A\n"));
  ASSERT_TRUE(hit.hit("RCVD_HELO_IP_MISMATCH"));
  EXPECT_EQ(hit.hits.at("RCVD_HELO_IP_MISMATCH"), "relay 203.0.113.9 said HELO 198.51.100.7");
  EXPECT_TRUE(hit.hit("NUMERIC_HELO"));
  EXPECT_TRUE(hit.hit("FORGED_IP_HELO"));
  auto near =
      scanWith(rules(), relayMessage("Received: from 203.0.113.7 (unknown [203.0.113.9]) by "
                                     "mx.example.org (Postfix) with SMTP id 1A\n"));
  EXPECT_FALSE(near.hit("RCVD_HELO_IP_MISMATCH"));
  EXPECT_TRUE(near.hit("NUMERIC_HELO"));
  auto private_helo =
      scanWith(rules(), relayMessage("Received: from 10.0.0.1 (unknown [203.0.113.9]) "
                                     "by mx.example.org (Postfix) with SMTP id 1A\n"));
  EXPECT_FALSE(private_helo.hit("RCVD_HELO_IP_MISMATCH"));
  EXPECT_FALSE(private_helo.hit("NUMERIC_HELO"));
  EXPECT_FALSE(hit.hit("ILLEGAL_IP"));
}

TEST(RelayEval, DotcomHeloWithoutReverseDns) {
  auto hit =
      scanWith(rules(), relayMessage("Received: from mx02.hotmail.com (unknown [203.0.113.9]) "
                                     "by mx.example.org (Postfix) with SMTP id 1A\n"));
  ASSERT_TRUE(hit.hit("NO_RDNS_DOTCOM_HELO"));
  EXPECT_EQ(hit.hits.at("NO_RDNS_DOTCOM_HELO"),
            "relay 203.0.113.9 said HELO mx02.hotmail.com but has no rDNS");
  EXPECT_FALSE(
      scanWith(rules(), relayMessage("Received: from mx02.hotmail.com (mx.hotmail.com "
                                     "[203.0.113.9]) by mx.example.org (Postfix) with SMTP "
                                     "id 1A\n"))
          .hit("NO_RDNS_DOTCOM_HELO"));
  // The oldest public relay decides, as in SpamAssassin.
  EXPECT_FALSE(
      scanWith(rules(), relayMessage("Received: from mx02.hotmail.com (unknown "
                                     "[203.0.113.9]) by mx.example.org (Postfix) with SMTP "
                                     "id 1A\n"
                                     "Received: from a (a.example.net [198.51.100.1]) by "
                                     "b.example.net (Postfix) with SMTP id 2B\n"))
          .hit("NO_RDNS_DOTCOM_HELO"));
}

TEST(RelayEval, ForgedReceivedTrail) {
  const std::string forged =
      "Received: from a (a.one.example [198.51.100.1]) by mx.example.org (Postfix) with SMTP id "
      "1A\n"
      "Received: from b (b.two.example [198.51.100.2]) by relay.other.example (Postfix) with "
      "SMTP id 2B\n"
      "Received: from c (c.three.example [198.51.100.3]) by hop.another.example (Postfix) with "
      "SMTP id 3C\n";
  auto hit = scanWith(rules(), relayMessage(forged));
  ASSERT_TRUE(hit.hit("FORGED_RCVD_TRAIL"));
  EXPECT_EQ(hit.hits.at("FORGED_RCVD_TRAIL"),
            "2 broken hops in the Received trail, e.g. hop by other.example received from a host "
            "in one.example");
  const std::string consistent =
      "Received: from a (a.one.example [198.51.100.1]) by mx.example.org (Postfix) with SMTP id "
      "1A\n"
      "Received: from b (b.two.example [198.51.100.2]) by out.one.example (Postfix) with SMTP "
      "id 2B\n"
      "Received: from c (c.three.example [198.51.100.3]) by relay.two.example (Postfix) with "
      "SMTP id 3C\n";
  EXPECT_FALSE(scanWith(rules(), relayMessage(consistent)).hit("FORGED_RCVD_TRAIL"));
}

TEST(RelayEval, FromDomainInReceivedHeaders) {
  EXPECT_TRUE(
      scanWith(rules(), relayMessage("Received: from out (out.example.com [198.51.100.1]) by "
                                     "in.example.com (Postfix) with SMTP id 1A\n"))
          .hit("FROM_IN_RCVD"));
  EXPECT_FALSE(
      scanWith(rules(), relayMessage("Received: from out (out.example.net [198.51.100.1]) by "
                                     "in.example.org (Postfix) with SMTP id 1A\n"))
          .hit("FROM_IN_RCVD"));
}

TEST(RelayEval, BadArgumentsDisableTheRule) {
  auto compiled = compileText(
      "header A eval:check_all_trusted('x')\n"
      "header B eval:check_for_from_domain_in_received_headers('example.com')\n"
      "header C eval:check_for_from_domain_in_received_headers('(', 'true')\n"
      "header D eval:check_for_from_domain_in_received_headers('example.com', 'maybe')\n");
  EXPECT_EQ(disabledReason(*compiled, "A"), "eval:check_all_trusted expects no arguments");
  EXPECT_NE(disabledReason(*compiled, "B"), "");
  EXPECT_NE(disabledReason(*compiled, "C"), "");
  EXPECT_NE(disabledReason(*compiled, "D"), "");
}

TEST(RelayEval, ThousandsOfReceivedFieldsStayBounded) {
  std::string received;
  for (int i = 0; i < 3000; ++i) {
    received += "Received: from h" + std::to_string(i) + " (host.example [198.51.100." +
                std::to_string(i % 250) + "]) by relay" + std::to_string(i) +
                ".example (Postfix) with SMTP id " + std::to_string(i) + "\n";
  }
  received += "Received: from x ([[[[(((<<>>)))]]]] [[2001:db8::1]]) by ::: (\n";
  auto scanned = scanWith(rules(), relayMessage(received));
  EXPECT_FALSE(scanned.hit("ALL_TRUSTED"));
  EXPECT_TRUE(scanned.hit("FORGED_RCVD_TRAIL"));
}

}  // namespace
}  // namespace portcullis::content
