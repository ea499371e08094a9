// Evaluates the conditions of SpamAssassin's `if` lines: `version >= 3.004000`,
// `plugin(Mail::SpamAssassin::Plugin::X)`, `can(Mail::SpamAssassin::Conf::feature_x)`,
// `perl_version`, combined with `!`, `&&`, `||`, `and`, `or`, `not` and parentheses.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace portcullis::content {

// What the engine claims to be when rule files ask.
struct ConditionContext {
  double version = 4.000000;        // the SpamAssassin version whose rule language we speak
  std::set<std::string> plugins;    // plugin package names considered loaded
  std::set<std::string> abilities;  // `can(...)` names answered true (full package::name)
};

// True or false, or why the expression cannot be read.
Result<bool> evaluateCondition(std::string_view expression, const ConditionContext& context);

// The plugins a default SpamAssassin 4 installation loads (its *.pre files) and the abilities
// this engine has; the starting point of every ConditionContext.
ConditionContext defaultConditionContext();

}  // namespace portcullis::content
