#include "filters/content/rule_parser.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "filters/content/regex_literal.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

// First whitespace-separated word of `s`; `s` is advanced past it and the following space.
std::string_view nextWord(std::string_view& s) {
  s = trimAsciiSpace(s);
  size_t end = 0;
  while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end]))) ++end;
  std::string_view word = s.substr(0, end);
  s = trimAsciiSpace(s.substr(end));
  return word;
}

// SpamAssassin's comment rule: an unescaped '#' ends the line, `\#` stands for '#'.
std::string stripComment(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] != '\\')) break;
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '#') continue;
    out += line[i];
  }
  return out;
}

bool validRuleName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool parseNumber(std::string_view text, double& out) {
  if (text.empty()) return false;
  std::string s(text);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// The settings eval tests read when they are built (eval/): kept without a warning.
bool readByEvalTests(std::string_view d) {
  static const std::set<std::string_view> kRead = {
      "trusted_networks", "internal_networks", "msa_networks", "clear_trusted_networks",
      "clear_internal_networks", "clear_msa_networks", "originating_ip_headers",
      "clear_originating_ip_headers", "envelope_sender_header",
      // auth_eval.cc and network_eval.cc
      "welcomelist_from_spf", "whitelist_from_spf", "def_welcomelist_from_spf",
      "def_whitelist_from_spf", "welcomelist_auth", "whitelist_auth", "def_welcomelist_auth",
      "def_whitelist_auth", "welcomelist_from_dkim", "whitelist_from_dkim",
      "def_welcomelist_from_dkim", "def_whitelist_from_dkim", "adsp_override",
      "ignore_received_spf_header", "use_newest_received_spf_header", "uridnsbl", "urirhsbl",
      "urirhssub", "uridnssub", "urifullnsrhssub",
      // header_eval.cc, list_eval.cc and freemail_eval.cc
      "unwelcomelist_from", "unwhitelist_from", "unblocklist_from", "unblacklist_from",
      "welcomelist_to", "whitelist_to", "more_spam_to", "all_spam_to", "blocklist_to",
      "blacklist_to", "welcomelist_from_rcvd", "whitelist_from_rcvd", "def_welcomelist_from_rcvd",
      "def_whitelist_from_rcvd", "unwelcomelist_from_rcvd", "unwhitelist_from_rcvd",
      "welcomelist_allows_relays", "whitelist_allows_relays", "delist_uri_host",
      "blocklist_uri_host", "blacklist_uri_host", "welcomelist_uri_host", "whitelist_uri_host",
      "welcomelist_subject", "whitelist_subject", "blocklist_subject", "blacklist_subject",
      "freemail_welcomelist", "freemail_whitelist", "freemail_max_body_emails",
      "freemail_max_body_freemails", "freemail_skip_when_over_max", "freemail_skip_bulk_envfrom",
      "freemail_add_describe_email", "freemail_import_welcomelist_auth",
      "freemail_import_whitelist_auth", "freemail_import_def_welcomelist_auth",
      "freemail_import_def_whitelist_auth", "welcomelist_from", "whitelist_from", "blocklist_from",
      "blacklist_from", "enlist_addrlist", "enlist_uri_host", "welcomelist_bounce_relays",
      "whitelist_bounce_relays", "freemail_domains", "util_rb_tld", "util_rb_2tld", "util_rb_3tld",
      "clear_util_rb", "ok_locales"};
  return kRead.count(d) > 0;
}

// Directives of SpamAssassin's configuration that do not define or change rules: those eval tests
// read (readByEvalTests), and the rest (admin, DNS, Bayes, reporting), left alone with a warning.
bool isKnownSetting(std::string_view d) {
  // The settings left alone.
  static const std::set<std::string_view> kSettings = {"require_version",
                                                       "version_tag",
                                                       "report",
                                                       "clear_report_template",
                                                       "unsafe_report",
                                                       "clear_unsafe_report_template",
                                                       "report_contact",
                                                       "report_safe",
                                                       "add_header",
                                                       "remove_header",
                                                       "clear_headers",
                                                       "required_score",
                                                       "required_hits",
                                                       "ok_languages",
                                                       "reuse",
                                                       "test",
                                                       "url_shortener",
                                                       "url_shortener_get",
                                                       "uridnsbl_skip_domain",
                                                       "askdns",
                                                       "dns_block_rule",
                                                       "dns_local_ports_avoid",
                                                       "redirector_pattern",
                                                       "bayes_ignore_header",
                                                       "fns_ignore_headers",
                                                       "fns_ignore_dkim",
                                                       "fns_check",
                                                       "shortcircuit",
                                                       "use_bayes",
                                                       "skip_rbl_checks",
                                                       "dns_available",
                                                       "hashbl_acl_freemail",
                                                       "dkim_minimum_key_bits",
                                                       "enable_compat",
                                                       "hashbl_ignore"};
  return kSettings.count(d) > 0 || readByEvalTests(d) || d.rfind("bayes_", 0) == 0 ||
         d.rfind("dns_", 0) == 0 || d.rfind("txrep_", 0) == 0 || d.rfind("auto_", 0) == 0;
}

}  // namespace

