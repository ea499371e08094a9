#include "filters/content/hyperscan_database.h"

#include <cstdlib>

namespace portcullis::content {

HsCompiled compileHsDatabase(const std::vector<HsPattern>& patterns) {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (const auto& p : patterns) {
    expressions.push_back(p.expression.c_str());
    flags.push_back(p.flags);
    ids.push_back(p.id);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* compile_error = nullptr;
  const hs_error_t rc = hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                                         static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK,
                                         nullptr, &db, &compile_error);
  HsCompiled compiled;
  if (rc != HS_SUCCESS) {
    compiled.error = compile_error ? compile_error->message : "hs_compile_multi failed";
    if (compile_error) {
      compiled.failed_index = compile_error->expression;
      hs_free_compile_error(compile_error);
    }
    return compiled;
  }
  compiled.database.reset(db);
  return compiled;
}

Status checkHsExpression(const std::string& expression, unsigned flags) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* compile_error = nullptr;
  const hs_error_t rc = hs_expression_info(expression.c_str(), flags, &info, &compile_error);
  std::free(info);
  if (rc == HS_SUCCESS) return Status::success();
  std::string message = compile_error ? compile_error->message : "hs_expression_info failed";
  if (compile_error) hs_free_compile_error(compile_error);
  return Status::failure(std::move(message));
}

std::optional<std::string> serializeHsDatabase(const hs_database_t* db) {
  char* bytes = nullptr;
  size_t length = 0;
  if (hs_serialize_database(db, &bytes, &length) != HS_SUCCESS) return std::nullopt;
  std::string out(bytes, length);
  std::free(bytes);
  return out;
}

HsDatabase deserializeHsDatabase(std::string_view bytes) {
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(bytes.data(), bytes.size(), &db) != HS_SUCCESS) return nullptr;
  return HsDatabase(db);
}

std::string hsPlatformFingerprint() {
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  return std::string(hs_version()) + "/tune=" + std::to_string(platform.tune) +
         "/features=" + std::to_string(platform.cpu_features);
}

hs_scratch_t* threadScratch(uint64_t generation, const hs_scratch_t* prototype) {
  struct Cached {
    uint64_t generation = 0;
    HsScratch scratch;
  };
  thread_local Cached cached;
  if (!cached.scratch || cached.generation != generation) {
    hs_scratch_t* clone = nullptr;
    if (hs_clone_scratch(prototype, &clone) != HS_SUCCESS) return nullptr;
    cached.scratch.reset(clone);
    cached.generation = generation;
  }
  return cached.scratch.get();
}

}  // namespace portcullis::content
