// Tests of the Received-field parser (gateway/mime/received.h). Expected relays are what
// SpamAssassin 4.0.1's parse_received_line makes of the same fields.
#include "gateway/mime/received.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace portcullis::mime {
namespace {

std::string relayOf(std::string_view field) {
  ReceivedParse parse = parseReceived(field);
  if (parse.kind != ReceivedParse::Kind::Relay) return "not a relay";
  return parse.relay.asString(false, false);
}

ReceivedParse::Kind kindOf(std::string_view field) {
  return parseReceived(field).kind;
}

TEST(Received, ReadsSendmail) {
  EXPECT_EQ(relayOf("from mail1.example.com (host66.example.com [198.51.100.66] (may be forged))\n"
                    "\tby mx.example.org (8.11.6/8.11.6) with ESMTP id h2F0c2x31856\n"
                    "\tfor <jm@example.org>; Sat, 15 Mar 2003 00:38:03 GMT"),
            "[ ip=198.51.100.66 rdns=host66.example.com helo=mail1.example.com by=mx.example.org "
            "ident= envfrom= intl=0 id=h2F0c2x31856 auth= msa=0 ]");
  // IDENT lookups are moved out of the rDNS.
  EXPECT_EQ(relayOf("from ran-out.example.com (IDENT:qmailr@one.example.com [192.0.2.115]) by "
                    "mx.example.org (8.11.6/8.11.6) with SMTP id h381Vvf19860"),
            "[ ip=192.0.2.115 rdns=one.example.com helo=ran-out.example.com by=mx.example.org "
            "ident=qmailr envfrom= intl=0 id=h381Vvf19860 auth= msa=0 ]");
  // A numeric HELO with no rDNS: the MTA looked it up and found none.
  ReceivedParse parse = parseReceived(
      "from 198.51.100.114 ([203.0.113.3]) by mx.example.net (8.9.3/8.9.3) with SMTP id CAA18619");
  ASSERT_EQ(parse.kind, ReceivedParse::Kind::Relay);
  EXPECT_EQ(parse.relay.helo, "198.51.100.114");
  EXPECT_EQ(parse.relay.rdns, "");
  EXPECT_TRUE(parse.relay.no_reverse_dns);
}

TEST(Received, ReadsPostfixWithAndWithoutReverseName) {
  EXPECT_EQ(relayOf("from mail-wr1.example.com (mail-wr1.example.com [192.0.2.41]) by "
                    "mx.example.org (Postfix) with ESMTPS id 4F1B2 for <a@example.org>; Mon, 1 "
                    "Jan 2024 10:00:00 +0000 (UTC)"),
            "[ ip=192.0.2.41 rdns=mail-wr1.example.com helo=mail-wr1.example.com by=mx.example.org "
            "ident= envfrom= intl=0 id=4F1B2 auth= msa=0 ]");
  ReceivedParse parse = parseReceived(
      "from dsl-pc (unknown [203.0.113.9]) by mx.example.org (Postfix) with SMTP id A96E1");
  ASSERT_EQ(parse.kind, ReceivedParse::Kind::Relay);
  EXPECT_EQ(parse.relay.rdns, "");
  EXPECT_TRUE(parse.relay.no_reverse_dns);
  EXPECT_FALSE(parse.relay.ip_private);
}

TEST(Received, ReadsAuthentication) {
  EXPECT_EQ(parseReceived("from laptop (dsl.example.net [203.0.113.5]) by smtp.example.org "
                          "(Postfix) with ESMTPSA id 1234")
                .relay.auth,
            "ESMTPSA");
  EXPECT_EQ(parseReceived("from laptop (dsl.example.net [203.0.113.5]) (Authenticated sender: "
                          "joe) by smtp.example.org (Postfix) with ESMTP id 1234")
                .relay.auth,
            "Postfix");
  EXPECT_EQ(parseReceived("from roissy (p573.example.net [192.0.2.61]) (authenticated bits=0) by "
                          "slate.example.com (8.12.6/8.12.6) with ESMTP id g9MFWcvb068860")
                .relay.auth,
            "Sendmail");
}

TEST(Received, ReadsEximQmailMicrosoftAndWebmail) {
  EXPECT_EQ(
      relayOf("from list-b.example.net ([10.3.1.13] helo=list1.example.net) by "
              "list2.example.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 18t301-0007Bh-00"),
      "[ ip=10.3.1.13 rdns=list-b.example.net helo=list1.example.net by=list2.example.net "
      "ident= envfrom= intl=0 id=18t301-0007Bh-00 auth= msa=0 ]");
  EXPECT_EQ(relayOf("from postfix3-2.example.fr (HELO machine.example.com) (foobar@192.0.2.169) "
                    "by totor.example.net with SMTP; 14 Nov 2003 08:05:50 -0000"),
            "[ ip=192.0.2.169 rdns=postfix3-2.example.fr helo=machine.example.com "
            "by=totor.example.net ident=foobar envfrom= intl=0 id= auth= msa=0 ]");
  EXPECT_EQ(relayOf("from inet-vrs-05.example.com ([192.0.2.157]) by INET-IMC-05.example.com with "
                    "Microsoft SMTPSVC(5.0.2195.6624); Thu, 6 Mar 2003 12:02:35 -0800"),
            "[ ip=192.0.2.157 rdns= helo=inet-vrs-05.example.com by=INET-IMC-05.example.com "
            "ident= envfrom= intl=0 id= auth= msa=0 ]");
  EXPECT_EQ(relayOf("from [192.0.2.134] by web40310.mail.example.com via HTTP; Wed, 12 Feb 2003 "
                    "14:22:21 PST"),
            "[ ip=192.0.2.134 rdns= helo= by=web40310.mail.example.com ident= envfrom= intl=0 "
            "id= auth= msa=0 ]");
  EXPECT_EQ(relayOf("from 192.0.2.21 by lw11fd.law11.hotmail.msn.com with HTTP; Wed, 24 Jul "
                    "2002 16:36:44 GMT"),
            "[ ip=192.0.2.21 rdns= helo= by=lw11fd.law11.hotmail.msn.com ident= envfrom= intl=0 "
            "id= auth=HTTP msa=0 ]");
}

TEST(Received, NormalisesAddresses) {
  EXPECT_EQ(parseReceived("from foo (bar.example [IPv6:2001:db8::1]) by mx.example (Postfix) "
                          "with ESMTP id X")
                .relay.ip,
            "2001:db8::1");
  EXPECT_EQ(parseReceived("from Agni (localhost [::ffff:127.0.0.1]) (TLS: TLSv1/SSLv3) by "
                          "mx.example.net with esmtp; Mon, 28 Oct 2002 14:48:52 -0800")
                .relay.ip,
            "127.0.0.1");
  ReceivedParse v6 = parseReceived(
      "from AM5PR.example.com ([fe80::19bd:c588:dd17:5226%6]) by AM5PR.example.com "
      "([fe80::19bd:c588:dd17:5226%6]) with mapi id 15.20.1943.023; Wed, 5 Jun 2019 10:17:08 "
      "+0000");
  EXPECT_EQ(v6.relay.ip, "fe80::19bd:c588:dd17:5226");
  EXPECT_TRUE(v6.relay.ip_private);
  // Bytes SpamAssassin strips from a field show as '!'.
  EXPECT_EQ(parseReceived("from [192.0.2.1] (helo=[192.0.2.1]) by mx.example (Exim 4.50) id 1G")
                .relay.helo,
            "!192.0.2.1!");
}

TEST(Received, RecordsTheEnvelopeSender) {
  auto parse = parseReceived(
      "from a.example (a.example [192.0.2.1]) by b.example (8.12.6/8.12.6) "
      "with ESMTP id x1 (envelope-from <Joe@Example.COM>)");
  ASSERT_TRUE(parse.relay.envfrom.has_value());
  EXPECT_EQ(*parse.relay.envfrom, "Joe@Example.COM");
  EXPECT_EQ(parse.relay.asString(true, true),
            "[ ip=192.0.2.1 rdns=a.example helo=a.example by=b.example ident= "
            "envfrom=Joe@Example.COM intl=1 id= auth= msa=1 ]");  // an id needs 3 bytes
}

TEST(Received, SkipsHopsThatAreNoHandover) {
  using Kind = ReceivedParse::Kind;
  EXPECT_EQ(kindOf("(qmail 27981 invoked by uid 225); 14 Mar 2003 07:24:34 -0000"), Kind::Skipped);
  EXPECT_EQ(kindOf("by mx.example.org (Postfix, from userid 1002) id DABBD1BED3"), Kind::Skipped);
  EXPECT_EQ(kindOf("from localhost (localhost [127.0.0.1]) by mail.example (8.12.6) id x"),
            Kind::Relay);
  EXPECT_EQ(kindOf("from raptor.example.com (bala@localhost) by raptor.example.com "
                   "(SGI-8.9.3/8.8.7) with ESMTP id KAA14788"),
            Kind::Skipped);
  EXPECT_EQ(kindOf("from andrew by trinity.example.net with local (Exim 4.12) id 18xeL6-000Dn1-00"),
            Kind::Skipped);
  EXPECT_EQ(kindOf("from virtual-access.example by bolero.example.com ; Thu, 20 Feb 2003 23:32:58 "
                   "+0100"),
            Kind::Skipped);
  auto fetch = parseReceived(
      "from cabbage.example.org [127.0.0.1] by localhost with IMAP "
      "(fetchmail-5.9.0) for jm@localhost (single-drop)");
  EXPECT_EQ(fetch.kind, Kind::Skipped);
  EXPECT_TRUE(fetch.mail_fetcher);
  auto scanner = parseReceived(
      "from 192.0.2.196 by blazing.example.org (envelope-from <list-return@example.org>, uid 502) "
      "with qmail-scanner-1.24 (clamdscan: 0.80/594. Clear:RC:0(192.0.2.196):. Processed in 0.28 "
      "secs); 06 Feb 2005 21:11:38 -0000");
  EXPECT_EQ(scanner.kind, Kind::Skipped);
  ASSERT_TRUE(scanner.qmail_scanner_envfrom.has_value());
  EXPECT_EQ(*scanner.qmail_scanner_envfrom, "list-return@example.org");
}

TEST(Received, CountsUnknownFormsAsUnparseable) {
  EXPECT_EQ(kindOf("from garbage garbage"), ReceivedParse::Kind::Unparseable);
  EXPECT_EQ(kindOf("from [[[[[[(((((((by by by"), ReceivedParse::Kind::Unparseable);
  // An IP in brackets and a "by" are enough.
  EXPECT_EQ(relayOf("from odd thing [192.0.2.8] by relay.example; Tue, 1 Apr 2003 15:04:55"),
            "[ ip=192.0.2.8 rdns= helo=odd by=relay.example ident= envfrom= intl=0 id= auth= "
            "msa=0 ]");
}

TEST(Received, SynthesisesOriginatingIpFields) {
  EXPECT_EQ(originatingIpReceived("[198.51.100.7]").value_or(""),
            "from X-Originating-IP: 198.51.100.7");
  EXPECT_FALSE(originatingIpReceived("none here").has_value());
  EXPECT_EQ(relayOf(*originatingIpReceived("198.51.100.7")),
            "[ ip=198.51.100.7 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]");
}

// IP_ADDRESS's lookarounds, which RE2 lacks: no IPv4 after a word byte or ':', no IPv6 after a
// hex digit or ':', and an IPv6 address never ends before one. Expected values are Perl's.
TEST(Received, KeepsTheLookaroundsOfIpAddress) {
  const std::pair<const char*, const char*> firsts[] = {{"a1.2.3.4 5.6.7.8", "5.6.7.8"},
                                                        {":1.2.3.4 10.0.0.1", "10.0.0.1"},
                                                        {"x::1 fe80::1:25", "::1"},
                                                        {"2001:db8::1x", "2001:db8::1"},
                                                        {"ge80::1", "e80::1"},
                                                        {"abc::1:2.3.4.5 ", "abc::1:2.3.4.5"},
                                                        {"see IPv6:fe80::2", "IPv6:fe80::2"}};
  for (const auto& [value, ip] : firsts) {
    EXPECT_EQ(originatingIpReceived(value).value_or(""),
              std::string("from X-Originating-IP: ") + ip)
        << value;
  }
  // After an IPv6 address, ":25" is not a port: the address takes it in.
  EXPECT_EQ(relayOf("from helo ([2001:db8::1:25]) foo by mx.example.com with ESMTP id x"),
            "[ ip=2001:db8::1:25 rdns= helo=helo by=mx.example.com ident= envfrom= intl=0 id= "
            "auth= msa=0 ]");
  EXPECT_EQ(relayOf("from helo ([2001:db8::1]:25) by mx.example.com with [XMail 1.22 ESMTP Server] "
                    "id <x>"),
            "[ ip=2001:db8::1 rdns= helo=helo by=mx.example.com ident= envfrom= intl=0 id=x auth= "
            "msa=0 ]");
  EXPECT_EQ(relayOf("from 2001:db8::1 (SquirrelMail authenticated user joe) by mail.example.com "
                    "with HTTP"),
            "[ ip=2001:db8::1 rdns= helo= by=mail.example.com ident= envfrom= intl=0 id= "
            "auth=HTTP msa=0 ]");
  // qmail's form ends in (?! id ): its rDNS "unknown" means no lookup; the other form's does.
  const std::string qmail = "from unknown (HELO helo) (198.51.100.7) by mx.example.com with QMQP";
  EXPECT_FALSE(parseReceived(qmail).relay.no_reverse_dns);
  EXPECT_TRUE(parseReceived(qmail + " id x").relay.no_reverse_dns);
}

TEST(Received, KnowsPrivateAddresses) {
  for (const char* ip : {"10.1.2.3", "127.0.0.1", "169.254.1.1", "172.16.0.1", "172.31.255.1",
                         "192.168.0.1", "100.64.0.1", "::1", "fe80::1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(isPrivateIp(ip)) << ip;
    EXPECT_TRUE(isWholePrivateIp(ip)) << ip;
  }
  for (const char* ip : {"192.0.2.1", "172.32.0.1", "100.128.0.1", "2001:db8::1", "11.0.0.1"}) {
    EXPECT_FALSE(isPrivateIp(ip)) << ip;
  }
  // Without a ':', the IPv4 prefix decides (the pattern ends in `\..*`).
  for (const char* ip : {"10.", "10.x", "127.0", "192.168.", "172.20.x", "100.127.1"}) {
    EXPECT_TRUE(isPrivateIp(ip)) << ip;
  }
  for (const char* ip : {"010.0.0.1", "1000.0.0.1", "10", "172.15.0.1", "172.016.0.1", "100.63.0.1",
                         "169.254", "192.1680.1.1", "", "x10.0.0.1"}) {
    EXPECT_FALSE(isPrivateIp(ip)) << ip;
  }
  EXPECT_TRUE(isWholePrivateIp("10.0.0.1\n"));  // Perl's $ before a final newline
  EXPECT_FALSE(isWholePrivateIp("10.0.0.1\n\n"));
  EXPECT_FALSE(isWholePrivateIp("::1x"));
  EXPECT_TRUE(isPrivateIp("::1 x"));
  EXPECT_FALSE(isPrivateIp("::1a"));
  EXPECT_TRUE(isIpv4Address("192.0.2.1\n"));
  EXPECT_TRUE(isIpv4Address("192.0.2.1"));
  EXPECT_FALSE(isIpv4Address("192.0.2.256"));
  EXPECT_FALSE(isIpv4Address("host.example"));
}

TEST(Received, SurvivesHostileFields) {
  std::string huge = "from ";
  for (int i = 0; i < 100000; ++i) huge += "([1.2.3.4] helo=[";
  EXPECT_NE(kindOf(huge), ReceivedParse::Kind::Relay);  // cut at 8192 bytes, no crash

  std::string soup = "from x ([";
  for (int i = 0; i < 3000; ++i) soup += "[(<>)]:::ffff:";
  soup += "] by y (";
  kindOf(soup);

  std::string bytes;
  for (int i = 0; i < 20000; ++i) bytes += static_cast<char>((i * 7919) & 0xff);
  kindOf(bytes);
  kindOf("from " + bytes);
  kindOf("");
  kindOf("from ");
  constexpr char kWithNul[] = "from a\0b (c [192.0.2.1]) by d (";
  kindOf(std::string(kWithNul, sizeof kWithNul - 1));
}

}  // namespace
}  // namespace portcullis::mime
