#include "gateway/pipeline/message_changes.h"

#include <fmt/format.h>

#include "gateway/base/mail_date.h"
#include "gateway/base/text.h"
#include "gateway/pipeline/message_edit.h"

namespace portcullis {

HeaderChanges headerChanges(const FilterContext& ctx, const Report& report,
                            const Verdict& verdict) {
  HeaderChanges changes;
  if (ctx.authentication_results)
    changes.authentication_results = ctx.authentication_results(report);
  changes.added = report.headers();
  changes.added.insert(changes.added.end(), verdict.headers.begin(), verdict.headers.end());
  changes.remove = [own = Policy::ownHeaderNames(), remove_field = ctx.remove_field](
                       std::string_view name, std::string_view value) {
    for (auto n : own) {
      if (iequals(n, name)) return true;
    }
    return remove_field && remove_field(name, value);
  };
  changes.subject_prefix = verdict.subject_prefix;
  return changes;
}

HeaderField receivedField(const Transaction& tx, std::string_view hostname,
                          std::chrono::system_clock::time_point when) {
  const ClientInfo& c = tx.client;
  std::string protocol = tx.envelope.params.smtputf8 ? "UTF8SMTP" : (c.esmtp ? "ESMTP" : "SMTP");
  if (c.tls) protocol += "S";
  std::string value = fmt::format("from {} ({} [{}])", c.helo.empty() ? "unknown" : c.helo,
                                  c.hostname.empty() ? "unknown" : c.hostname, c.address);
  if (c.tls) {
    value += fmt::format(" (using {} with cipher {} ({} bits))", c.tls->version, c.tls->cipher,
                         c.tls->bits);
  }
  value += fmt::format(" by {} (Portcullis) with {} id {}", hostname, protocol, tx.id);
  if (tx.envelope.recipients.size() == 1) {
    value += " for <" + tx.envelope.recipients.front().address + ">";
  }
  value += "; " + rfc5322Date(when);
  return {"Received", value};
}

std::string composeMessage(const HeaderChanges& changes, const Transaction& tx,
                           std::string_view hostname) {
  HeaderEdit edit;
  edit.prepend.push_back(receivedField(tx, hostname, std::chrono::system_clock::now()));
  if (changes.authentication_results) edit.prepend.push_back(*changes.authentication_results);
  edit.prepend.insert(edit.prepend.end(), changes.added.begin(), changes.added.end());
  edit.remove = changes.remove;
  edit.subject_prefix = changes.subject_prefix;
  return editHeaders(tx.message, edit);
}

}  // namespace portcullis
