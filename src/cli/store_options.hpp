// `--db PATH` (SQLite, the default data/gongjian.db) or `--postgres URL`, shared by every
// subcommand that touches the store. Opens and migrates.
#pragma once

#include <memory>
#include <string>

#include "cli/command.hpp"
#include "store/db.hpp"

namespace gj::cli {

inline constexpr const char* kStoreUsage =
    "  --db PATH          SQLite store (default: data/gongjian.db, or $GONGJIAN_DB)\n"
    "  --postgres URL     PostgreSQL store instead (or $GONGJIAN_POSTGRES)\n";

// Returns nullptr after printing a clear message when the store cannot be opened.
std::unique_ptr<store::Database> open_store(const Args& args, bool migrate = true);
std::string store_target(const Args& args);

}  // namespace gj::cli
