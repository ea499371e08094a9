// A Metrics object with every family the gateway exposes filled in, the DNS resolver's series
// included (registered by dns::DnsStats, as the gateway does): what a scrape of a busy gateway
// looks like, for format checks (promtool) and for checking the deploy files' metric names.
#pragma once

#include <memory>
#include <string>

#include "gateway/dns/dns_stats.h"
#include "gateway/metrics/check_observer.h"
#include "gateway/metrics/metrics.h"

namespace portcullis::testing {

struct BusyGateway {
  metrics::Metrics metrics{"0.1.0"};
  dns::DnsStats dns{&metrics.registry()};

  BusyGateway() {
    using namespace metrics;
    using namespace std::chrono_literals;
    metrics.connections(ConnectionResult::Accepted).Increment(10);
    metrics.messages(Action::Accept).Increment(8);
    Verdict verdict;
    verdict.action = Action::Reject;
    verdict.symbols = {{"CLAMAV_VIRUS", 100, "Eicar-Test-Signature"}, {"SUBJ_ALL_CAPS", 1, ""}};
    metrics.recordVerdict(verdict);
    metrics.tlsSessions(TlsDirection::Inbound, "TLSv1.3").Increment();
    CheckObserver observer = observeChecks(metrics);
    observer.finished("spf", CheckOutcome::Ok, 3ms, "");
    observer.finished("dnsbl", CheckOutcome::Timeout, 5s, "deadline");
    dns.recordQuery(dns::RrType::A, dns::Status::NxDomain, 4ms);
    dns.recordQuery(dns::RrType::TXT, dns::Status::Timeout, 5s);
    dns.recordCacheHit(dns::RrType::A);
    metrics.clamavScans(ScanResult::Clean).Increment();
    metrics.clamavScanDuration().Observe(0.04);
    metrics.clamavUp().Set(1);
    metrics.queueMessages().Set(3);
    metrics.queueOldestAge().Set(120);
    metrics.relayAttempt(250).Increment();
    metrics.relayAttempt(421).Increment();
    metrics.quarantineMessages().Set(1);
    metrics.quarantineBytes().Set(5000);
    metrics.rulesLoaded().Set(250);
    metrics.signaturesLoaded().Set(40);
    metrics.signaturesTimestamp().Set(1700000000);
    metrics.reloadSucceeded(ReloadComponent::Rules);
    metrics.reloadFailed(ReloadComponent::Config);
  }
};

}  // namespace portcullis::testing
