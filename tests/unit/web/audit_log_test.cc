#include "gateway/quarantine/audit_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/web/secrets.h"

namespace portcullis::quarantine {
namespace {

TEST(AuditLog, OneQuotedLinePerRecordThatAHostileValueCannotBreak) {
  auto when = spool::TimePoint(std::chrono::seconds(1796000000));
  AuditRecord r{"web:admin", "127.0.0.1", "delete", "ABC", false, "x\"\n2026 forged=\\"};
  EXPECT_EQ(auditLine(r, when),
            "2026-11-30T00:53:20Z actor=\"web:admin\" client=\"127.0.0.1\" action=\"delete\" "
            "id=\"ABC\" result=failed detail=\"x\\\"\\x0a2026 forged=\\\\\"\n");
  r.detail = std::string(100'000, 'x');
  EXPECT_LT(auditLine(r, when).size(), 1000u);
}

TEST(AuditLog, AppendsLines) {
  auto file =
      std::filesystem::temp_directory_path() / ("portcullis-audit-" + web::randomToken(6) + ".log");
  AuditLog log(file);
  ASSERT_TRUE(log.append({"web:admin", "127.0.0.1", "login", "", true, ""}));
  ASSERT_TRUE(log.append({"web:admin", "127.0.0.1", "release", "ABC", true, "queued as DEF"}));
  std::ifstream in(file);
  std::stringstream read;
  read << in.rdbuf();
  std::string text = read.str();
  EXPECT_NE(text.find("action=\"login\""), std::string::npos);
  EXPECT_NE(text.find("action=\"release\" id=\"ABC\" result=ok detail=\"queued as DEF\"\n"),
            std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  std::filesystem::remove(file);
  EXPECT_FALSE(AuditLog("/nonexistent-dir/audit.log").append({}));
}

}  // namespace
}  // namespace portcullis::quarantine
