#include "gateway/spool/state_file.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/temp_dir.h"

namespace portcullis::spool {
namespace {

constexpr std::string_view kMagic = "PORTCULLIS-TEST 1";

Result<bool> readInto(const std::string& path, std::map<std::string, std::string>& fields) {
  return readStateFile(path, kMagic, [&fields](const std::string& key, const std::string& value) {
    if (key == "unexpected") return false;
    fields[key] = value;
    return true;
  });
}

TEST(StateFileTest, AMissingFileIsNotAnError) {
  test::TempDir dir;
  std::map<std::string, std::string> fields;
  auto read = readInto((dir / "absent").string(), fields);
  ASSERT_TRUE(read) << read.error;
  EXPECT_FALSE(*read);
  EXPECT_TRUE(fields.empty());
}

TEST(StateFileTest, WrittenFieldsReadBackInOrder) {
  test::TempDir dir;
  auto written = writeStateFile(dir.path().string(), "state", kMagic, [](RecordWriter& writer) {
    writer.field("name", "value with spaces");
    writer.number("count", 42);
  });
  ASSERT_TRUE(written) << written.error;
  std::map<std::string, std::string> fields;
  auto read = readInto((dir / "state").string(), fields);
  ASSERT_TRUE(read) << read.error;
  EXPECT_TRUE(*read);
  EXPECT_EQ(fields["name"], "value with spaces");
  EXPECT_EQ(fields["count"], "42");
}

TEST(StateFileTest, AnUnexpectedFieldNamesTheFileAndLine) {
  test::TempDir dir;
  ASSERT_TRUE(writeStateFile(dir.path().string(), "state", kMagic, [](RecordWriter& writer) {
    writer.field("fine", "1");
    writer.field("unexpected", "2");
  }));
  std::map<std::string, std::string> fields;
  const std::string path = (dir / "state").string();
  auto read = readInto(path, fields);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error, path + ": line 3: unexpected 'unexpected' field");
}

TEST(StateFileTest, AnotherMagicOrADamagedFileIsAnError) {
  test::TempDir dir;
  ASSERT_TRUE(writeStateFile(dir.path().string(), "other", "PORTCULLIS-OTHER 1",
                             [](RecordWriter& writer) { writer.field("a", "b"); }));
  std::map<std::string, std::string> fields;
  auto other = readInto((dir / "other").string(), fields);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error.rfind((dir / "other").string() + ": ", 0), 0u) << other.error;

  test::writeFile(dir / "damaged", "PORTCULLIS-TEST 1\nsha256 00\n");
  auto damaged = readInto((dir / "damaged").string(), fields);
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error.rfind((dir / "damaged").string() + ": ", 0), 0u) << damaged.error;
}

}  // namespace
}  // namespace portcullis::spool
