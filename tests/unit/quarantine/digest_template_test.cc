// The language template: parsed once, errors name file:line, values are substituted once.
#include "gateway/digest/digest_template.h"

#include <gtest/gtest.h>

#include "gateway/config/section.h"

namespace portcullis::digest {
namespace {

const std::string kGood =
    "# comment\n"
    "Subject: {count} for {recipient}\n"
    "\n"
    "Hello {recipient},\n"
    "{each}\n"
    "- {sender}: {subject} ({date}, {score})\n"
    "{end}\n"
    "{more} more not listed.\n"
    "Open {link} until {expires}.\n";

std::string templateErrorOf(const std::string& text) {
  try {
    DigestTemplate::parse(text, "t.txt");
  } catch (const config::ConfigError& e) {
    return std::string(e.what());
  }
  return "";
}

TEST(DigestTemplate, RendersDigestAndItems) {
  auto t = DigestTemplate::parse(kGood, "t.txt");
  Values digest = {
      {"recipient", "bob@example.org"}, {"count", "2"},           {"listed", "2"}, {"more", "0"},
      {"link", "https://x/r?a"},        {"expires", "2026-12-14"}};
  std::vector<Values> items = {
      {{"sender", "a@x"}, {"subject", "One {link}"}, {"date", "d1"}, {"score", "5.0"}},
      {{"sender", "b@x"}, {"subject", "Two"}, {"date", "d2"}, {"score", "6.0"}}};
  auto r = t.render(digest, items);
  EXPECT_EQ(r.subject, "2 for bob@example.org");
  // A value holding a placeholder is not expanded again; the {more} line is left out.
  EXPECT_EQ(r.body,
            "Hello bob@example.org,\r\n- a@x: One {link} (d1, 5.0)\r\n- b@x: Two (d2, 6.0)\r\n"
            "Open https://x/r?a until 2026-12-14.\r\n");
  digest["more"] = "3";
  EXPECT_NE(t.render(digest, items).body.find("3 more not listed."), std::string::npos);
}

TEST(DigestTemplate, ErrorsNameFileAndLine) {
  EXPECT_NE(templateErrorOf("Subject: x\n\n{link}\n{each}\n{sendr}\n{end}\n").find("t.txt:5"),
            std::string::npos);
  EXPECT_NE(
      templateErrorOf("Subject: x\n\n{link}\n{each}\n{sendr}\n{end}\n").find("unknown placeholder"),
      std::string::npos);
  EXPECT_NE(templateErrorOf("Subject: x\n\n{link} {subject}\n{each}\n{end}\n").find("t.txt:3"),
            std::string::npos);
  EXPECT_NE(templateErrorOf("Hello\n\n{link}\n{each}\n{end}\n").find("Subject"), std::string::npos);
  EXPECT_NE(templateErrorOf("Subject: x\nbody\n").find("t.txt:2"), std::string::npos);
  EXPECT_NE(templateErrorOf("Subject: x\n\nno link\n{each}\n{end}\n").find("{link}"),
            std::string::npos);
  EXPECT_NE(templateErrorOf("Subject: x\n\n{link}\n").find("{each}"), std::string::npos);
  EXPECT_EQ(templateErrorOf(kGood), "");
  // A brace that is no placeholder is text.
  EXPECT_EQ(templateErrorOf("Subject: {x y}\n\n{link} {}\n{each}\n{end}\n"), "");
}

TEST(DigestTemplate, ShippedTemplatesLoad) {
  for (const char* language : {"en", "de"}) {
    std::string file = std::string(PORTCULLIS_DIGEST_TEMPLATES) + "/" + language + ".txt";
    EXPECT_NO_THROW(DigestTemplate::load(file)) << file;
  }
  EXPECT_THROW(DigestTemplate::load("/nonexistent/xx.txt"), config::ConfigError);
}

}  // namespace
}  // namespace portcullis::digest
