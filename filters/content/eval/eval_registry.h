// The table of SpamAssassin eval functions this engine implements, by their SpamAssassin names
// (and the old names the rule files still use: whitelist/blacklist for welcomelist/blocklist).
// Each family of Mail::SpamAssassin::Plugin::* registers its functions from a file of its own
// (families.h). A factory checks the rule's arguments once, when the rules are compiled, and
// reads the rule files' settings it needs (freemail_domains, welcomelist_from, ...) through the
// build context, which keeps what several rules share (a parsed domain list) built only once.
// An unknown name, or arguments a function cannot take, is a failure with a reason: the rule is
// then disabled with that reason, never silently matched.
#pragma once

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/eval/eval_input.h"
#include "filters/content/eval/site_services.h"
#include "filters/content/rule.h"
#include "gateway/base/result.h"

namespace portcullis::content {

// What compiling knows that eval factories read.
class EvalBuildContext {
 public:
  explicit EvalBuildContext(const std::vector<Setting>& settings,
                            const SiteServices& services = SiteServices{})
      : settings_(settings), services_(services) {}

  const std::vector<Setting>& settings() const { return settings_; }
  const SiteServices& services() const { return services_; }
  // The values of every setting named `name`, in the order read.
  std::vector<std::string_view> values(std::string_view name) const;

  // The object built by `build` under `key`, built on first use and shared by every rule after.
  template <typename T, typename Build>
  std::shared_ptr<const T> shared(const std::string& key, Build&& build) {
    auto it = memo_.find(key);
    if (it == memo_.end()) {
      it = memo_.emplace(key, std::shared_ptr<const T>(std::make_shared<T>(build()))).first;
    }
    return std::any_cast<std::shared_ptr<const T>>(it->second);
  }

 private:
  const std::vector<Setting>& settings_;
  const SiteServices services_;
  std::map<std::string, std::any> memo_;
};

// The test for one rule's call, or why it cannot be built.
using EvalBuild = Result<EvalTest>;
using EvalFactory =
    std::function<EvalBuild(const std::vector<std::string>& args, EvalBuildContext& context)>;

class EvalRegistry {
 public:
  void add(std::string name, EvalFactory factory);
  const EvalFactory* find(std::string_view name) const;
  size_t size() const { return factories_.size(); }

 private:
  std::map<std::string, EvalFactory, std::less<>> factories_;
};

// Every eval function of every family.
const EvalRegistry& evalRegistry();

// The test for `name(args)`, or why it cannot be built (unknown name, bad arguments).
EvalBuild makeEvalTest(const std::string& name, const std::vector<std::string>& args,
                       EvalBuildContext& context);

// Argument helpers for factories.
bool evalNumber(const std::string& text, double& out);
// All of `args` as numbers into `out`, when there are min_count..max_count of them.
bool evalNumbers(const std::vector<std::string>& args, size_t min_count, size_t max_count,
                 std::vector<double>& out);
// The failure "eval:NAME expects WHAT", for arguments a function cannot take.
EvalBuild evalArgumentError(std::string_view name, std::string_view expected);

}  // namespace portcullis::content
