// FreeMail (Mail::SpamAssassin::Plugin::FreeMail): whether the sender, a header's addresses or
// the addresses in the body belong to free mail providers (freemail_domains, with ? and *
// wildcards inside a label), and whether From, Reply-To and the body name different ones.
#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/header_values.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/registry_boundaries.h"
#include "gateway/base/result.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

// A lowercased domain glob ('?' any one character, '*' any run without a dot) with the literal
// text before its first and after its last wildcard, which must stand at the domain's ends.
struct DomainGlob {
  explicit DomainGlob(std::string glob)
      : pattern(std::move(glob)),
        head(pattern.substr(0, pattern.find_first_of("*?"))),
        tail(pattern.substr(pattern.find_last_of("*?") + 1)) {}
  std::string pattern;
  std::string head;
  std::string tail;
};

// The plugin's configuration, read once per rule set.
struct FreemailConfig {
  std::set<std::string, std::less<>> domains;
  std::vector<DomainGlob> wildcards;
  std::set<std::string, std::less<>> welcome;  // addresses and domains that are never freemail
  std::vector<std::string> imported_welcome;   // welcomelist_auth globs, when imported
  double max_body_emails = 5;
  double max_body_freemails = 3;
  bool skip_when_over_max = true;
  bool skip_bulk_envfrom = true;
  std::shared_ptr<const RegistryBoundaries> boundaries;

  bool available() const { return !domains.empty() || !wildcards.empty(); }
};

bool validDomainEntry(std::string_view entry) {
  return std::all_of(entry.begin(), entry.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '*' || c == '?' || c == '-';
  });
}

// freemail_welcomelist entries need a word character on both sides of a '.' or '@'.
bool validWelcomeEntry(std::string_view entry) {
  for (size_t i = 1; i + 1 < entry.size(); ++i) {
    if ((entry[i] == '.' || entry[i] == '@') && isAsciiWordChar(entry[i - 1]) &&
        isAsciiWordChar(entry[i + 1]))
      return true;
  }
  return false;
}

FreemailConfig readConfig(EvalBuildContext& context) {
  FreemailConfig config;
  auto words = [](std::string_view value) {
    std::vector<std::string> out;
    for (std::string_view word : split(value, ' ')) {
      for (std::string_view piece : split(word, '\t')) {
        if (!piece.empty()) out.push_back(toLower(piece));
      }
    }
    return out;
  };
  auto number = [](std::string_view value, double& out) {
    double parsed = 0;
    if (evalNumber(std::string(trim(value)), parsed)) out = parsed;
  };
  double skip_over = 1, skip_bulk = 1, import_auth = 0, import_def_auth = 0;
  for (const auto& setting : context.settings()) {
    const std::string& name = setting.name;
    if (name == "freemail_domains") {
      for (auto& entry : words(setting.value)) {
        if (!validDomainEntry(entry)) continue;
        if (entry.find_first_of("*?") != std::string::npos) {
          config.wildcards.emplace_back(std::move(entry));
        } else {
          config.domains.insert(std::move(entry));
        }
      }
    } else if (name == "freemail_welcomelist" || name == "freemail_whitelist") {
      for (auto& entry : words(setting.value)) {
        if (validWelcomeEntry(entry)) config.welcome.insert(std::move(entry));
      }
    } else if (name == "freemail_max_body_emails") {
      number(setting.value, config.max_body_emails);
    } else if (name == "freemail_max_body_freemails") {
      number(setting.value, config.max_body_freemails);
    } else if (name == "freemail_skip_when_over_max") {
      number(setting.value, skip_over);
    } else if (name == "freemail_skip_bulk_envfrom") {
      number(setting.value, skip_bulk);
    } else if (name == "freemail_import_welcomelist_auth" ||
               name == "freemail_import_whitelist_auth") {
      number(setting.value, import_auth);
    } else if (name == "freemail_import_def_welcomelist_auth" ||
               name == "freemail_import_def_whitelist_auth") {
      number(setting.value, import_def_auth);
    }
  }
  config.skip_when_over_max = skip_over != 0;
  config.skip_bulk_envfrom = skip_bulk != 0;
  for (const auto& setting : context.settings()) {
    const bool auth = setting.name == "welcomelist_auth" || setting.name == "whitelist_auth";
    const bool def_auth =
        setting.name == "def_welcomelist_auth" || setting.name == "def_whitelist_auth";
    if ((auth && import_auth != 0) || (def_auth && import_def_auth != 0)) {
      for (auto& entry : words(setting.value)) config.imported_welcome.push_back(std::move(entry));
    }
  }
  config.boundaries = RegistryBoundaries::of(context);
  return config;
}

