// A reader for the subset of YAML the openspf conformance suites use: "---" separated documents,
// block mappings and sequences by indentation, "- key: value" items, plain, single- and
// double-quoted scalars (with \x escapes), flow sequences of scalars and block scalars (| and >).
// Written for the test data only; it rejects nothing, it just reads what these files contain.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::testing::yaml {

struct Node {
  enum class Kind { Scalar, Sequence, Mapping } kind = Kind::Scalar;
  std::string scalar;
  std::vector<Node> items;                        // Sequence
  std::vector<std::pair<std::string, Node>> map;  // Mapping, in file order

  const Node* find(std::string_view key) const;
};

std::vector<Node> parseDocuments(std::string_view text);

}  // namespace portcullis::testing::yaml
