// The rule model of the content engine: what a SpamAssassin-language rule file says once parsed.
// A RuleSet is plain data (no compiled state): the parser produces it, the compiler reads it.
// Every rule and diagnostic remembers the file and line it came from.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace portcullis::content {

// What text a rule looks at (Mail::SpamAssassin::Conf "RULE DEFINITIONS").
enum class RuleType { Header, Body, RawBody, Full, Uri, MimeHeader, Meta };

// Whether rules of this type see their text a piece at a time: body and rawbody rules a
// paragraph, uri rules one URI (the rest see their whole text).
inline bool readInPieces(RuleType type) {
  return type == RuleType::Body || type == RuleType::RawBody || type == RuleType::Uri;
}

// How a header rule reads its header (`Name:raw`, `Name:addr`, `Name:name`).
enum class HeaderForm { Decoded, Raw, Addr, Name };

struct SourceLocation {
  std::string file;
  int line = 0;
};

// A regular expression as written in a rule: the pattern between the delimiters and its flags.
struct RuleRegex {
  std::string pattern;
  bool caseless = false;   // i
  bool multiline = false;  // m
  bool dotall = false;     // s
  bool extended = false;   // x
};

struct Rule {
  std::string name;
  RuleType type = RuleType::Body;
  SourceLocation where;

  // Header and mimeheader rules: which header (or ALL, ToCc, MESSAGEID) and how it is read.
  std::string header;
  HeaderForm header_form = HeaderForm::Decoded;
  std::optional<std::string> if_unset;  // text matched when the header is absent
  bool exists_test = false;             // `header R exists:Name`
  bool negated = false;                 // `!~`

  RuleRegex regex;                     // regex rules
  std::string eval_call;               // `eval:name(args)`: the function name...
  std::vector<std::string> eval_args;  // ...and its arguments, unquoted
  bool is_eval = false;
  std::string meta_expression;  // meta rules

  std::optional<std::array<double, 4>> scores;  // from `score`; one value fills all four sets
  std::string description;
  bool tflag_multiple = false;
  int maxhits = 0;  // 0: unlimited (with `multiple`)
  std::vector<std::string> tflags;
  int priority = 0;
  bool replace_tags = false;  // named by `replace_rules`
  std::string unsupported;    // set when the rule was read but uses a feature we lack: why

  // `__` rules are sub-rules: score 0 and never reported.
  bool isSubRule() const { return name.rfind("__", 0) == 0; }
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLocation where;
  std::string message;
};

// A configuration line of a rule file that is not a rule (`freemail_domains ...`,
// `trusted_networks ...`, `welcomelist_from ...`): eval tests read these when they are built.
struct Setting {
  std::string name;   // the directive, lowercased
  std::string value;  // the rest of the line, trimmed
  SourceLocation where;
};

// Everything read from a set of rule files: rules in definition order (a rule defined again
// replaces the earlier one), the settings in the order read, and what went wrong on the way.
struct RuleSet {
  std::vector<Rule> rules;
  std::vector<Setting> settings;
  std::vector<Diagnostic> diagnostics;
  std::vector<std::string> files;  // every file read, in order (for cache keys and reports)

  bool hasErrors() const {
    for (const auto& d : diagnostics)
      if (d.severity == Severity::Error) return true;
    return false;
  }
};

std::string_view toString(RuleType t);

// The score a rule contributes under score set `set` (0-3): its `score` line, else
// SpamAssassin's default (1.0; 0.01 for T_ rules in testing; 0 for `__` sub-rules).
double effectiveScore(const Rule& rule, int set);

}  // namespace portcullis::content
