#include "gateway/spool/dsn.h"

#include <gtest/gtest.h>

#include <map>

#include "gateway/base/mail_date.h"
#include "gateway/smtp/line_wrap.h"
#include "test_entries.h"

namespace portcullis::spool {
namespace {

using namespace std::chrono_literals;
using testing::fullMeta;
using testing::kSimpleMessage;
using testing::plainMeta;

// A deliberately small reader of the structure a DSN must have (independent of the generator):
// header fields (unfolded, names lowercased), the body, and multipart parts by boundary.
struct Entity {
  std::multimap<std::string, std::string> fields;
  std::string body;

  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string("<absent>") : it->second;
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Entity parseEntity(std::string_view text) {
  Entity e;
  auto end = text.find("\r\n\r\n");
  std::string_view head = text.substr(0, end == std::string_view::npos ? text.size() : end + 2);
  e.body = end == std::string_view::npos ? "" : std::string(text.substr(end + 4));
  std::string name, value;
  auto flush = [&] {
    if (!name.empty()) e.fields.emplace(lower(name), value);
    name.clear();
  };
  while (!head.empty()) {
    auto eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      value += " " + std::string(line.substr(1));
      continue;
    }
    flush();
    auto colon = line.find(':');
    EXPECT_NE(colon, std::string_view::npos) << "not a header line: " << line;
    if (colon == std::string_view::npos) continue;
    name = std::string(line.substr(0, colon));
    value = std::string(line.substr(colon + 1));
    while (!value.empty() && value[0] == ' ') value.erase(0, 1);
  }
  flush();
  return e;
}

std::string boundaryOf(const Entity& e) {
  std::string type = e.field("content-type");
  auto at = type.find("boundary=\"");
  if (at == std::string::npos) return {};
  at += 10;
  return type.substr(at, type.find('"', at) - at);
}

std::vector<Entity> partsOf(const Entity& e) {
  std::string boundary = boundaryOf(e);
  std::string delimiter = "\r\n--" + boundary;
  std::string body = "\r\n" + e.body;
  std::vector<Entity> parts;
  size_t at = body.find(delimiter);
  while (at != std::string::npos) {
    size_t start = at + delimiter.size();
    if (body.compare(start, 2, "--") == 0) break;
    start += 2;  // CRLF after the delimiter
    size_t next = body.find(delimiter, start);
    if (next == std::string::npos) {
      ADD_FAILURE() << "no closing delimiter";
      break;
    }
    parts.push_back(parseEntity(std::string_view(body).substr(start, next - start)));
    at = next;
  }
  return parts;
}

// message/delivery-status: groups of fields separated by empty lines.
std::vector<Entity> statusGroups(const std::string& body) {
  std::vector<Entity> groups;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find("\r\n\r\n", start);
    std::string group =
        body.substr(start, end == std::string::npos ? std::string::npos : end + 2 - start);
    if (!group.empty() && group != "\r\n") groups.push_back(parseEntity(group + "\r\n"));
    if (end == std::string::npos) break;
    start = end + 4;
  }
  return groups;
}

DsnSettings settings() {
  return DsnSettings{"gw.example", 1024};
}
const TimePoint kNow = TimePoint(std::chrono::seconds(1'790'000'000));

std::vector<DsnRecipient> failedRecipients(const MessageMeta& meta) {
  std::vector<DsnRecipient> out;
  for (const auto& r : meta.envelope.recipients) {
    out.push_back(DsnRecipient{
        r, "550 5.1.1 <" + r.address + ">: User unknown", "mx.internal", kNow - 1min, {}});
  }
  return out;
}

TEST(Dsn, FailureNoticeHasTheRfc3464Structure) {
  auto meta = fullMeta();
  meta.envelope.params.ret = "FULL";
  meta.envelope.recipients[1].notify = "FAILURE";
  auto dsn =
      makeDsn(settings(), DsnKind::Failure, meta, kSimpleMessage, failedRecipients(meta), kNow, {});
  ASSERT_TRUE(dsn);
  EXPECT_EQ(dsn->envelope.mail_from, "") << "a DSN has the null sender";
  ASSERT_EQ(dsn->envelope.recipients.size(), 1u);
  EXPECT_EQ(dsn->envelope.recipients[0].address, meta.envelope.mail_from);
  EXPECT_EQ(dsn->envelope.recipients[0].notify, "NEVER");
  EXPECT_TRUE(dsn->envelope.params.smtputf8);

  Entity top = parseEntity(dsn->message);
  EXPECT_EQ(top.field("from"), "Mail Delivery System <MAILER-DAEMON@gw.example>");
  EXPECT_EQ(top.field("to"), "<" + meta.envelope.mail_from + ">");
  EXPECT_EQ(top.field("auto-submitted"), "auto-replied");
  EXPECT_EQ(top.field("date"), "Mon, 21 Sep 2026 14:13:20 +0000");
  EXPECT_EQ(top.field("mime-version"), "1.0");
  EXPECT_EQ(top.field("content-type").rfind("multipart/report; report-type=delivery-status;", 0),
            0u);
  auto parts = partsOf(top);
  ASSERT_EQ(parts.size(), 3u);

  EXPECT_EQ(parts[0].field("content-type"), "text/plain; charset=us-ascii");
  EXPECT_NE(parts[0].body.find("<bob@example.net>: 550 5.1.1 <bob@example.net>: User unknown"),
            std::string::npos);

  EXPECT_EQ(parts[1].field("content-type"), "message/delivery-status");
  auto groups = statusGroups(parts[1].body);
  ASSERT_EQ(groups.size(), 4u);  // per message + bob, carol (NOTIFY=FAILURE), dave (default)
  EXPECT_EQ(groups[0].field("reporting-mta"), "dns; gw.example");
  EXPECT_EQ(groups[0].field("original-envelope-id"), "QQ314159+x");
  EXPECT_EQ(groups[0].field("arrival-date"), "Mon, 21 Sep 2026 14:13:20 +0000");
  EXPECT_EQ(groups[0].field("x-portcullis-queue-id"), meta.id);
  const Entity& bob = groups[1];
  EXPECT_EQ(bob.field("final-recipient"), "rfc822; bob@example.net");
  EXPECT_EQ(bob.field("original-recipient"), "rfc822;bob+alias@example.net");
  EXPECT_EQ(bob.field("action"), "failed");
  EXPECT_EQ(bob.field("status"), "5.1.1");
  EXPECT_EQ(bob.field("remote-mta"), "dns; mx.internal");
  EXPECT_EQ(bob.field("diagnostic-code"), "smtp; 550 5.1.1 <bob@example.net>: User unknown");
  EXPECT_EQ(bob.field("last-attempt-date"), "Mon, 21 Sep 2026 14:12:20 +0000");
  EXPECT_EQ(bob.field("will-retry-until"), "<absent>");
  EXPECT_EQ(groups[2].field("final-recipient"), "rfc822; carol@example.net");
  EXPECT_EQ(groups[2].field("original-recipient"), "<absent>");
  EXPECT_EQ(groups[3].field("original-recipient"), "rfc822;dave@old.example.net");

  EXPECT_EQ(parts[2].field("content-type"), "message/rfc822");
  EXPECT_EQ(parts[2].body, kSimpleMessage);
}

TEST(Dsn, DelayNoticeSaysDelayedAndUntilWhen) {
  auto meta = plainMeta();
  DsnRecipient r{
      meta.envelope.recipients[0], "451 4.3.0 Mailbox busy", "mx.internal", kNow - 1min, {}};
  auto dsn = makeDsn(settings(), DsnKind::Delay, meta, kSimpleMessage, {r}, kNow, kNow + 24h);
  ASSERT_TRUE(dsn);
  Entity top = parseEntity(dsn->message);
  EXPECT_EQ(top.field("subject"), "Delayed Mail (still being retried)");
  auto parts = partsOf(top);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_NE(parts[0].body.find("THIS IS A WARNING ONLY"), std::string::npos);
  auto groups = statusGroups(parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].field("original-envelope-id"), "<absent>");
  EXPECT_EQ(groups[1].field("action"), "delayed");
  EXPECT_EQ(groups[1].field("status"), "4.3.0");
  EXPECT_EQ(groups[1].field("will-retry-until"), "Tue, 22 Sep 2026 14:13:20 +0000");
}

TEST(Dsn, NeverToTheNullSender) {
  auto meta = plainMeta();
  meta.envelope.mail_from = "";
  EXPECT_FALSE(makeDsn(settings(), DsnKind::Failure, meta, kSimpleMessage, failedRecipients(meta),
                       kNow, {}));
  EXPECT_FALSE(makeDsn(settings(), DsnKind::Delay, meta, kSimpleMessage, failedRecipients(meta),
                       kNow, kNow));
}

TEST(Dsn, NotifyDecidesWhoIsReported) {
  auto meta = plainMeta();
  meta.envelope.recipients = {
      Recipient{"never@x", "NEVER", {}}, Recipient{"success@x", "SUCCESS", {}},
      Recipient{"delay@x", "DELAY", {}}, Recipient{"failure@x", "failure", {}}};
  auto reported = [&](DsnKind kind, std::vector<DsnRecipient> rs) {
    std::vector<std::string> out;
    auto dsn = makeDsn(settings(), kind, meta, kSimpleMessage, rs, kNow, kNow);
    if (!dsn) return out;
    auto groups = statusGroups(partsOf(parseEntity(dsn->message))[1].body);
    for (size_t i = 1; i < groups.size(); ++i) out.push_back(groups[i].field("final-recipient"));
    return out;
  };
  auto all = failedRecipients(meta);
  EXPECT_EQ(reported(DsnKind::Failure, all), std::vector<std::string>{"rfc822; failure@x"});
  EXPECT_EQ(reported(DsnKind::Delay, all), std::vector<std::string>{"rfc822; delay@x"});
  EXPECT_TRUE(reported(DsnKind::Failure, {all[0], all[1], all[2]}).empty())
      << "no notice at all when nobody asked for one";
}

TEST(Dsn, NotifyParsing) {
  EXPECT_TRUE(notifyWants("", DsnKind::Failure));
  EXPECT_TRUE(notifyWants("", DsnKind::Delay));
  EXPECT_FALSE(notifyWants("NEVER", DsnKind::Failure));
  EXPECT_TRUE(notifyWants("SUCCESS, Failure", DsnKind::Failure));
  EXPECT_FALSE(notifyWants("SUCCESS,FAILURE", DsnKind::Delay));
  EXPECT_TRUE(notifyWants("DELAY", DsnKind::Delay));
}

TEST(Dsn, StatusComesFromTheReply) {
  EXPECT_EQ(statusFromReply("550 5.1.1 User unknown", "5.0.0"), "5.1.1");
  EXPECT_EQ(statusFromReply("550-5.7.1 Blocked", "5.0.0"), "5.7.1");
  EXPECT_EQ(statusFromReply("554 Transaction failed", "5.0.0"), "5.0.0");
  EXPECT_EQ(statusFromReply("421 4.4.2 timeout", "5.0.0"), "4.4.2");
  EXPECT_EQ(statusFromReply("550 4.1.1 mismatched class", "5.0.0"), "5.0.0");
  EXPECT_EQ(statusFromReply("", "4.4.1"), "4.4.1");
  EXPECT_EQ(statusFromReply("connection refused", "4.4.1"), "4.4.1");
}

TEST(Dsn, ReturnsOnlyHeadersWhenAskedOrTooBig) {
  auto meta = plainMeta();
  std::string big = "Subject: big\r\nFrom: a@b\r\n\r\n" + std::string(5000, 'x') + "\r\n";
  auto part3 = [&](std::string_view original) {
    auto dsn =
        makeDsn(settings(), DsnKind::Failure, meta, original, failedRecipients(meta), kNow, {});
    EXPECT_TRUE(dsn);
    auto parts = partsOf(parseEntity(dsn->message));
    EXPECT_EQ(parts.size(), 3u);
    return parts.size() == 3 ? parts[2] : Entity{};
  };
  Entity p = part3(big);
  EXPECT_EQ(p.field("content-type"), "text/rfc822-headers");
  EXPECT_EQ(p.body, "Subject: big\r\nFrom: a@b\r\n\r\n");

  meta.envelope.params.ret = "HDRS";
  p = part3(kSimpleMessage);
  EXPECT_EQ(p.field("content-type"), "text/rfc822-headers");
  EXPECT_EQ(p.body.find("Hello."), std::string::npos);

  std::string huge_headers;
  for (int i = 0; i < 100; ++i) huge_headers += "X-Filler-" + std::to_string(i) + ": yes\r\n";
  p = part3(huge_headers + "\r\nbody\r\n");
  EXPECT_LE(p.body.size(), 1024u + 2);
  EXPECT_EQ(p.body.rfind("X-Filler-0: yes\r\n", 0), 0u);
}

TEST(Dsn, EightBitOriginalIsDeclared) {
  auto meta = plainMeta();
  std::string original = "Subject: caf\xc3\xa9\r\n\r\nna\xc3\xafve\r\n";
  auto dsn =
      makeDsn(settings(), DsnKind::Failure, meta, original, failedRecipients(meta), kNow, {});
  ASSERT_TRUE(dsn);
  EXPECT_EQ(dsn->envelope.params.body, "8BITMIME");
  auto parts = partsOf(parseEntity(dsn->message));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].field("content-transfer-encoding"), "8bit");
  EXPECT_EQ(parts[2].body, original);