// A domain glob where '*' never crosses a dot, matched against the whole domain (in time
// proportional to the product of the two lengths).
bool domainGlobMatches(const DomainGlob& glob, std::string_view domain) {
  // The literal text before the first and after the last wildcard must stand at the ends: that
  // settles nearly every pattern of a long list without the table below.
  const std::string_view head = glob.head, tail = glob.tail, pattern = glob.pattern;
  if (head.size() + tail.size() > domain.size() || !domain.starts_with(head) ||
      !domain.ends_with(tail))
    return false;
  // matched[j]: whether the pattern read so far matches domain[0, j).
  std::vector<char> matched(domain.size() + 1, 0), next(domain.size() + 1, 0);
  matched[0] = 1;
  for (char p : pattern) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t j = 0; j <= domain.size(); ++j) {
      if (p == '*') {
        next[j] = matched[j] || (j > 0 && next[j - 1] && domain[j - 1] != '.');
      } else if (j > 0 && matched[j - 1] && (p == '?' || p == domain[j - 1])) {
        next[j] = 1;
      }
    }
    matched.swap(next);
  }
  return matched[domain.size()] != 0;
}

// Local parts SpamAssassin never counts as a person's freemail address (role accounts, bounce
// and message-id-like addresses).
bool defaultWelcome(std::string_view email) {
  static const auto pattern = perlPattern(
      "^(?:abuse|support|sales|info|helpdesk|contact|kontakt|(?:post|host|domain)master|"
      "undisclosed.*|request-[a-f0-9]{16}|bounced?-|[a-f0-9]{8}(?:\\.[a-f0-9]{8}|-[a-f0-9]{4}-"
      "[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})|.+=.+=.+)\\@",
      true);
  return pattern->matches(email);
}

bool isFreemail(const FreemailConfig& config, std::string_view email) {
  if (email.empty() || config.welcome.count(email) > 0) return false;
  const size_t at = email.rfind('@');
  const std::string_view domain = at == std::string_view::npos ? email : email.substr(at + 1);
  if (config.welcome.count(domain) > 0 || defaultWelcome(email)) return false;
  for (const auto& glob : config.imported_welcome) {
    if (globMatches(glob, email)) return false;
  }
  if (config.domains.count(domain) > 0) return true;
  if (at == std::string_view::npos) return false;
  return std::any_of(config.wildcards.begin(), config.wildcards.end(),
                     [domain](const DomainGlob& glob) { return domainGlobMatches(glob, domain); });
}

// ---------------------------------------------------------------------------------------------
// Addresses in the body.

bool localChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}
bool labelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}
bool alnum(char c) {
  return labelChar(c) && c != '-';
}

struct Found {
  size_t begin = 0, end = 0;
};

// The address whose '@' is at `at`, as SpamAssassin's FreeMail e-mail pattern finds it: a
// dot-atom local part of at most 64 characters, one to four labels and a known top-level domain.
std::optional<Found> emailAt(std::string_view text, size_t at, const RegistryBoundaries& rb) {
  size_t run = at;
  while (run > 0 && (localChar(text[run - 1]) || text[run - 1] == '.')) --run;
  std::optional<size_t> begin;
  for (size_t s = run; s < at; ++s) {
    if (!localChar(text[s]) || (s > 0 && localChar(text[s - 1]))) continue;
    if (at - s > 64) continue;
    bool dot_atom = text[at - 1] != '.';
    for (size_t i = s; i + 1 < at && dot_atom; ++i)
      dot_atom = !(text[i] == '.' && text[i + 1] == '.');
    if (dot_atom) {
      begin = s;
      break;
    }
  }
  if (!begin) return std::nullopt;
  // Labels after the '@': [a-z0-9]([a-z0-9-]{0,59}[a-z0-9])?
  std::vector<std::pair<size_t, size_t>> labels;
  size_t pos = at + 1;
  while (labels.size() < 6) {
    size_t end = pos;
    while (end < text.size() && labelChar(text[end])) ++end;
    if (end == pos) break;
    labels.emplace_back(pos, end);
    if (end >= text.size() || text[end] != '.') break;
    pos = end + 1;
  }
  auto validLabel = [&text](std::pair<size_t, size_t> label) {
    const size_t length = label.second - label.first;
    return length >= 1 && length <= 61 && alnum(text[label.first]) && alnum(text[label.second - 1]);
  };
  for (size_t count = std::min<size_t>(4, labels.size() - (labels.empty() ? 0 : 1)); count >= 1;
       --count) {
    if (labels.size() <= count) continue;
    bool valid = true;
    for (size_t i = 0; i < count && valid; ++i) valid = validLabel(labels[i]);
    if (!valid) continue;
    const auto [tld_begin, tld_end] = labels[count];
    const std::string tld = toLower(text.substr(tld_begin, tld_end - tld_begin));
    if (!rb.isTld(tld)) continue;
    const bool continues =
        tld_end + 1 < text.size() && text[tld_end] == '.' && alnum(text[tld_end + 1]);
    if (continues) continue;
    return Found{*begin, tld_end};
  }
  return std::nullopt;
}

