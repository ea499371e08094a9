#include "filters/content/message_view.h"

namespace portcullis::content {
namespace {

std::vector<ViewHeader> viewHeaders(const mime::HeaderList& list) {
  std::vector<ViewHeader> out;
  out.reserve(list.all().size());
  for (const auto& h : list.all()) out.push_back({h.name, h.raw, h.value});
  return out;
}

}  // namespace

ContentView viewOfMessage(const mime::Message& message) {
  ContentView view;
  view.headers = viewHeaders(message.headers());
  view.raw_header_section = message.rawHeaderSection();
  view.parts.reserve(message.parts().size());
  for (const auto& part : message.parts()) {
    view.parts.push_back({viewHeaders(part.headers), part.content_type, part.children.empty()});
  }
  view.full = message.raw();
  view.body = message.bodyText();
  view.rawbody = message.rawBodyText();
  view.uris.assign(message.uris().begin(), message.uris().end());
  view.missing_mime_boundary = message.has(mime::Anomaly::MissingBoundary);
  view.message = &message;
  return view;
}

void addTransactionFacts(ContentView& view, const Transaction& tx, std::string_view local_host) {
  // A transaction without a client is a file scanned offline: it has no envelope either, and
  // the relay model then comes from the header section, as SpamAssassin's does.
  if (tx.client.address.empty()) return;
  view.envelope_from = tx.envelope.mail_from;
  for (const auto& rcpt : tx.envelope.recipients) view.recipients.push_back(rcpt.address);
  view.client = FirstHandClient{tx.client.address,
                                tx.client.hostname,
                                tx.client.helo,
                                std::string(local_host),
                                tx.id,
                                tx.client.auth_user,
                                tx.client.esmtp,
                                tx.client.tls.has_value()};
}

std::vector<ExplainedHit> scanMessage(const CompiledRules& rules, const mime::Message& message,
                                      bool explain, const Transaction* tx) {
  ContentView view = viewOfMessage(message);
  if (tx) addTransactionFacts(view, *tx, "localhost");
  const ScanResult result = rules.scan(view, {}, explain);
  std::vector<ExplainedHit> hits;
  for (const auto& hit : result.hits) {
    const auto& cr = rules.rules()[hit.rule];
    hits.push_back({cr.rule.name, cr.reported ? cr.score * hit.count : 0, cr.reported, hit.count,
                    cr.rule.description, hit.matched, hit.evidence, cr.rule.where});
  }
  return hits;
}

}  // namespace portcullis::content