  auto ascii =
      makeDsn(settings(), DsnKind::Failure, meta, kSimpleMessage, failedRecipients(meta), kNow, {});
  EXPECT_EQ(ascii->envelope.params.body, "7BIT");
}

TEST(Dsn, RemoteTextCannotInjectHeaders) {
  auto meta = plainMeta();
  meta.envelope.params.envid = "id\r\nInjected: 1";
  DsnRecipient r{
      meta.envelope.recipients[0], "550 5.1.1 nope\r\nInjected: yes", "mx\nInjected: 2", kNow, {}};
  auto dsn = makeDsn(settings(), DsnKind::Failure, meta, kSimpleMessage, {r}, kNow, {});
  ASSERT_TRUE(dsn);
  EXPECT_EQ(dsn->message.find("\r\nInjected"), std::string::npos);
  EXPECT_EQ(dsn->message.find("\nInjected"), std::string::npos);
  auto groups = statusGroups(partsOf(parseEntity(dsn->message))[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].field("diagnostic-code"), "smtp; 550 5.1.1 nope  Injected: yes");
}

TEST(Dsn, BoundaryNeverOccursInTheReturnedMessage) {
  auto meta = plainMeta();
  std::string hostile = "Subject: x\r\n\r\n--=_portcullis_" + meta.id + "_failure\r\n";
  auto dsn = makeDsn(settings(), DsnKind::Failure, meta, hostile, failedRecipients(meta), kNow, {});
  ASSERT_TRUE(dsn);
  auto top = parseEntity(dsn->message);
  EXPECT_EQ(hostile.find(boundaryOf(top)), std::string::npos);
  auto parts = partsOf(top);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].body, hostile);
}

