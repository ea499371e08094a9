// The shipped signatures through the running gateway: EICAR and every file of Debian's
// clamav-testfiles package, each sent as a base64 MIME attachment, are refused at the end of DATA
// with the clamav check's default reply (554 5.7.0 naming the signature), and nothing of them
// reaches the internal MTA. One gateway serves the whole suite.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "tests/integration/virus/virus_gateway.h"
#include "tests/unit/clamav/test_support.h"

namespace portcullis::test {
namespace {

namespace clamav_testing = portcullis::clamav::testing;

struct InfectedFile {
  std::string name;
  std::filesystem::path path;  // empty: the EICAR test file, built in memory
  friend std::ostream& operator<<(std::ostream& out, const InfectedFile& f) {
    return out << f.name;
  }
};

// clamav-testfiles 1.4 installs 44 files; fewer means the package is missing or changed.
constexpr size_t kTestFilesInPackage = 44;

std::vector<InfectedFile> infectedFiles() {
  std::vector<InfectedFile> files{{"eicar.com", {}}};
  std::error_code ec;
  for (std::filesystem::directory_iterator it(clamav_testing::kTestFiles, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) files.push_back({it->path().filename().string(), it->path()});
  }
  std::sort(files.begin() + 1, files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return files;
}

bool isShippedSignature(const std::string& name) {
  for (const char* shipped : {"Portcullis.Test.EICAR", "Portcullis.Test.ClamExe.Code",
                              "Portcullis.Test.ClamExe.MD5", "Portcullis.Test.ClamExe.PE"}) {
    if (name == std::string(shipped) + ".UNOFFICIAL") return true;
  }
  return false;
}

// The signature a "554 5.7.0 Message rejected: virus found: NAME" reply names.
std::string namedSignature(const std::string& reply) {
  static constexpr std::string_view kPrefix = "virus found: ";
  auto at = reply.find(kPrefix);
  if (at == std::string::npos) return {};
  auto start = at + kPrefix.size();
  auto end = reply.find_first_of(" \r\n", start);
  return reply.substr(start, end - start);
}

class InfectedAttachment : public ::testing::TestWithParam<InfectedFile> {
 protected:
  static void SetUpTestSuite() {
    GatewaySettings settings;
    settings.extra = clamavTable();
    try {
      env_ = std::make_unique<VirusGateway>(std::move(settings));
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() { env_.reset(); }
  void SetUp() override { ASSERT_TRUE(env_) << start_error_; }

  static std::unique_ptr<VirusGateway> env_;
  static std::string start_error_;
};

std::unique_ptr<VirusGateway> InfectedAttachment::env_;
std::string InfectedAttachment::start_error_;

TEST(ClamavTestFiles, PackageIsInstalled) {
  EXPECT_EQ(infectedFiles().size(), 1 + kTestFilesInPackage)
      << clamav_testing::kTestFiles << " is missing or changed: install clamav-testfiles "
      << "(deploy/install-deps.sh)";
}

TEST_P(InfectedAttachment, RefusedWith554NamingTheSignatureAndNotRelayed) {
  const InfectedFile& file = GetParam();
  std::string content =
      file.path.empty() ? clamav_testing::eicar() : clamav_testing::readFile(file.path);
  ASSERT_FALSE(content.empty()) << file.path;
  size_t recorded = env_->recorder.count();

  SmtpReply reply = sendMessage(env_->gateway.port(),
                                clamav_testing::mimeMessageWithAttachment(file.name, content));
  EXPECT_EQ(reply.code, 554) << reply.text << env_->gateway.log();
  EXPECT_EQ(reply.text.rfind("554 5.7.0 ", 0), 0u) << reply.text;
  std::string signature = namedSignature(reply.text);
  EXPECT_TRUE(isShippedSignature(signature)) << reply.text;
  if (file.path.empty()) {
    EXPECT_EQ(signature, "Portcullis.Test.EICAR.UNOFFICIAL");
  }

  // The clean message after it arrives; the infected one never does.
  ASSERT_TRUE(sendSentinelAndWait(*env_, recorded + 1)) << env_->gateway.log();
  EXPECT_EQ(nonSentinelCount(env_->recorder), 0u);
}

INSTANTIATE_TEST_SUITE_P(ShippedSignatures, InfectedAttachment,
                         ::testing::ValuesIn(infectedFiles()), [](const auto& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace portcullis::test
