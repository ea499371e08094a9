// Reads rule files in SpamAssassin's rule language into a RuleSet. Pure: no Hyperscan, no I/O
// beyond reading the files named (and their `include`s), so it can be fuzzed. Follows
// Mail::SpamAssassin::Conf: `#` starts a comment unless escaped, a directory means its *.cf files
// in name order, later definitions of a rule replace earlier ones, `score`/`describe`/`tflags`/
// `priority` may come before or after the rule, `ifplugin`/`if`/`else`/`endif` nest, `lang xx`
// lines apply only to language xx. A syntax error is an Error diagnostic, a directive we do not
// implement is a Warning; both carry file:line.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/condition.h"
#include "filters/content/rule.h"

namespace portcullis::content {

struct ParseOptions {
  ConditionContext conditions = defaultConditionContext();
  std::string language = "en";  // `lang xx` lines for other languages are skipped
  int max_include_depth = 10;
  bool follow_includes = true;  // false for untrusted text (the fuzzer)
};

class RuleParser {
 public:
  explicit RuleParser(ParseOptions options = {});

  // A file, or a directory whose *.cf files are read in name order.
  void addPath(const std::filesystem::path& path);
  // Text as if read from a file called `file_name`.
  void addText(std::string_view text, const std::string& file_name);
  // Applies scores, descriptions, flags and tag replacement; the parser is spent afterwards.
  RuleSet finish();

 private:
  struct Conditional {
    bool active;         // lines in this branch are read
    bool parent_active;  // the enclosing branch was active
    bool seen_else = false;
  };
  struct ReplaceTags {
    std::map<std::string, std::string> tags, pre, inter, post;
    std::string start = "<", end = ">";
  };

  void parseFile(const std::filesystem::path& path, int depth);
  void parseLines(std::string_view text, const std::string& file, int depth);
  // One directive line: its first word in lower case, the text after it (handlers consume it) and
  // where it was read.
  struct Directive {
    const std::string& name;
    std::string_view rest;
    const SourceLocation& where;
    int depth;
  };
  using DirectiveHandler = void (RuleParser::*)(Directive&);
  struct DirectiveEntry {
    DirectiveHandler handler;
    bool runs_when_inactive;  // conditionals, so that nesting stays balanced
  };
  static const std::map<std::string_view, DirectiveEntry>& directiveTable();

  // Looks the directive up in directiveTable(); settings and unknown directives go to
  // onOtherDirective.
  void parseLine(std::string_view line, const SourceLocation& where, int depth);
  void onIfPlugin(Directive& d);
  void onIf(Directive& d);
  void openConditional(bool value);
  void onElse(Directive& d);
  void onEndif(Directive& d);
  void onLang(Directive& d);
  void onInclude(Directive& d);
  void onLoadPlugin(Directive& d);
  void onRuleDefinition(Directive& d);
  // score, describe, tflags, priority: the rule name first, an error when it is not valid.
  bool takeRuleName(Directive& d, std::string& name);
  void onScore(Directive& d);
  void onDescribe(Directive& d);
  void onTflags(Directive& d);
  void onPriority(Directive& d);
  void onReplaceRules(Directive& d);
  void onReplaceTable(Directive& d);
  void onReplaceDelimiter(Directive& d);
  void onOtherDirective(Directive& d);
  bool active() const { return conditionals_.empty() || conditionals_.back().active; }
  void error(const SourceLocation& where, std::string message);
  void warning(const SourceLocation& where, std::string message);
  void defineRule(Rule rule);
  bool parseHeaderRule(Rule& rule, std::string_view rest, const SourceLocation& where);
  bool parseRegexOrEval(Rule& rule, std::string_view rest, const SourceLocation& where);
  std::string applyReplaceTags(const std::string& pattern) const;

  ParseOptions options_;
  RuleSet set_;
  std::map<std::string, size_t> index_;  // rule name -> position in set_.rules
  std::map<std::string, std::array<double, 4>> scores_;
  std::map<std::string, std::string> descriptions_;
  std::map<std::string, std::vector<std::string>> tflags_;
  std::map<std::string, int> priorities_;
  std::set<std::string> replace_rules_;
  ReplaceTags replace_;
  std::vector<Conditional> conditionals_;
  int include_depth_ = 0;
};

// Convenience: every path through one parser.
RuleSet loadRules(const std::vector<std::filesystem::path>& paths,
                  const ParseOptions& options = {});

// Splits `eval:name(args)` into name and unquoted arguments; false when malformed.
bool parseEvalCall(std::string_view text, std::string& name, std::vector<std::string>& args);

}  // namespace portcullis::content