bool parseEvalCall(std::string_view text, std::string& name, std::vector<std::string>& args) {
  text = trimAsciiSpace(text);
  const size_t open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') return false;
  name = std::string(trimAsciiSpace(text.substr(0, open)));
  if (!validRuleName(name)) return false;
  std::string_view inner = text.substr(open + 1, text.size() - open - 2);
  args.clear();
  size_t i = 0;
  while (true) {
    while (i < inner.size() && std::isspace(static_cast<unsigned char>(inner[i]))) ++i;
    if (i >= inner.size()) break;
    std::string arg;
    if (inner[i] == '\'' || inner[i] == '"') {
      const char quote = inner[i++];
      const size_t close = inner.find(quote, i);
      if (close == std::string_view::npos) return false;
      arg = std::string(inner.substr(i, close - i));
      i = close + 1;
    } else {
      const size_t comma = inner.find(',', i);
      arg = std::string(trimAsciiSpace(
          inner.substr(i, comma == std::string_view::npos ? inner.npos : comma - i)));
      i = comma == std::string_view::npos ? inner.size() : comma;
    }
    args.push_back(std::move(arg));
    while (i < inner.size() && std::isspace(static_cast<unsigned char>(inner[i]))) ++i;
    if (i >= inner.size()) break;
    if (inner[i] != ',') return false;
    ++i;
  }
  return true;
}

RuleParser::RuleParser(ParseOptions options) : options_(std::move(options)) {}

void RuleParser::error(const SourceLocation& where, std::string message) {
  set_.diagnostics.push_back({Severity::Error, where, std::move(message)});
}

void RuleParser::warning(const SourceLocation& where, std::string message) {
  set_.diagnostics.push_back({Severity::Warning, where, std::move(message)});
}

void RuleParser::addPath(const std::filesystem::path& path) {
  parseFile(path, 0);
}

void RuleParser::addText(std::string_view text, const std::string& file_name) {
  set_.files.push_back(file_name);
  parseLines(text, file_name, 0);
}

void RuleParser::parseFile(const std::filesystem::path& path, int depth) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".cf")
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) parseFile(f, depth);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error({path.string(), 0}, "cannot read rule file");
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  set_.files.push_back(path.string());
  parseLines(text.str(), path.string(), depth);
}

void RuleParser::parseLines(std::string_view text, const std::string& file, int depth) {
  const size_t open_at_start = conditionals_.size();
  int line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line_number;
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    const std::string stripped = stripComment(line);
    const std::string_view content = trimAsciiSpace(stripped);
    if (content.empty()) continue;
    parseLine(content, {file, line_number}, depth);
  }
  if (conditionals_.size() > open_at_start) {
    error({file, line_number}, "missing endif at end of file");
    conditionals_.resize(open_at_start);
  }
}

