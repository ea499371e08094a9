// RAII ownership of Hyperscan block-mode databases and per-thread scratch. A database is
// immutable and shared by all threads; every thread scans with its own scratch, cloned from a
// prototype that is valid for every database of one compiled rule set.
#pragma once

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace portcullis::content {

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;

struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;

struct HsPattern {
  std::string expression;
  unsigned flags = 0;
  unsigned id = 0;
};

// A database compiled from patterns, or why not: Hyperscan's reason and, when it names one
// pattern, that pattern's position in the input.
struct HsCompiled {
  HsDatabase database;  // null on failure
  std::string error;
  int failed_index = -1;  // -1: not about one pattern (e.g. the whole set is too large)
};

// Compiles patterns into one database.
HsCompiled compileHsDatabase(const std::vector<HsPattern>& patterns);

// Whether one expression compiles with `flags`; the reason when it does not.
Status checkHsExpression(const std::string& expression, unsigned flags);

std::optional<std::string> serializeHsDatabase(const hs_database_t* db);
HsDatabase deserializeHsDatabase(std::string_view bytes);

// Identifies the Hyperscan build and the CPU features it compiles for: part of every cache key.
std::string hsPlatformFingerprint();

// Scratch for one thread, re-cloned from `prototype` when the rule set (`generation`) changes.
hs_scratch_t* threadScratch(uint64_t generation, const hs_scratch_t* prototype);

}  // namespace portcullis::content
