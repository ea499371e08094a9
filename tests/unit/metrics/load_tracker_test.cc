#include "gateway/metrics/load_tracker.h"

#include <gtest/gtest.h>

namespace portcullis::metrics {
namespace {

using Clock = std::chrono::system_clock;

double seconds(Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

LoadEvent rulesLoaded(size_t rules, Clock::time_point when) {
  LoadEvent e{LoadedData::Rules, true, true, rules};
  e.when = when;
  return e;
}

LoadEvent signaturesLoaded(size_t signatures, Clock::time_point newest, Clock::time_point when) {
  LoadEvent e{LoadedData::Signatures, true, true, signatures, newest};
  e.when = when;
  return e;
}

const Clock::time_point kT1 = Clock::time_point(std::chrono::seconds(1'700'000'000));
const Clock::time_point kT2 = kT1 + std::chrono::seconds(60);

TEST(LoadTracker, NotReadyAndNothingPublishedBeforeTheFirstActivation) {
  Metrics metrics;
  LoadTracker tracker(metrics);
  LoadTracker::Generation first = tracker.begin();
  first.events().loaded(rulesLoaded(24, kT1));
  first.events().loaded(signaturesLoaded(4, kT1, kT1));
  EXPECT_FALSE(tracker.rulesReady());
  EXPECT_FALSE(tracker.signaturesReady());
  EXPECT_EQ(metrics.rulesLoaded().Value(), 0);
  EXPECT_EQ(metrics.clamavUp().Value(), 0);

  first.activate();
  EXPECT_TRUE(tracker.rulesReady());
  EXPECT_TRUE(tracker.signaturesReady());
  EXPECT_EQ(metrics.rulesLoaded().Value(), 24);
  EXPECT_EQ(metrics.signaturesLoaded().Value(), 4);
  EXPECT_EQ(metrics.signaturesTimestamp().Value(), seconds(kT1));
  EXPECT_EQ(metrics.clamavUp().Value(), 1);
  EXPECT_EQ(metrics.lastReloadSuccess(ReloadComponent::Rules).Value(), seconds(kT1));
  EXPECT_EQ(metrics.lastReloadSuccess(ReloadComponent::Signatures).Value(), seconds(kT1));
}

TEST(LoadTracker, SaysWhichEnginesRunTheRulesThroughAColdStart) {
  Metrics metrics;
  LoadTracker tracker(metrics);
  LoadTracker::Generation first = tracker.begin();
  first.activate();
  EXPECT_EQ(tracker.rulesEngine(), "");
  LoadEvent interim = rulesLoaded(24, kT1);
  interim.interim = true;
  first.events().loaded(interim);
  EXPECT_TRUE(tracker.rulesReady());
  EXPECT_EQ(tracker.rulesEngine(), "pcre2+re2 (hyperscan compiling)");
  first.events().loaded(rulesLoaded(24, kT2));
  EXPECT_EQ(tracker.rulesEngine(), "hyperscan");
}

TEST(LoadTracker, AConfigurationWithoutRulesOrSignaturesHasNothingToWaitFor) {
  Metrics metrics;
  LoadTracker tracker(metrics);
  LoadTracker::Generation first = tracker.begin();
  first.activate();
  EXPECT_TRUE(tracker.rulesReady());
  EXPECT_TRUE(tracker.signaturesReady());
  EXPECT_EQ(metrics.clamavUp().Value(), 0);
}

TEST(LoadTracker, SignaturesThatNeverLoadedKeepItNotReadyUntilALaterLoad) {
  Metrics metrics;
  LoadTracker tracker(metrics);
  LoadTracker::Generation first = tracker.begin();
  first.events().loaded({LoadedData::Signatures, false, false});
  first.activate();
  EXPECT_FALSE(tracker.signaturesReady());
  EXPECT_TRUE(tracker.rulesReady());
  EXPECT_EQ(metrics.reloadFailures(ReloadComponent::Signatures).Value(), 1);
  EXPECT_EQ(metrics.clamavUp().Value(), 0);

  first.events().loaded(signaturesLoaded(4, kT1, kT2));  // the background reload found some
  EXPECT_TRUE(tracker.signaturesReady());
  EXPECT_EQ(metrics.clamavUp().Value(), 1);
  EXPECT_EQ(metrics.lastReloadSuccess(ReloadComponent::Signatures).Value(), seconds(kT2));
}

TEST(LoadTracker, AFailedReloadCountsItsFailureAndPublishesNothingElse) {
  Metrics metrics;
  LoadTracker tracker(metrics);
  LoadTracker::Generation first = tracker.begin();
  first.events().loaded(rulesLoaded(24, kT1));
  first.events().loaded(signaturesLoaded(4, kT1, kT1));
  first.activate();
  {
    LoadTracker::Generation reload = tracker.begin();
    reload.events().loaded(signaturesLoaded(5, kT2, kT2));
    reload.events().loaded({LoadedData::Rules, false, false});
  }  // never activated: the configuration was refused
  EXPECT_EQ(metrics.reloadFailures(ReloadComponent::Rules).Value(), 1);
  EXPECT_EQ(metrics.reloadFailures(ReloadComponent::Signatures).Value(), 0);
  EXPECT_EQ(metrics.rulesLoaded().Value(), 24);
  EXPECT_EQ(metrics.signaturesLoaded().Value(), 4);
  EXPECT_EQ(metrics.lastReloadSuccess(ReloadComponent::Signatures).Value(), seconds(kT1));
  EXPECT_TRUE(tracker.rulesReady());
}

TEST(LoadTracker, ActivationReplacesTheStateAndSilencesTheOldGeneration) {
  Metrics metrics;
  LoadTracker tracker(metrics);
  LoadTracker::Generation first = tracker.begin();
  first.events().loaded(rulesLoaded(24, kT1));
  first.events().loaded(signaturesLoaded(4, kT1, kT1));
  first.activate();

  LoadTracker::Generation second = tracker.begin();  // the new configuration has no clamav check
  second.events().loaded(rulesLoaded(30, kT2));
  second.activate();
  EXPECT_EQ(metrics.rulesLoaded().Value(), 30);
  EXPECT_EQ(metrics.lastReloadSuccess(ReloadComponent::Rules).Value(), seconds(kT2));
  EXPECT_EQ(metrics.signaturesLoaded().Value(), 0);
  EXPECT_EQ(metrics.clamavUp().Value(), 0);
  EXPECT_TRUE(tracker.signaturesReady());

  first.events().loaded({LoadedData::Signatures, false, false});  // a late report: ignored
  EXPECT_EQ(metrics.reloadFailures(ReloadComponent::Signatures).Value(), 0);
  EXPECT_TRUE(tracker.signaturesReady());
}

TEST(LoadTracker, VirusScansAreCountedByResultAndTimed) {
  Metrics metrics;
  LoadTracker tracker(metrics);
  LoadTracker::Generation first = tracker.begin();
  first.events().virus_scanned(VirusScanOutcome::Clean, std::chrono::milliseconds(3));
  first.events().virus_scanned(VirusScanOutcome::Infected, std::chrono::milliseconds(5));
  first.events().virus_scanned(VirusScanOutcome::Error, std::chrono::milliseconds(1));
  EXPECT_EQ(metrics.clamavScans(ScanResult::Clean).Value(), 1);
  EXPECT_EQ(metrics.clamavScans(ScanResult::Infected).Value(), 1);
  EXPECT_EQ(metrics.clamavScans(ScanResult::Error).Value(), 1);
  EXPECT_NE(metrics.scrapeText().find("portcullis_clamav_scan_duration_seconds_count 3\n"),
            std::string::npos);
}

}  // namespace
}  // namespace portcullis::metrics