// Every address in `text`, in order, without overlaps.
std::vector<Found> findEmails(std::string_view text, const RegistryBoundaries& rb) {
  std::vector<Found> out;
  size_t from = 0;
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    if (at < from) continue;
    auto found = emailAt(text, at, rb);
    if (!found || found->begin < from) continue;
    out.push_back(*found);
    from = found->end;
  }
  return out;
}

bool startsWithI(std::string_view text, size_t at, std::string_view prefix) {
  return at + prefix.size() <= text.size() && iequals(text.substr(at, prefix.size()), prefix);
}

// Blanks out links that carry an address (http://host/?to=a@b.c).
void blankLinksWithAddresses(std::string& text) {
  auto nonSpace = [](char c) {
    return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v');
  };
  for (size_t i = 0; i < text.size(); ++i) {
    size_t j = 0;
    if (startsWithI(text, i, "http://")) {
      j = i + 7;
    } else if (startsWithI(text, i, "https://")) {
      j = i + 8;
    } else {
      continue;
    }
    size_t run = j;
    while (run < text.size() && nonSpace(text[run])) ++run;
    std::optional<size_t> sign_end;
    for (size_t k = j; k < run && k - j <= 255; ++k) {
      if (text[k] == '@') sign_end = k + 1;
      if (startsWithI(text, k, "%40") && k + 3 <= run) sign_end = k + 3;
    }
    if (!sign_end) continue;
    const size_t end = std::min(run, *sign_end + 255);
    const size_t begin = i > 0 && text[i - 1] == '<' ? i - 1 : i;
    text.replace(begin, end - begin, " ");
    i = begin;
  }
}

// Whether the address at `found` is quoted ("<a@b.c>") or followed by a "word:" (as in
// "a@b.c wrote:"), which SpamAssassin leaves out of the body's addresses.
bool quotedOrAttributed(std::string_view text, Found found) {
  if (found.begin >= 7 && iequals(text.substr(found.begin - 7, 7), "mailto:")) return false;
  size_t at = found.end;
  if (at < text.size() && text[at] == '>') return true;
  size_t spaces = 0;
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' ||
                              text[at] == '\r' || text[at] == '\f' || text[at] == '\v')) {
    ++at;
    ++spaces;
  }
  if (spaces < 1 || spaces > 10) return false;
  size_t letters = 0;
  while (at + letters < text.size() && std::isalpha(static_cast<unsigned char>(text[at + letters])))
    ++letters;
  if (letters < 2 || letters > 11 || at + letters >= text.size() || text[at + letters] != ':')
    return false;
  for (std::string_view banned : {"fax", "facsi", "tel", "phone", "mail", "email"}) {
    if (startsWithI(text, at, banned)) return false;
  }
  return true;
}

struct BodyFreemails {
  bool skipped = false;  // too many addresses: the body is not used
  std::vector<std::string> emails;
};