// Every directive this parser acts on, by its lower-case name. Conditionals are kept even inside
// inactive branches so that nesting stays balanced; everything else runs only in active ones.
const std::map<std::string_view, RuleParser::DirectiveEntry>& RuleParser::directiveTable() {
  static const std::map<std::string_view, DirectiveEntry> kTable = {
      {"ifplugin", {&RuleParser::onIfPlugin, true}},
      {"if", {&RuleParser::onIf, true}},
      {"else", {&RuleParser::onElse, true}},
      {"endif", {&RuleParser::onEndif, true}},
      {"lang", {&RuleParser::onLang, false}},
      {"include", {&RuleParser::onInclude, false}},
      {"loadplugin", {&RuleParser::onLoadPlugin, false}},
      {"tryplugin", {&RuleParser::onLoadPlugin, false}},
      {"header", {&RuleParser::onRuleDefinition, false}},
      {"body", {&RuleParser::onRuleDefinition, false}},
      {"rawbody", {&RuleParser::onRuleDefinition, false}},
      {"full", {&RuleParser::onRuleDefinition, false}},
      {"uri", {&RuleParser::onRuleDefinition, false}},
      {"mimeheader", {&RuleParser::onRuleDefinition, false}},
      {"meta", {&RuleParser::onRuleDefinition, false}},
      {"score", {&RuleParser::onScore, false}},
      {"describe", {&RuleParser::onDescribe, false}},
      {"tflags", {&RuleParser::onTflags, false}},
      {"priority", {&RuleParser::onPriority, false}},
      {"replace_rules", {&RuleParser::onReplaceRules, false}},
      {"replace_tag", {&RuleParser::onReplaceTable, false}},
      {"replace_pre", {&RuleParser::onReplaceTable, false}},
      {"replace_inter", {&RuleParser::onReplaceTable, false}},
      {"replace_post", {&RuleParser::onReplaceTable, false}},
      {"replace_start", {&RuleParser::onReplaceDelimiter, false}},
      {"replace_end", {&RuleParser::onReplaceDelimiter, false}},
  };
  return kTable;
}

void RuleParser::parseLine(std::string_view line, const SourceLocation& where, int depth) {
  std::string_view rest = line;
  std::string name(nextWord(rest));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  Directive directive{name, rest, where, depth};
  const auto& table = directiveTable();
  if (auto entry = table.find(name); entry != table.end()) {
    if (entry->second.runs_when_inactive || active()) (this->*entry->second.handler)(directive);
    return;
  }
  if (active()) onOtherDirective(directive);
}

void RuleParser::onIfPlugin(Directive& d) {
  const bool value = options_.conditions.plugins.count(std::string(nextWord(d.rest))) > 0;
  openConditional(value);
}

void RuleParser::onIf(Directive& d) {
  bool value = false;
  auto result = evaluateCondition(d.rest, options_.conditions);
  if (!result) {
    if (active()) error(d.where, "bad condition '" + std::string(d.rest) + "': " + result.error);
  } else {
    value = *result;
  }
  openConditional(value);
}

void RuleParser::openConditional(bool value) {
  const bool parent = active();
  conditionals_.push_back({parent && value, parent});
}

void RuleParser::onElse(Directive& d) {
  if (conditionals_.empty() || conditionals_.back().seen_else) {
    error(d.where, "else without if");
    return;
  }
  auto& c = conditionals_.back();
  c.seen_else = true;
  c.active = c.parent_active && !c.active;
}

void RuleParser::onEndif(Directive& d) {
  if (conditionals_.empty()) {
    error(d.where, "endif without if");
    return;
  }
  conditionals_.pop_back();
}

void RuleParser::onLang(Directive& d) {
  const std::string_view language = nextWord(d.rest);
  if (language != options_.language) return;
  if (d.rest.empty()) {
    error(d.where, "lang needs a directive");
    return;
  }
  parseLine(d.rest, d.where, d.depth);
}

void RuleParser::onInclude(Directive& d) {
  if (!options_.follow_includes) {
    warning(d.where, "include ignored");
    return;
  }
  if (d.depth >= options_.max_include_depth) {
    error(d.where, "include nested too deeply");
    return;
  }
  std::filesystem::path target(std::string(trimAsciiSpace(d.rest)));
  if (target.is_relative()) target = std::filesystem::path(d.where.file).parent_path() / target;
  std::error_code ec;
  if (!std::filesystem::exists(target, ec)) {
    error(d.where, "included file not found: " + target.string());
    return;
  }
  parseFile(target, d.depth + 1);
}

