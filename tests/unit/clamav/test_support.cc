#include "tests/unit/clamav/test_support.h"

#include <openssl/evp.h>
#include <toml++/toml.h>
#include <zlib.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "filters/clamav/clamav_config.h"
#include "gateway/config/section.h"
#include "tests/unit/attachments/zip_builder.h"

namespace portcullis::clamav::testing {
namespace {

std::string base64Lines(std::string_view data) {
  std::string out;
  constexpr size_t kChunk = 57;  // 76 characters per line
  for (size_t pos = 0; pos < data.size(); pos += kChunk) {
    size_t n = std::min(kChunk, data.size() - pos);
    std::string line(4 * ((n + 2) / 3) + 1, '\0');
    int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(line.data()),
                              reinterpret_cast<const unsigned char*>(data.data() + pos),
                              static_cast<int>(n));
    line.resize(len);
    out += line;
    out += "\r\n";
  }
  return out;
}

}  // namespace

std::string eicar() {
  return R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*)";
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeFile(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), data.size());
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string mimeMessageWithAttachment(std::string_view filename, std::string_view content) {
  std::string m =
      "From: Sender <sender@example.org>\r\n"
      "To: Recipient <recipient@example.net>\r\n"
      "Subject: the file you asked for\r\n"
      "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
      "Message-ID: <attachment-test@example.org>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"=-=boundary=-=\"\r\n"
      "\r\n"
      "--=-=boundary=-=\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n"
      "\r\n"
      "Please find the file attached.\r\n"
      "\r\n"
      "--=-=boundary=-=\r\n";
  m += "Content-Type: application/octet-stream; name=\"" + std::string(filename) + "\"\r\n";
  m += "Content-Transfer-Encoding: base64\r\n";
  m += "Content-Disposition: attachment; filename=\"" + std::string(filename) + "\"\r\n\r\n";
  m += base64Lines(content);
  m += "\r\n--=-=boundary=-=--\r\n";
  return m;
}

std::string storedZip(const std::vector<std::pair<std::string, std::string>>& entries) {
  return portcullis::testing::buildZip(entries);
}

std::string nestedZip(int depth) {
  std::string data = storedZip({{"inner.txt", "the bottom of the archive\n"}});
  for (int level = 1; level < depth; ++level) {
    data = storedZip({{"level" + std::to_string(level) + ".zip", data}});
  }
  return data;
}

std::string gzipOfZeros(size_t size) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buffer[1 << 16];
  size_t remaining = size;
  int flush = Z_NO_FLUSH;
  do {
    size_t n = std::min(remaining, zeros.size());
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = n;
    remaining -= n;
    flush = remaining == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      deflate(&z, flush);
      out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&z);
  return out;
}

std::string encryptedZip() {
  // 12 bytes of encryption header, then "ciphertext".
  return portcullis::testing::buildZip(
      {{"secret.txt", std::string(12, '\x11') + "not really encrypted"}}, {.flags = 1});
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("portcullis-clamav-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void runCheck(const Check& check, const Transaction& tx, Report& report) {
  asio::io_context io;
  std::exception_ptr error;
  asio::co_spawn(io, check.run(tx, report), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

BuiltCheck buildClamavCheck(const std::string& toml_text) {
  toml::table table = toml::parse(toml_text, std::string_view("test.toml"));
  config::Section section(&table, "checks.clamav", "test.toml");
  BuiltCheck built;
  built.workers = std::make_shared<asio::thread_pool>(2);
  CheckDeps deps{*built.workers};
  auto checks = clamavCheckFactory().build(section, deps);
  if (checks.size() != 1) throw std::runtime_error("expected one clamav check");
  built.check = checks.front();
  return built;
}

Transaction transactionWith(std::string message) {
  Transaction tx;
  tx.id = "TESTQUEUEID";
  tx.message = std::move(message);
  return tx;
}

}  // namespace portcullis::clamav::testing
