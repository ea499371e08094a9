#include "filters/content/eval/eval_registry.h"

#include <cstdlib>

#include "filters/content/eval/families.h"

namespace portcullis::content {

std::vector<std::string_view> EvalBuildContext::values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& setting : settings_) {
    if (setting.name == name) out.push_back(setting.value);
  }
  return out;
}

void EvalRegistry::add(std::string name, EvalFactory factory) {
  factories_[std::move(name)] = std::move(factory);
}

const EvalFactory* EvalRegistry::find(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

const EvalRegistry& evalRegistry() {
  static const EvalRegistry registry = [] {
    EvalRegistry r;
    registerHeaderEvals(r);
    registerMimeEvals(r);
    registerBodyEvals(r);
    registerHtmlEvals(r);
    registerRelayEvals(r);
    registerUriEvals(r);
    registerFreemailEvals(r);
    registerListEvals(r);
    registerAuthEvals(r);
    registerNetworkEvals(r);
    registerImageEvals(r);
    return r;
  }();
  return registry;
}

EvalBuild makeEvalTest(const std::string& name, const std::vector<std::string>& args,
                       EvalBuildContext& context) {
  const EvalFactory* factory = evalRegistry().find(name);
  if (!factory) return EvalBuild::failure("unknown eval function " + name);
  return (*factory)(args, context);
}

bool evalNumber(const std::string& text, double& out) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

bool evalNumbers(const std::vector<std::string>& args, size_t min_count, size_t max_count,
                 std::vector<double>& out) {
  if (args.size() < min_count || args.size() > max_count) return false;
  out.clear();
  for (const auto& arg : args) {
    double value = 0;
    if (!evalNumber(arg, value)) return false;
    out.push_back(value);
  }
  return true;
}

EvalBuild evalArgumentError(std::string_view name, std::string_view expected) {
  return EvalBuild::failure("eval:" + std::string(name) + " expects " + std::string(expected));
}

}  // namespace portcullis::content