void RuleParser::onLoadPlugin(Directive& d) {
  options_.conditions.plugins.insert(std::string(nextWord(d.rest)));
}

void RuleParser::onRuleDefinition(Directive& d) {
  static const std::map<std::string_view, RuleType> kRuleTypes = {
      {"header", RuleType::Header}, {"body", RuleType::Body}, {"rawbody", RuleType::RawBody},
      {"full", RuleType::Full},     {"uri", RuleType::Uri},   {"mimeheader", RuleType::MimeHeader},
      {"meta", RuleType::Meta}};
  Rule rule;
  rule.name = std::string(nextWord(d.rest));
  rule.type = kRuleTypes.at(d.name);
  rule.where = d.where;
  if (!validRuleName(rule.name)) {
    error(d.where, "invalid rule name '" + rule.name + "'");
    return;
  }
  if (d.rest.empty()) {
    error(d.where, d.name + " " + rule.name + " has no definition");
    return;
  }
  bool ok = true;
  switch (rule.type) {
    case RuleType::Header:
    case RuleType::MimeHeader:
      ok = parseHeaderRule(rule, d.rest, d.where);
      break;
    case RuleType::Meta:
      rule.meta_expression = std::string(d.rest);
      break;
    default:
      ok = parseRegexOrEval(rule, d.rest, d.where);
      break;
  }
  if (!ok) return;
  defineRule(std::move(rule));
}

bool RuleParser::takeRuleName(Directive& d, std::string& name) {
  name = std::string(nextWord(d.rest));
  if (validRuleName(name)) return true;
  error(d.where, d.name + ": invalid rule name '" + name + "'");
  return false;
}

void RuleParser::onScore(Directive& d) {
  std::string name;
  if (!takeRuleName(d, name)) return;
  std::vector<double> values;
  for (std::string_view more = d.rest; !more.empty();) {
    double v = 0;
    const std::string_view word = nextWord(more);
    if (!parseNumber(word, v)) {
      error(d.where, "score " + name + ": '" + std::string(word) + "' is not a number");
      return;
    }
    values.push_back(v);
  }
  if (values.size() == 1) {
    scores_[name] = {values[0], values[0], values[0], values[0]};
  } else if (values.size() == 4) {
    scores_[name] = {values[0], values[1], values[2], values[3]};
  } else {
    error(d.where, "score " + name + " needs one or four values");
  }
}

void RuleParser::onDescribe(Directive& d) {
  std::string name;
  if (!takeRuleName(d, name)) return;
  descriptions_[name] = std::string(d.rest);
}

void RuleParser::onTflags(Directive& d) {
  std::string name;
  if (!takeRuleName(d, name)) return;
  std::vector<std::string> flags;
  for (std::string_view more = d.rest; !more.empty();) flags.emplace_back(nextWord(more));
  tflags_[name] = std::move(flags);
}

void RuleParser::onPriority(Directive& d) {
  std::string name;
  if (!takeRuleName(d, name)) return;
  double v = 0;
  if (!parseNumber(d.rest, v)) {
    error(d.where, "priority " + name + ": '" + std::string(d.rest) + "' is not a number");
    return;
  }
  priorities_[name] = static_cast<int>(v);
}

void RuleParser::onReplaceRules(Directive& d) {
  replace_rules_.insert(std::string(nextWord(d.rest)));
  while (!d.rest.empty()) replace_rules_.insert(std::string(nextWord(d.rest)));
}

void RuleParser::onReplaceTable(Directive& d) {
  const std::string name(nextWord(d.rest));
  if (name.empty() || d.rest.empty()) {
    error(d.where, d.name + " needs a name and a value");
    return;
  }
  auto& table = d.name == "replace_tag"     ? replace_.tags
                : d.name == "replace_pre"   ? replace_.pre
                : d.name == "replace_inter" ? replace_.inter
                                            : replace_.post;
  table[name] = std::string(d.rest);
}

void RuleParser::onReplaceDelimiter(Directive& d) {
  (d.name == "replace_start" ? replace_.start : replace_.end) = std::string(trimAsciiSpace(d.rest));
}

