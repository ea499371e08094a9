#include "filters/dkim/dkim_check.h"

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

#include <algorithm>
#include <chrono>

#include "filters/dkim/author.h"
#include "gateway/core/offload.h"
#include "gateway/dns/resolver.h"

namespace portcullis::dkim {

namespace {

KeyAnswer toKeyAnswer(const dns::Answer& answer) {
  KeyAnswer key;
  if (answer.ok()) {
    key.status = KeyAnswer::Status::Found;
    key.records = answer.records;
  } else if (answer.status == dns::Status::NxDomain || answer.status == dns::Status::NoData) {
    key.status = KeyAnswer::Status::NotFound;
  } else {
    key.status = KeyAnswer::Status::TempFail;
  }
  return key;
}

std::string describe(const Signature& sig) {
  return "d=" + sig.domain + " s=" + sig.selector + " a=" + sig.algorithm_name;
}

int64_t systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DkimCheck::DkimCheck(DkimOptions options, asio::thread_pool& workers, dns::Resolver* resolver,
                     Clock clock)
    : options_(std::move(options)),
      workers_(workers),
      resolver_(resolver),
      clock_(clock ? std::move(clock) : Clock(systemNow)),
      keys_(std::make_unique<KeyCache>(options_.key_cache_size)) {}

void DkimCheck::addSymbol(Report& report, const std::string& name, std::string detail) const {
  report.addSymbol({name, options_.scores.of(name), std::move(detail)});
}

awaitable<std::vector<KeyAnswer>> DkimCheck::fetchKeys(const std::vector<Signature>& signatures,
                                                       size_t count) const {
  // One query per distinct key name, all at once.
  std::vector<std::string> names;
  std::vector<size_t> name_of(count, SIZE_MAX);
  for (size_t i = 0; i < count; ++i) {
    if (!signatures[i].ok()) continue;
    std::string name = signatures[i].selector + "._domainkey." + signatures[i].domain;
    auto it = std::find(names.begin(), names.end(), name);
    name_of[i] = static_cast<size_t>(it - names.begin());
    if (it == names.end()) names.push_back(std::move(name));
  }
  std::vector<KeyAnswer> per_name(names.size());
  if (resolver_ && !names.empty()) {
    auto executor = co_await asio::this_coro::executor;
    using Op =
        decltype(asio::co_spawn(executor, resolver_->query("", dns::RrType::TXT), asio::deferred));
    std::vector<Op> ops;
    for (const auto& name : names) {
      ops.push_back(
          asio::co_spawn(executor, resolver_->query(name, dns::RrType::TXT), asio::deferred));
    }
    auto [order, errors, answers] =
        co_await asio::experimental::make_parallel_group(std::move(ops))
            .async_wait(asio::experimental::wait_for_all(), use_awaitable);
    for (size_t n = 0; n < names.size(); ++n) {
      per_name[n] =
          errors[n] ? KeyAnswer{KeyAnswer::Status::TempFail, {}} : toKeyAnswer(answers[n]);
    }
  } else {
    for (auto& answer : per_name) answer.status = KeyAnswer::Status::TempFail;
  }
  std::vector<KeyAnswer> out(count);
  for (size_t i = 0; i < count; ++i) {
    if (name_of[i] != SIZE_MAX) out[i] = per_name[name_of[i]];
  }
  co_return out;
}

awaitable<void> DkimCheck::run(const Transaction& tx, Report& report) const {
  MessageVerifier verifier(tx.message);
  const auto& signatures = verifier.signatures();
  if (signatures.empty()) co_return;
  size_t count = std::min(signatures.size(), options_.max_signatures);
  std::vector<KeyAnswer> keys = co_await fetchKeys(signatures, count);

  int64_t now = clock_();
  std::vector<SignatureResult> results = co_await offload(workers_, [&] {
    std::vector<SignatureResult> out;
    for (size_t i = 0; i < count; ++i)
      out.push_back(verifier.verify(i, keys[i], options_.verify, now, keys_.get()));
    return out;
  });

  Author author = authorOf(verifier.message());
  addSymbol(report, "DKIM_SIGNED", std::to_string(signatures.size()) + " signature(s)");
  if (signatures.size() > count) {
    addSymbol(
        report, "DKIM_TOO_MANY_SIGNATURES",
        std::to_string(signatures.size()) + " signatures, " + std::to_string(count) + " verified");
  }
  const SignatureResult* valid = nullptr;
  const SignatureResult* valid_author = nullptr;
  const SignatureResult* weak = nullptr;
  const SignatureResult* invalid = nullptr;
  const SignatureResult* policy = nullptr;
  const SignatureResult* temperror = nullptr;
  const SignatureResult* permerror = nullptr;
  std::vector<DkimOutcome> outcomes;
  for (const auto& r : results) {
    const Signature& sig = *r.signature;
    outcomes.push_back({std::string(toString(r.result)), sig.domain, sig.selector, sig.auid,
                        sig.algorithm_name, r.reason, sig.signature_prefix});
    switch (r.result) {
      case Result::Pass:
        if (!valid) valid = &r;
        if (!weak && sig.algorithm == Algorithm::RsaSha1) weak = &r;
        if (!valid_author && std::find(author.domains.begin(), author.domains.end(), sig.domain) !=
                                 author.domains.end()) {
          valid_author = &r;
        }
        break;
      case Result::Fail:
        if (!invalid) invalid = &r;
        break;
      case Result::Policy:
        if (!policy) policy = &r;
        break;
      case Result::TempError:
        if (!temperror) temperror = &r;
        break;
      case Result::PermError:
        if (!permerror) permerror = &r;
        break;
      case Result::Neutral:
        break;
    }
  }
  auto detail = [](const SignatureResult* r) {
    std::string text = describe(*r->signature);
    if (!r->reason.empty()) text += " (" + r->reason + ")";
    if (r->future_timestamp) text += " (timestamp in the future)";
    return text;
  };
  if (valid) addSymbol(report, "DKIM_VALID", detail(valid));
  if (valid_author) addSymbol(report, "DKIM_VALID_AU", detail(valid_author));
  if (weak) addSymbol(report, "DKIM_WEAK_SHA1", detail(weak));
  if (!valid && (invalid || policy || permerror)) {
    addSymbol(report, "DKIM_INVALID", detail(invalid ? invalid : policy ? policy : permerror));
  }
  if (policy) addSymbol(report, "DKIM_POLICY", detail(policy));
  if (temperror) addSymbol(report, "DKIM_TEMPERROR", detail(temperror));
  if (permerror) addSymbol(report, "DKIM_PERMERROR", detail(permerror));
  report.updateAuth([&](AuthResults& auth) {
    auth.dkim.insert(auth.dkim.end(), outcomes.begin(), outcomes.end());
  });
}

}  // namespace portcullis::dkim
