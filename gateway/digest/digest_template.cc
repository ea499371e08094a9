#include "gateway/digest/digest_template.h"

#include <array>
#include <fstream>
#include <sstream>

#include "gateway/config/section.h"

namespace portcullis::digest {

namespace {

constexpr std::string_view kSubjectPrefix = "Subject: ";
constexpr std::array<std::string_view, 6> kDigestNames = {"recipient", "count", "listed",
                                                          "more",      "link",  "expires"};
constexpr std::array<std::string_view, 4> kItemNames = {"sender", "subject", "date", "score"};

bool isName(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

// Calls `on` for each "{name}" in `line` (name of [a-z_]).
template <typename Fn>
void forEachPlaceholder(std::string_view line, Fn on) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '{') continue;
    size_t j = i + 1;
    while (j < line.size() && isName(line[j])) ++j;
    if (j > i + 1 && j < line.size() && line[j] == '}') {
      on(std::string_view(line).substr(i + 1, j - i - 1));
      i = j;
    }
  }
}

template <size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  for (auto n : names) {
    if (n == name) return true;
  }
  return false;
}

// `line` with every known placeholder replaced by its value (unknown ones were refused by load).
std::string substitute(std::string_view line, const Values& a, const Values* b = nullptr) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '{') {
      size_t j = i + 1;
      while (j < line.size() && isName(line[j])) ++j;
      if (j > i + 1 && j < line.size() && line[j] == '}') {
        std::string name(line.substr(i + 1, j - i - 1));
        const Values* found = a.count(name) ? &a : (b && b->count(name)) ? b : nullptr;
        if (found) {
          out += found->at(name);
          i = j + 1;
          continue;
        }
      }
    }
    out += line[i++];
  }
  return out;
}

bool mentions(std::string_view line, std::string_view name) {
  return line.find("{" + std::string(name) + "}") != std::string_view::npos;
}

}  // namespace

DigestTemplate DigestTemplate::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw config::ConfigError(file.string(), 0, "cannot read the digest template");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), file.string());
}

DigestTemplate DigestTemplate::parse(const std::string& text, const std::string& file) {
  DigestTemplate t;
  enum class Part { Subject, Gap, Before, Item, After } part = Part::Subject;
  bool has_link = false;
  int number = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() == '#') continue;
    auto fail = [&](const std::string& message) {
      throw config::ConfigError(file, number, message);
    };
    bool in_item = part == Part::Item;
    forEachPlaceholder(line, [&](std::string_view name) {
      if (name == "each" || name == "end") return;
      if (contains(kDigestNames, name)) return;
      if (contains(kItemNames, name)) {
        if (!in_item) fail("{" + std::string(name) + "} is only known between {each} and {end}");
        return;
      }
      fail("unknown placeholder {" + std::string(name) + "}");
    });
    has_link = has_link || mentions(line, "link");
    switch (part) {
      case Part::Subject:
        if (line.rfind(kSubjectPrefix, 0) != 0) fail("the first line must be \"Subject: ...\"");
        t.subject_ = line.substr(kSubjectPrefix.size());
        part = Part::Gap;
        break;
      case Part::Gap:
        if (!line.empty()) fail("an empty line must follow the Subject line");
        part = Part::Before;
        break;
      case Part::Before:
        if (line == "{end}") fail("{end} without {each}");
        if (line == "{each}") {
          part = Part::Item;
        } else {
          if (mentions(line, "each")) fail("{each} must stand alone on its line");
          t.before_.push_back(line);
        }
        break;
      case Part::Item:
        if (line == "{each}") fail("{each} inside {each}");
        if (line == "{end}") {
          part = Part::After;
        } else {
          if (mentions(line, "end")) fail("{end} must stand alone on its line");
          t.item_.push_back(line);
        }
        break;
      case Part::After:
        if (mentions(line, "each") || mentions(line, "end")) fail("a second {each} or {end}");
        t.after_.push_back(line);
        break;
    }
  }
  if (part == Part::Subject || part == Part::Gap) {
    throw config::ConfigError(file, number, "no Subject line and body");
  }
  if (part != Part::After) throw config::ConfigError(file, number, "{each} ... {end} missing");
  if (!has_link) throw config::ConfigError(file, number, "the template never uses {link}");
  return t;
}

RenderedDigest DigestTemplate::render(const Values& digest,
                                      const std::vector<Values>& items) const {
  bool all_listed = digest.count("more") && digest.at("more") == "0";
  RenderedDigest out;
  out.subject = substitute(subject_, digest);
  auto add = [&](const std::string& line, const Values* item) {
    if (all_listed && mentions(line, "more")) return;
    out.body += substitute(line, digest, item);
    out.body += "\r\n";
  };
  for (const auto& line : before_) add(line, nullptr);
  for (const auto& item : items) {
    for (const auto& line : item_) add(line, &item);
  }
  for (const auto& line : after_) add(line, nullptr);
  return out;
}

}  // namespace portcullis::digest