void RuleParser::onOtherDirective(Directive& d) {
  if (isKnownSetting(d.name)) {
    set_.settings.push_back({d.name, std::string(trimAsciiSpace(d.rest)), d.where});
    if (!readByEvalTests(d.name))
      warning(d.where, "setting '" + d.name + "' is not used by this engine");
    return;
  }
  warning(d.where, "unsupported directive '" + d.name + "'");
}

bool RuleParser::parseRegexOrEval(Rule& rule, std::string_view rest, const SourceLocation& where) {
  rest = trimAsciiSpace(rest);
  if (rest.rfind("eval:", 0) == 0) {
    rule.is_eval = true;
    if (!parseEvalCall(rest.substr(5), rule.eval_call, rule.eval_args)) {
      error(where, rule.name + ": malformed eval call '" + std::string(rest) + "'");
      return false;
    }
    return true;
  }
  auto parsed = parseRegexLiteral(rest);
  if (!parsed) {
    error(where, rule.name + ": " + parsed.error);
    return false;
  }
  rule.regex = std::move(*parsed);
  return true;
}

bool RuleParser::parseHeaderRule(Rule& rule, std::string_view rest, const SourceLocation& where) {
  rest = trimAsciiSpace(rest);
  if (rest.rfind("eval:", 0) == 0) return parseRegexOrEval(rule, rest, where);
  if (rest.rfind("exists:", 0) == 0) {
    rule.exists_test = true;
    rule.header = std::string(trimAsciiSpace(rest.substr(7)));
    if (rule.header.empty()) {
      error(where, rule.name + ": exists: needs a header name");
      return false;
    }
    return true;
  }
  // [if-unset: STRING] at the end of the line.
  if (const size_t tag = rest.rfind("[if-unset:");
      tag != std::string_view::npos && rest.back() == ']') {
    rule.if_unset = std::string(trimAsciiSpace(rest.substr(tag + 10, rest.size() - tag - 11)));
    rest = trimAsciiSpace(rest.substr(0, tag));
  }
  std::string_view header = nextWord(rest);
  // The operator may be glued to the header name ("Subject=~").
  size_t op = header.find("=~");
  if (op == std::string_view::npos) op = header.find("!~");
  std::string_view operator_text;
  if (op != std::string_view::npos) {
    operator_text = header.substr(op, 2);
    rest = trimAsciiSpace(std::string_view(header.data() + op + 2,
                                           rest.data() + rest.size() - (header.data() + op + 2)));
    header = header.substr(0, op);
  } else {
    if (rest.size() < 2 || (rest.substr(0, 2) != "=~" && rest.substr(0, 2) != "!~")) {
      error(where, rule.name + ": expected =~ or !~ after the header name");
      return false;
    }
    operator_text = rest.substr(0, 2);
    rest = trimAsciiSpace(rest.substr(2));
  }
  rule.negated = operator_text == "!~";
  // Header name and modifiers: Name[:raw|:addr|:name].
  std::string_view name = header;
  std::vector<std::string_view> modifiers;
  if (const size_t colon = header.find(':'); colon != std::string_view::npos) {
    name = header.substr(0, colon);
    std::string_view mods = header.substr(colon + 1);
    while (!mods.empty()) {
      const size_t next = mods.find(':');
      modifiers.push_back(mods.substr(0, next));
      mods = next == std::string_view::npos ? std::string_view() : mods.substr(next + 1);
    }
  }
  rule.header = std::string(name);
  for (std::string_view m : modifiers) {
    if (m == "raw") {
      rule.header_form = HeaderForm::Raw;
    } else if (m == "addr") {
      rule.header_form = HeaderForm::Addr;
    } else if (m == "name") {
      rule.header_form = HeaderForm::Name;
    } else {
      // Kept as a rule so that `rules check` lists it as disabled with the reason.
      rule.unsupported = "header modifier :" + std::string(m) + " is not supported";
    }
  }
  if (rule.header.empty()) {
    error(where, rule.name + ": missing header name");
    return false;
  }
  if (!parseRegexOrEval(rule, rest, where)) return false;
  if (rule.is_eval) {
    error(where, rule.name + ": eval: cannot follow a header name");
    return false;
  }
  return true;
}

