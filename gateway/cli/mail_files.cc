#include "gateway/cli/mail_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace portcullis::cli {

namespace fs = std::filesystem;

std::vector<fs::path> mailFiles(const std::vector<std::string>& paths,
                                std::vector<std::string>& errors) {
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file()) found.push_back(it->path());
      }
      if (ec) errors.push_back(fmt::format("{}: cannot list: {}", p, ec.message()));
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.emplace_back(p);
    } else {
      errors.push_back(fmt::format("{}: no such file or directory", p));
    }
  }
  return files;
}

namespace {

// One message being read: its first line number, its text, and whether it outgrew the limit.
struct Pending {
  std::size_t line = 0;
  std::string raw;
  std::uint64_t size = 0;
  bool started = false;
};

// "Name:" with a name of letters, digits, '-' and '_', as every real header field has.
bool startsWithHeaderField(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  return std::all_of(text.begin(), text.begin() + colon, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace

void forEachMessage(const fs::path& file, std::uint64_t max_message_size,
                    const std::function<void(MailItem&&)>& visit) {
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open()) {
    visit({file.string(), {}, fmt::format("cannot open: {}", std::strerror(errno))});
    return;
  }
  Pending current;
  std::size_t messages = 0;
  bool several = false;
  auto flush = [&](bool last) {
    if (!current.started) return;
    ++messages;
    const std::string where =
        several || !last ? fmt::format("{}:{}", file.string(), current.line) : file.string();
    if (current.size == 0) {
      visit({where, {}, "empty message"});
    } else if (!startsWithHeaderField(current.raw)) {
      visit({where, {}, "not a mail message: it does not start with a header field"});
    } else if (current.size > max_message_size) {
      visit({where,
             {},
             fmt::format("{} bytes, more than limits.max_message_size ({})", current.size,
                         max_message_size)});
    } else {
      visit({where, std::move(current.raw), {}});
    }
    current = Pending{};
  };
  std::string line;
  std::size_t number = 0;
  bool after_empty = true;  // the start of the file counts as following an empty line
  while (std::getline(in, line)) {
    ++number;
    const bool had_newline = !in.eof();
    const bool separator = after_empty && line.starts_with("From ");
    const std::string_view content = std::string_view(line).substr(
        0, line.size() - (!line.empty() && line.back() == '\r' ? 1 : 0));
    after_empty = content.empty();
    if (separator) {
      if (current.started) {
        several = true;
        flush(false);
      }
      current.started = true;
      current.line = number;
      continue;
    }
    if (!current.started) {
      current.started = true;
      current.line = number;
    }
    current.size += line.size() + (had_newline ? 1 : 0);
    if (current.size <= max_message_size) {
      current.raw += line;
      if (had_newline) current.raw += '\n';
    }
  }
  if (in.bad()) {
    visit({file.string(), {}, fmt::format("cannot read: {}", std::strerror(errno))});
    return;
  }
  flush(true);
  if (messages == 0) visit({file.string(), {}, "empty file"});
}

}  // namespace portcullis::cli