BodyFreemails bodyFreemails(const FreemailConfig& config, const ContentView& view) {
  std::vector<std::string> emails;
  auto add = [&emails](std::string email) {
    if (std::find(emails.begin(), emails.end(), email) == emails.end())
      emails.push_back(std::move(email));
  };
  const bool html = std::any_of(view.parts.begin(), view.parts.end(), [](const ViewPart& part) {
    return part.content_type == "text/html";
  });
  if (html) {
    for (std::string_view uri : view.uris) {
      if (!startsWithI(uri, 0, "mailto:") || emails.size() >= 20) continue;
      std::string_view rest = uri.substr(7);
      const size_t at = rest.find('@');
      if (at == std::string_view::npos) continue;
      auto found = emailAt(rest, at, *config.boundaries);
      if (found && found->begin == 0) add(toLower(rest.substr(0, found->end)));
    }
  }
  std::string text(view.body);
  blankLinksWithAddresses(text);
  std::string kept;
  size_t from = 0;
  for (const Found& found : findEmails(text, *config.boundaries)) {
    if (!quotedOrAttributed(text, found)) continue;
    const size_t begin =
        found.begin > 0 && text[found.begin - 1] == '<' ? found.begin - 1 : found.begin;
    if (begin < from) continue;
    size_t end = found.end;
    if (end < text.size() && text[end] == '>') {
      ++end;
    } else {
      while (end < text.size() && text[end] != ':') ++end;
      ++end;
    }
    kept.append(text, from, begin - from).append(" ");
    from = end;
  }
  kept.append(text, std::min(from, text.size()), std::string::npos);
  for (const Found& found : findEmails(kept, *config.boundaries)) {
    if (emails.size() >= 40) break;
    add(toLower(std::string_view(kept).substr(found.begin, found.end - found.begin)));
  }
  BodyFreemails out;
  double all = 0, free = 0;
  for (auto& email : emails) {
    if (++all == config.max_body_emails && config.skip_when_over_max) {
      out.skipped = true;
      out.emails.clear();
      return out;
    }
    if (!isFreemail(config, email)) continue;
    if (++free == config.max_body_freemails && config.skip_when_over_max) {
      out.skipped = true;
      out.emails.clear();
      return out;
    }
    out.emails.push_back(std::move(email));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The tests.

std::vector<std::string> loweredAll(std::vector<std::string> values) {
  for (auto& v : values) v = toLower(v);
  return values;
}

std::string describe(std::string email) {
  for (size_t at = email.find('@'); at != std::string::npos; at = email.find('@'))
    email.replace(at, 1, "(at)");
  return email;
}

using Config = std::shared_ptr<const FreemailConfig>;

std::shared_ptr<const FreemailConfig> configOf(EvalBuildContext& context) {
  return context.shared<FreemailConfig>("freemail_eval.config",
                                        [&context] { return readConfig(context); });
}

// The optional pattern argument; error text when it does not compile.
Result<std::shared_ptr<const PcrePattern>> optionalPattern(const std::vector<std::string>& args,
                                                           size_t index,
                                                           std::string_view function) {
  using R = Result<std::shared_ptr<const PcrePattern>>;
  if (args.size() <= index) return R::success(nullptr);
  std::shared_ptr<const PcrePattern> pattern = perlPattern(args[index]);
  if (!pattern) {
    return R::failure("eval:" + std::string(function) + ": invalid pattern '" + args[index] + "'");
  }
  return R::success(std::move(pattern));
}

bool anyFreemail(const FreemailConfig& config, const std::vector<std::string>& emails,
                 const PcrePattern* pattern, std::string* evidence) {
  for (const auto& email : emails) {
    if (email.empty() || !isFreemail(config, email)) continue;
    if (pattern && !pattern->matches(email)) continue;
    if (evidence) *evidence = describe(email);
    return true;
  }
  return false;
}

bool freemailReplyTo(const FreemailConfig& config, const EvalInput& in, bool reply_mode,
                     std::string* evidence) {
  if (config.skip_bulk_envfrom) {
    static const auto bulk = perlPattern(
        "(?:^(?:post|host|domain)master|^double-bounce|^(?:sentto|owner|return|(?:gr)?bounced?)-"
        ".+|-(?:request|bounces?|admin|owner)|\\b(?:do[._-t]?)?no[._-t]?repl(?:y|ies)|.+=.+)\\@",
        true);
    if (auto envelope = in.facts.pseudoHeader("EnvelopeFrom"); envelope && bulk->matches(*envelope))
      return false;
  }
  const std::vector<std::string> from = loweredAll(headerAddresses(in, "From"));
  const std::vector<std::string> reply_to = loweredAll(headerAddresses(in, "Reply-To"));
  auto anyFree = [&config](const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(),
                       [&config](const std::string& e) { return isFreemail(config, e); });
  };
  const bool from_free = anyFree(from);
  const bool reply_free = anyFree(reply_to);
  const bool from_in_reply = std::any_of(from.begin(), from.end(), [&reply_to](const auto& f) {
    return std::find(reply_to.begin(), reply_to.end(), f) != reply_to.end();
  });
  if (from_free && reply_free && !from_in_reply) {
    if (evidence) {
      std::string text;
      for (const auto& f : from) text += (text.empty() ? "" : ",") + f;
      text += " ->";
      for (size_t i = 0; i < reply_to.size(); ++i) text += (i ? "," : " ") + reply_to[i];
      *evidence = describe(text);
    }
    return true;
  }
  if (!reply_mode && !reply_free) return false;
  if (reply_mode && ((!reply_to.empty() && !reply_free) || !from_free)) return false;
  const BodyFreemails& body =
      in.facts.get<BodyFreemails>([&config, &in] { return bodyFreemails(config, in.view); });
  if (body.skipped) return false;
  const std::vector<std::string>& reply_addresses = (!reply_mode || reply_free) ? reply_to : from;
  for (const auto& body_email : body.emails) {
    for (const auto& reply_email : reply_addresses) {
      if (body_email != reply_email) {
        if (evidence) *evidence = describe(reply_email + ", " + body_email);
        return true;
      }
    }
  }
  return false;
}

}  // namespace