void RuleParser::defineRule(Rule rule) {
  if (auto existing = index_.find(rule.name); existing != index_.end()) {
    set_.rules[existing->second] = std::move(rule);
    return;
  }
  index_[rule.name] = set_.rules.size();
  set_.rules.push_back(std::move(rule));
}

// Mail::SpamAssassin::Plugin::ReplaceTags: `<pre P>`, `<inter I>`, `<post P>` choose the text
// placed before each tag, between two adjacent tags (and before a tag that starts the pattern)
// and after each tag; `<NAME>` is replaced by the tag's value. Tags inside tag values are then
// replaced too, plainly, in up to five more passes, as the plugin does. Unknown `<...>` text is
// left as it is.
std::string RuleParser::applyReplaceTags(const std::string& pattern) const {
  const std::string& open = replace_.start;
  const std::string& close = replace_.end;
  std::string re = pattern;
  std::string pre, inter, post;
  auto takeDirective = [&](const std::string& kind, const std::map<std::string, std::string>& table,
                           std::string& out) {
    const std::string head = open + kind + " ";
    for (size_t at = re.find(head); at != std::string::npos; at = re.find(head)) {
      const size_t stop = re.find(close, at + head.size());
      if (stop == std::string::npos) return;
      const std::string name = re.substr(at + head.size(), stop - at - head.size());
      if (auto it = table.find(name); it != table.end()) out = it->second;
      re.erase(at, stop + close.size() - at);
    }
  };
  takeDirective("pre", replace_.pre, pre);
  takeDirective("inter", replace_.inter, inter);
  takeDirective("post", replace_.post, post);

  // One pass: every known tag replaced, with the pre, inter and post texts around it.
  const auto pass = [&](const std::string& in, bool& replaced) {
    std::string out;
    bool previous_was_tag = true;  // a tag at the very start gets the inter text too
    size_t i = 0;
    while (i < in.size()) {
      if (in.compare(i, open.size(), open) == 0) {
        const size_t stop = in.find(close, i + open.size());
        if (stop != std::string::npos) {
          const std::string name = in.substr(i + open.size(), stop - i - open.size());
          if (auto it = replace_.tags.find(name); it != replace_.tags.end()) {
            if (previous_was_tag) out += inter;
            out += pre + it->second + post;
            previous_was_tag = true;
            replaced = true;
            i = stop + close.size();
            continue;
          }
        }
      }
      out += in[i++];
      previous_was_tag = false;
    }
    return out;
  };
  constexpr int kNestedPasses = 5;
  bool replaced = false;
  std::string out = pass(re, replaced);
  pre.clear();
  inter.clear();
  post.clear();
  for (int n = 0; n < kNestedPasses && replaced; ++n) {
    replaced = false;
    out = pass(out, replaced);
  }
  return out;
}

RuleSet RuleParser::finish() {
  for (auto& rule : set_.rules) {
    if (auto it = scores_.find(rule.name); it != scores_.end()) rule.scores = it->second;
    if (auto it = descriptions_.find(rule.name); it != descriptions_.end())
      rule.description = it->second;
    if (auto it = priorities_.find(rule.name); it != priorities_.end()) rule.priority = it->second;
    if (auto it = tflags_.find(rule.name); it != tflags_.end()) {
      rule.tflags = it->second;
      for (const auto& flag : rule.tflags) {
        if (flag == "multiple") rule.tflag_multiple = true;
        if (flag.rfind("maxhits=", 0) == 0) rule.maxhits = std::atoi(flag.c_str() + 8);
      }
    }
    if (replace_rules_.count(rule.name) && !rule.regex.pattern.empty()) {
      rule.replace_tags = true;
      rule.regex.pattern = applyReplaceTags(rule.regex.pattern);
    }
  }
  return std::move(set_);
}

RuleSet loadRules(const std::vector<std::filesystem::path>& paths, const ParseOptions& options) {
  RuleParser parser(options);
  for (const auto& p : paths) parser.addPath(p);
  return parser.finish();
}

}  // namespace portcullis::content