TEST(Dsn, SelectsRecipientsFromTheDeliveryState) {
  auto meta = fullMeta();
  DeliveryState state = initialDeliveryState(meta);
  state.recipients[0] = {RecipientStatus::Failed, "550 5.1.1 no", "mx", kNow, false};
  state.recipients[1] = {RecipientStatus::Failed, "550 5.1.1 no", "mx", kNow, true};
  state.recipients[2] = {RecipientStatus::Delayed, "451 4.3.0 later", "mx", kNow, false};
  auto failed = selectDsnRecipients(meta, state, DsnKind::Failure);
  ASSERT_EQ(failed.size(), 1u) << "already notified recipients are not reported twice";
  EXPECT_EQ(failed[0].recipient.address, "bob@example.net");
  EXPECT_EQ(failed[0].reply, "550 5.1.1 no");
  auto delayed = selectDsnRecipients(meta, state, DsnKind::Delay);
  ASSERT_EQ(delayed.size(), 1u);
  EXPECT_EQ(delayed[0].recipient.address, "dave@example.net");
}

TEST(Dsn, DatesAreRfc5322InUtc) {
  EXPECT_EQ(rfc5322Date(kNow), "Mon, 21 Sep 2026 14:13:20 +0000");
  EXPECT_EQ(rfc5322Date(TimePoint{}), "Thu, 01 Jan 1970 00:00:00 +0000");
}

}  // namespace
}  // namespace portcullis::spool