void registerFreemailEvals(EvalRegistry& registry) {
  registry.add("check_freemail_from",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() > 1)
                   return evalArgumentError("check_freemail_from", "([pattern])");
                 auto pattern = optionalPattern(args, 0, "check_freemail_from");
                 if (!pattern) return EvalBuild::failure(pattern.error);
                 const Config config = configOf(context);
                 if (!config->available())
                   return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
                 return EvalBuild::success(
                     [config, re = *pattern](const EvalInput& in, std::string* evidence) {
                       return anyFreemail(*config, loweredAll(allFromAddresses(in)), re.get(),
                                          evidence);
                     });
               });
  registry.add("check_freemail_header",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.empty() || args.size() > 2 || args[0].empty())
                   return evalArgumentError("check_freemail_header", "(header [, pattern])");
                 auto pattern = optionalPattern(args, 1, "check_freemail_header");
                 if (!pattern) return EvalBuild::failure(pattern.error);
                 std::string header = args[0];
                 while (header.size() > 5 && iequals(header.substr(header.size() - 5), ":addr"))
                   header.resize(header.size() - 5);
                 const Config config = configOf(context);
                 if (!config->available())
                   return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
                 return EvalBuild::success(
                     [config, header, re = *pattern](const EvalInput& in, std::string* evidence) {
                       return anyFreemail(*config, loweredAll(headerAddresses(in, header)),
                                          re.get(), evidence);
                     });
               });
  registry.add(
      "check_freemail_replyto",
      [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
        if (args.size() > 1 || (args.size() == 1 && args[0] != "replyto" && args[0] != "reply"))
          return evalArgumentError("check_freemail_replyto", "(['replyto' or 'reply'])");
        const bool reply_mode = args.size() == 1 && args[0] == "reply";
        const Config config = configOf(context);
        if (!config->available())
          return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
        return EvalBuild::success([config, reply_mode](const EvalInput& in, std::string* evidence) {
          return freemailReplyTo(*config, in, reply_mode, evidence);
        });
      });
  registry.add("check_freemail_body",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (args.size() > 1)
                   return evalArgumentError("check_freemail_body", "([pattern])");
                 auto pattern = optionalPattern(args, 0, "check_freemail_body");
                 if (!pattern) return EvalBuild::failure(pattern.error);
                 const Config config = configOf(context);
                 if (!config->available())
                   return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
                 return EvalBuild::success(
                     [config, re = *pattern](const EvalInput& in, std::string* evidence) {
                       const BodyFreemails& body = in.facts.get<BodyFreemails>(
                           [&config, &in] { return bodyFreemails(*config, in.view); });
                       if (body.skipped) return false;
                       return anyFreemail(*config, body.emails, re.get(), evidence);
                     });
               });
}

}  // namespace portcullis::content
