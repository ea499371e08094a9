#include "tests/integration/auth/dkim_signer.h"

#include <stdexcept>

#include "tests/support/run_command.h"

namespace portcullis::auth_test {

namespace {

constexpr const char* kPython = "/usr/bin/python3";  // sees Debian's python3-dkim
constexpr const char* kTool = PORTCULLIS_SOURCE_DIR "/tests/integration/auth/dkim-tool.py";
constexpr size_t kTxtChunk = 200;  // below the 255-byte limit of one TXT string

test::CommandResult runTool(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv = {kPython, kTool};
  argv.insert(argv.end(), args.begin(), args.end());
  test::CommandResult result = test::runCommand(argv, input);
  if (result.exit_code != 0) {
    throw std::runtime_error("dkim-tool.py " + args.front() + " failed (exit " +
                             std::to_string(result.exit_code) + "): " + result.output);
  }
  return result;
}

}  // namespace

DkimKey makeDkimKey(const std::filesystem::path& dir) {
  DkimKey key;
  key.private_key = dir / "dkim-key.pem";
  key.public_key = runTool({"keygen", key.private_key.string()}).output;
  if (key.public_key.empty()) throw std::runtime_error("dkim-tool.py keygen printed no key");
  return key;
}

std::string dkimKeyRecord(const DkimKey& key, const std::string& domain,
                          const std::string& selector) {
  std::string value = "v=DKIM1; k=rsa; p=" + key.public_key;
  std::string line = "txt-record=" + selector + "._domainkey." + domain;
  for (size_t at = 0; at < value.size(); at += kTxtChunk) {
    line += ",\"" + value.substr(at, kTxtChunk) + "\"";
  }
  return line;
}

std::string dkimSign(const std::string& message, const DkimKey& key, const std::string& domain,
                     const std::string& selector) {
  return runTool({"sign", key.private_key.string(), domain, selector}, message).output;
}

}  // namespace portcullis::auth_test
