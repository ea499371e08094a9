// Reading the operators' files under deploy/ in tests: whole files, the metric names they use and
// the PromQL expressions of the Grafana dashboard.
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace portcullis::testing {

inline std::string readSourceFile(const std::string& repository_path) {
  std::ifstream in(std::filesystem::path(PORTCULLIS_SOURCE_DIR) / repository_path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every portcullis_* identifier in `text`.
inline std::set<std::string> metricNames(const std::string& text) {
  static const std::regex name(R"(\bportcullis_[a-z_]+[a-z]\b)");
  std::set<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) {
    names.insert(it->str());
  }
  return names;
}

// The "expr" strings of a Grafana dashboard (at any depth), in document order.
inline void collectExpressions(const boost::json::value& node, std::vector<std::string>& out) {
  if (node.is_array()) {
    for (const auto& item : node.get_array()) collectExpressions(item, out);
  } else if (node.is_object()) {
    for (const auto& member : node.get_object()) {
      if (member.key() == "expr" && member.value().is_string()) {
        out.emplace_back(member.value().get_string());
      } else {
        collectExpressions(member.value(), out);
      }
    }
  }
}

inline std::vector<std::string> dashboardExpressions(const std::string& json) {
  std::vector<std::string> out;
  collectExpressions(boost::json::parse(json), out);
  return out;
}

// Grafana's variables replaced by what they stand for, so that Prometheus can run the query.
inline std::string withGrafanaVariables(std::string expr) {
  for (auto [variable, value] : {std::pair{"$__rate_interval", "1m"}, std::pair{"$__range", "1h"},
                                 std::pair{"$instance", ".*"}}) {
    for (size_t at; (at = expr.find(variable)) != std::string::npos;) {
      expr.replace(at, std::string(variable).size(), value);
    }
  }
  return expr;
}

inline std::string urlEncode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace portcullis::testing
