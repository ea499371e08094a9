// The JSON objects in a command's output (`portcullis ... --json`, `postqueue -j`): every line
// that starts with '{' is parsed by Boost.JSON, other lines (logging on stderr) are skipped. A
// malformed object line throws, so the test that reads it fails.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

namespace portcullis::test {

std::vector<boost::json::object> jsonLines(std::string_view output);

// The string member `key` of `object`, or "" when it is missing or not a string.
std::string_view jsonString(const boost::json::object& object, std::string_view key);

}  // namespace portcullis::test
