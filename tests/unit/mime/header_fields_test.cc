#include "gateway/mime/header_fields.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

TEST(MimeHeaderSection, SplitsFieldsAndKeepsFolding) {
  std::string_view entity =
      "Subject: hello\r\n world\r\nTo: a@b.example\r\nX-Empty:\r\n\r\nbody\r\n";
  RawHeaderSection section = splitHeaderSection(entity, 100);
  ASSERT_EQ(section.fields.size(), 3u);
  EXPECT_EQ(section.fields[0].name, "Subject");
  EXPECT_EQ(section.fields[0].value, " hello\r\n world");
  EXPECT_EQ(section.fields[1].value, " a@b.example");
  EXPECT_EQ(section.fields[2].value, "");
  EXPECT_EQ(entity.substr(section.body_offset), "body\r\n");
  EXPECT_FALSE(section.malformed);
}

TEST(MimeHeaderSection, LineWithoutColonStartsBody) {
  std::string_view entity = "Subject: x\nthis is body text\nmore\n";
  RawHeaderSection section = splitHeaderSection(entity, 100);
  ASSERT_EQ(section.fields.size(), 1u);
  EXPECT_TRUE(section.malformed);
  EXPECT_EQ(entity.substr(section.body_offset), "this is body text\nmore\n");
}

TEST(MimeHeaderSection, SpaceBeforeColonIsAccepted) {
  RawHeaderSection section = splitHeaderSection("Subject : x\n\n", 100);
  ASSERT_EQ(section.fields.size(), 1u);
  EXPECT_EQ(section.fields[0].name, "Subject");
}

TEST(MimeHeaderSection, NoHeaders) {
  RawHeaderSection section = splitHeaderSection("\nbody", 100);
  EXPECT_TRUE(section.fields.empty());
  EXPECT_EQ(section.body_offset, 1u);
}

TEST(MimeHeaderSection, FieldLimit) {
  RawHeaderSection section = splitHeaderSection("A: 1\nB: 2\n continued\nC: 3\n\nbody", 1);
  ASSERT_EQ(section.fields.size(), 1u);
  EXPECT_TRUE(section.truncated);
  EXPECT_EQ(section.fields[0].value, " 1");
}

TEST(MimeHeaderSection, Unfold) {
  EXPECT_EQ(unfoldHeaderValue(" hello\r\n\tworld \r\n"), "hello\tworld");
  EXPECT_EQ(unfoldHeaderValue("\r\n \t a\r\n b \r\n"), "a b");
  EXPECT_EQ(unfoldHeaderValue(" \r\n "), "");
}

TEST(MimeParameters, ContentType) {
  ParameterizedValue v =
      parseParameterizedValue("Text/HTML; charset=\"UTF-8\" (comment); Boundary=\"a;b\\\"c\"");
  EXPECT_EQ(v.value, "text/html");
  ASSERT_NE(v.param("charset"), nullptr);
  EXPECT_EQ(*v.param("charset"), "UTF-8");
  ASSERT_NE(v.param("boundary"), nullptr);
  EXPECT_EQ(*v.param("boundary"), "a;b\"c");
}

TEST(MimeParameters, Rfc2231ContinuationsAndCharset) {
  ParameterizedValue v = parseParameterizedValue(
      "attachment; filename*1*=%C3%A9.txt; filename*0*=UTF-8'fr'caf; filename=fallback.txt");
  EXPECT_EQ(v.value, "attachment");
  ASSERT_NE(v.param("filename"), nullptr);
  EXPECT_EQ(*v.param("filename"), "caf\xC3\xA9.txt");
}

TEST(MimeParameters, Rfc2231PlainContinuations) {
  ParameterizedValue v =
      parseParameterizedValue("message/external-body; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub\"");
  ASSERT_NE(v.param("url"), nullptr);
  EXPECT_EQ(*v.param("url"), "ftp://cs.utk.edu/pub");
}

TEST(MimeParameters, Rfc2231SingleEncoded) {
  ParameterizedValue v = parseParameterizedValue("attachment; filename*=iso-8859-1''%E9t%E9.doc");
  EXPECT_EQ(*v.param("filename"), "\xC3\xA9t\xC3\xA9.doc");
}

TEST(MimeParameters, Rfc2047InQuotedValue) {
  ParameterizedValue v = parseParameterizedValue("attachment; filename=\"=?utf-8?B?w6kuZG9j?=\"");
  EXPECT_EQ(*v.param("filename"), "\xC3\xA9.doc");
}

TEST(MimeParameters, UnquotedValueWithSpacesAndMissingValue) {
  ParameterizedValue v = parseParameterizedValue("text/plain; name=my file.txt ; junk; x=");
  EXPECT_EQ(*v.param("name"), "my file.txt");
  EXPECT_EQ(v.param("junk"), nullptr);
  ASSERT_NE(v.param("x"), nullptr);
  EXPECT_EQ(*v.param("x"), "");
}

}  // namespace
}  // namespace portcullis::mime
