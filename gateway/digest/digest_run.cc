#include "gateway/digest/digest_run.h"

#include <map>

#include "gateway/base/text.h"
#include "gateway/core/queue_id.h"
#include "gateway/digest/digest_message.h"
#include "gateway/digest/digest_state.h"

namespace portcullis::digest {

std::vector<RecipientDigest> selectRecipients(const std::vector<quarantine::Entry>& entries,
                                              const std::set<std::string>& domains,
                                              size_t max_listed) {
  std::map<std::string, RecipientDigest> by_address;
  for (const auto& entry : entries) {
    std::set<std::string> seen;  // a recipient listed twice in one envelope counts once
    for (const auto& address : entry.recipients) {
      std::string key = toLower(address);
      if (!seen.insert(key).second) continue;
      if (!quarantine::isPlainAddress(address) || !domains.count(domainOf(address))) continue;
      RecipientDigest& digest = by_address[key];
      if (digest.recipient.empty()) digest.recipient = address;
      ++digest.total;
      if (digest.entries.size() < max_listed) digest.entries.push_back(entry);
    }
  }
  std::vector<RecipientDigest> out;
  for (auto& [key, digest] : by_address) out.push_back(std::move(digest));
  return out;
}

Result<DigestPlan> planDigests(const DigestSettings& settings, const quarantine::Quarantine& store,
                               const web::RecipientLinks& links, quarantine::TimePoint now) {
  using R = Result<DigestPlan>;
  auto last = readLastUntil(settings.quarantine_dir);
  if (!last) return R::failure("digest state: " + last.error);
  DigestPlan plan;
  plan.since = *last;
  plan.until = now - settings.digest.settle_time;
  if (plan.since && *plan.since >= plan.until) return R::success(std::move(plan));
  quarantine::Filter filter;
  filter.since = plan.since;
  filter.until = plan.until;
  auto entries = store.list(filter);
  if (!entries) return R::failure("quarantine: " + entries.error);
  std::string base = web::consoleBaseUrl(settings.web);
  quarantine::TimePoint expires =
      now + std::chrono::duration_cast<quarantine::Clock::duration>(settings.web.link_lifetime);
  for (auto& selected :
       selectRecipients(*entries, settings.domains, settings.digest.max_messages)) {
    DigestHeader header{settings.sender, settings.hostname, newQueueId(), now,
                        settings.digest.max_field_length};
    DigestContent content{selected.recipient, std::move(selected.entries), selected.total,
                          links.url(base, selected.recipient, expires), expires};
    plan.digests.push_back({selected.recipient, content.entries.size(), selected.total,
                            composeDigest(settings.layout, header, content)});
  }
  return R::success(std::move(plan));
}

Result<DigestRunReport> runDigests(const DigestSettings& settings,
                                   const quarantine::Quarantine& store, spool::Spool& queue,
                                   quarantine::TimePoint now) {
  using R = Result<DigestRunReport>;
  auto lock = DigestLock::acquire(settings.quarantine_dir);
  if (!lock) return R::failure(lock.error);
  auto key = web::loadOrCreateLinkKey(settings.web.link_key_file);
  if (!key) return R::failure("link key: " + key.error);
  web::RecipientLinks links(*key);
  auto plan = planDigests(settings, store, links, now);
  if (!plan) return R::failure(plan.error);
  DigestRunReport report{std::move(*plan), {}, {}};
  if (report.plan.since && *report.plan.since >= report.plan.until)
    return R::success(std::move(report));
  for (const auto& digest : report.plan.digests) {
    spool::MessageMeta meta;
    meta.id = newQueueId();
    meta.arrival = now;
    meta.client.address = "127.0.0.1";
    meta.client.helo = settings.hostname;
    meta.envelope.mail_from = settings.sender;
    meta.envelope.recipients.push_back({digest.recipient, "", ""});
    if (auto stored = queue.store(meta, digest.message); stored) {
      report.queued.push_back(meta.id);
    } else {
      report.errors.push_back(digest.recipient + ": cannot queue the digest: " + stored.error);
    }
  }
  // Remembered even when some digests could not be queued: a full or broken spool must not make
  // every other recipient's digest repeat at the next run.
  if (auto saved = writeLastUntil(settings.quarantine_dir, report.plan.until); !saved) {
    report.errors.push_back("digest state: " + saved.error);
  }
  return R::success(std::move(report));
}

}  // namespace portcullis::digest
