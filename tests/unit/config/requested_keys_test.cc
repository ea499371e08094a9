// Document::recordRequestedKeys: every key a Section is asked for, present or not, is recorded as
// its dotted path, through sub-tables and arrays of tables, and in copies of the document.
#include <gtest/gtest.h>

#include "gateway/config/document.h"

namespace portcullis::config {
namespace {

const char* kText = R"(
[checks.dnsbl]
max_uri_lookups = 5
[[checks.dnsbl.zone]]
zone = "zen.spamhaus.org"
)";

void readSome(const Document& doc) {
  Section root = doc.root();
  auto dnsbl = root.sub("checks")->sub("dnsbl");
  dnsbl->getInt("max_uri_lookups", 20, 0, 1000);
  dnsbl->getBool("skip_local", true);
  for (Section& zone : dnsbl->subArray("zone")) zone.getString("zone", "");
  root.sub("web");
}

TEST(RequestedKeys, RecordsEveryKeyAskedForPresentOrNot) {
  Document doc = Document::parseString(kText, "test.toml");
  auto requested = doc.recordRequestedKeys();
  Document copy = doc;
  readSome(copy);
  EXPECT_EQ(requested->paths(),
            (std::set<std::string>{"checks", "checks.dnsbl", "checks.dnsbl.max_uri_lookups",
                                   "checks.dnsbl.skip_local", "checks.dnsbl.zone",
                                   "checks.dnsbl.zone.zone", "web"}));
}

TEST(RequestedKeys, NothingIsRecordedUnlessAsked) {
  Document doc = Document::parseString(kText, "test.toml");
  readSome(doc);
  auto requested = doc.recordRequestedKeys();
  EXPECT_TRUE(requested->paths().empty());
}

}  // namespace
}  // namespace portcullis::config
