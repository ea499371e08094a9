// Every message of the shared MIME test data and of the SpamAssassin corpus development groups
// parses, within the default limits, into a consistent tree (no crash, no error, no broken index).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/mime/message.h"

namespace portcullis::mime {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Structural promises every parse keeps, whatever the input.
void expectConsistent(const Message& m, const std::string& name) {
  SCOPED_TRACE(name);
  ASSERT_FALSE(m.parts().empty());
  EXPECT_EQ(m.parts()[0].parent, -1);
  for (size_t i = 0; i < m.parts().size(); ++i) {
    const Part& part = m.parts()[i];
    for (int child : part.children) {
      ASSERT_GT(child, static_cast<int>(i));
      ASSERT_LT(child, static_cast<int>(m.parts().size()));
      EXPECT_EQ(m.parts()[child].parent, static_cast<int>(i));
      EXPECT_EQ(m.parts()[child].depth, part.depth + 1);
    }
  }
  for (const Attachment& a : m.attachments()) {
    ASSERT_GE(a.part, 0);
    ASSERT_LT(a.part, static_cast<int>(m.parts().size()));
    EXPECT_EQ(m.content(a).size(), a.size);
  }
  Limits defaults;
  EXPECT_LE(m.uris().size(), defaults.max_uris);
}

std::vector<fs::path> messagesUnder(const fs::path& dir, std::string_view skip_extension) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (name == "PROVENANCE.txt" || name == "LICENSE.txt" || name.starts_with("README")) continue;
    if (!skip_extension.empty() && entry.path().extension() == skip_extension) continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(MimeCorpus, EverySharedTestMessageParses) {
  fs::path dir = fs::path(PORTCULLIS_SHARED_DIR) / "testdata" / "mime";
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing";
  std::vector<fs::path> files = messagesUnder(dir, {});
  EXPECT_GT(files.size(), 100u);
  for (const fs::path& file : files) {
    std::string raw = readFile(file);
    Message m = Message::parse(raw);
    expectConsistent(m, file.string());
  }
}

TEST(MimeCorpus, EveryDevelopmentCorpusMessageParses) {
  fs::path corpus = fs::path(PORTCULLIS_BINARY_DIR) / "corpus";
  for (const char* group : {"easy-ham-1", "spam-1"}) {
    fs::path dir = corpus / group;
    ASSERT_TRUE(fs::is_directory(dir))
        << dir << " is missing: fetch the corpus with `bash tests/support/fetch-corpus.sh "
        << corpus.string() << "` (from the repository root)";
    std::vector<fs::path> files = messagesUnder(dir, ".json");
    EXPECT_GE(files.size(), 500u) << dir;
    size_t with_text = 0;
    for (const fs::path& file : files) {
      std::string raw = readFile(file);
      Message m = Message::parse(raw);
      expectConsistent(m, file.string());
      if (m.bodyText().size() > 1) ++with_text;
    }
    // Nearly every corpus message has a readable body.
    EXPECT_GT(with_text, files.size() * 95 / 100) << dir;
  }
}

}  // namespace
}  // namespace portcullis::mime
