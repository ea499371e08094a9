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
  return view;
}

void addTransactionFacts(ContentView& view, const Transaction& tx, std::string_view local_host) {
  view.pseudo_headers.emplace_back("EnvelopeFrom", tx.envelope.mail_from);
  if (tx.client.address.empty()) return;
  std::string relay = "[ ip=" + tx.client.address + " rdns=" + tx.client.hostname +
                      " helo=" + tx.client.helo + " by=" + std::string(local_host) +
                      " ident= envfrom=" + tx.envelope.mail_from + " intl=0 id=" + tx.id +
                      " auth=" + tx.client.auth_user + " msa=0 ]";
  view.pseudo_headers.emplace_back("X-Spam-Relays-External", relay);
  view.pseudo_headers.emplace_back("X-Spam-Relays-Untrusted", relay);
  view.pseudo_headers.emplace_back("X-Spam-Relays-Internal", "");
  view.pseudo_headers.emplace_back("X-Spam-Relays-Trusted", "");
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
                    cr.rule.description, hit.matched, cr.rule.where});
  }
  return hits;
}

}  // namespace portcullis::content