namespace portcullis::spool {
namespace {

std::string withoutBreaks(std::string text) {
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
  return text;
}

TEST(Dsn, NeverCarriesALineOver998Octets) {
  auto meta = plainMeta();
  std::string original = "From: alice@example.org\r\nSubject: " + std::string(1200, 's') +
                         "\r\n\r\n" + std::string(5000, 'b') + "\r\nend\r\n";
  DsnRecipient r{
      meta.envelope.recipients[0], "550 5.6.0 " + std::string(1500, 'r'), "mx", kNow, {}};
  DsnSettings big{"gw.example", 1 << 20};
  auto dsn = makeDsn(big, DsnKind::Failure, meta, original, {r}, kNow, {});
  ASSERT_TRUE(dsn);
  EXPECT_LE(smtp::longestLine(dsn->message), 998u);
  auto parts = partsOf(parseEntity(dsn->message));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_NE(parts[0].body.find("were broken"), std::string::npos) << parts[0].body;
  EXPECT_EQ(parts[2].field("content-type"), "message/rfc822");
  EXPECT_EQ(withoutBreaks(parts[2].body), original) << "nothing of the original is lost";
}

TEST(Dsn, HeadersOnlyNoticesAreWrappedToo) {
  auto meta = plainMeta();
  meta.envelope.params.ret = "HDRS";
  std::string original = "Subject: " + std::string(3000, 's') + "\r\n\r\nbody\r\n";
  auto dsn =
      makeDsn(settings(), DsnKind::Failure, meta, original, failedRecipients(meta), kNow, {});
  ASSERT_TRUE(dsn);
  EXPECT_LE(smtp::longestLine(dsn->message), 998u);
}

TEST(Dsn, ALowerRelayLimitAppliesToNotices) {
  auto meta = plainMeta();
  std::string original = "Subject: x\r\n\r\n" + std::string(500, 'b') + "\r\n";
  DsnSettings narrow{"gw.example", 1 << 20, 200};
  auto dsn = makeDsn(narrow, DsnKind::Failure, meta, original, failedRecipients(meta), kNow, {});
  ASSERT_TRUE(dsn);
  EXPECT_LE(smtp::longestLine(dsn->message), 200u);
}

}  // namespace
}  // namespace portcullis::spool
