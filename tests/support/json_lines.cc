#include "tests/support/json_lines.h"

#include <boost/json/parse.hpp>

namespace portcullis::test {

std::vector<boost::json::object> jsonLines(std::string_view output) {
  std::vector<boost::json::object> objects;
  while (!output.empty()) {
    const size_t end = output.find('\n');
    const std::string_view line = output.substr(0, end);
    if (!line.empty() && line.front() == '{')
      objects.push_back(boost::json::parse(line).as_object());
    output.remove_prefix(end == std::string_view::npos ? output.size() : end + 1);
  }
  return objects;
}

std::string_view jsonString(const boost::json::object& object, std::string_view key) {
  const boost::json::value* member = object.if_contains(key);
  if (!member || !member->is_string()) return {};
  const boost::json::string& text = member->get_string();
  return {text.data(), text.size()};
}

}  // namespace portcullis::test
