// The operators' files and the documentation name only metrics the gateway exposes, and every
// exposed family is documented.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/metrics/deploy_files.h"
#include "tests/unit/metrics/full_exposition.h"

namespace portcullis::metrics {
namespace {

using testing::metricNames;
using testing::readSourceFile;

// The families of a full exposition (names on its "# TYPE" lines).
std::set<std::string> exposedFamilies() {
  testing::BusyGateway gateway;
  std::string text = gateway.metrics.scrapeText();
  std::set<std::string> families;
  static const std::regex type_line(R"(# TYPE (\S+) )");
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it) {
    families.insert((*it)[1]);
  }
  return families;
}

// A series name's family: histogram series carry _bucket, _sum and _count suffixes.
bool exposed(const std::set<std::string>& families, const std::string& name) {
  if (families.count(name)) return true;
  for (std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix) &&
        families.count(name.substr(0, name.size() - suffix.size()))) {
      return true;
    }
  }
  return false;
}

class DeployFiles : public ::testing::TestWithParam<const char*> {};

TEST_P(DeployFiles, NameOnlyExposedMetrics) {
  std::set<std::string> families = exposedFamilies();
  std::string text = readSourceFile(GetParam());
  ASSERT_FALSE(text.empty()) << GetParam() << " is missing";
  std::set<std::string> names = metricNames(text);
  EXPECT_GE(names.size(), 5u);
  for (const std::string& name : names) {
    EXPECT_TRUE(exposed(families, name))
        << GetParam() << " names " << name << ", which the gateway does not expose";
  }
}

INSTANTIATE_TEST_SUITE_P(Files, DeployFiles,
                         ::testing::Values("deploy/grafana/portcullis.json",
                                           "deploy/prometheus/portcullis-alerts.yml",
                                           "gateway/metrics/README.md"));

TEST(MetricsReadme, DocumentsEveryExposedFamily) {
  std::string readme = readSourceFile("gateway/metrics/README.md");
  for (const std::string& family : exposedFamilies()) {
    EXPECT_THAT(readme, ::testing::HasSubstr("`" + family + "`"))
        << family << " is exposed but not documented in gateway/metrics/README.md";
  }
}

TEST(Dashboard, CoversWhatOperatorsWatch) {
  std::set<std::string> names = metricNames(readSourceFile("deploy/grafana/portcullis.json"));
  for (const char* needed :
       {"portcullis_messages_total", "portcullis_check_duration_seconds_bucket",
        "portcullis_queue_messages", "portcullis_queue_oldest_message_age_seconds",
        "portcullis_rule_hits_total", "portcullis_dns_queries_total", "portcullis_clamav_up",
        "portcullis_clamav_scans_total", "portcullis_reload_failures_total",
        "portcullis_reload_last_success_timestamp_seconds", "portcullis_classifier_learned_total",
        "portcullis_classifier_errors_total", "portcullis_classifier_store_bytes"}) {
    EXPECT_TRUE(names.count(needed)) << "the dashboard shows no " << needed;
  }
}

}  // namespace
}  // namespace portcullis::metrics
