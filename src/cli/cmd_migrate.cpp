// `gongjian migrate`: applies the schema migrations compiled into this binary to a SQLite file
// or a PostgreSQL database, and prints each version it applied. Safe to repeat (idempotent) and
// to run from several nodes at once (PostgreSQL advisory lock).
#include <cstdio>
#include <iostream>

#include "cli/command.hpp"
#include "store/db.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian migrate --db PATH | --postgres URL\n"
    "  Applies pending schema migrations (src/store/migrations/<backend>/NNNN_*.sql, embedded\n"
    "  at build time), each in its own transaction, and prints the versions applied.\n"
    "  --db PATH        SQLite store file (created if missing)\n"
    "  --postgres URL   PostgreSQL, e.g. postgresql://user@host:5432/gongjian\n";

int run_migrate(const Args& args) {
  if (has_flag(args, "--help") || has_flag(args, "-h")) {
    std::cout << kUsage;
    return 0;
  }
  std::string path = flag_value(args, "--db"), url = flag_value(args, "--postgres");
  if (path.empty() == url.empty())
    return usage_error("give exactly one of --db or --postgres", kUsage);
  if (!positional(args, {"--db", "--postgres"}).empty()) {
    return usage_error("unexpected argument", kUsage);
  }
  if (!url.empty() && url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) {
    return usage_error("--postgres takes a postgresql:// URL", kUsage);
  }
  store::Options o;
  o.target = path.empty() ? url : path;
  o.readers = 1;
  auto db = store::open_database(o);
  if (!db.ok()) {
    std::cerr << "gongjian migrate: " << db.error().detail << "\n";
    return 1;
  }
  const auto& list = store::embedded_migrations((*db)->backend());
  auto before = (*db)->schema_version();
  auto applied = store::apply_migrations(**db, list);
  if (!applied.ok()) {
    std::cerr << "gongjian migrate: " << applied.error().detail << "\n";
    return 1;
  }
  for (int v : *applied) {
    for (const auto& m : list) {
      if (m.version == v) std::printf("applied %04d_%s\n", v, m.name.c_str());
    }
  }
  auto version = (*db)->schema_version();
  (*db)->close();
  if (!version.ok()) {
    std::cerr << "gongjian migrate: " << version.error().detail << "\n";
    return 1;
  }
  std::printf("schema version %d (was %d; %zu applied, %zu known to this binary)\n", *version,
              before.ok() ? *before : 0, applied->size(), list.size());
  return 0;
}

const Registrar kRegistrar("migrate", "apply database schema migrations (SQLite or PostgreSQL)",
                           run_migrate);

}  // namespace
}  // namespace gj::cli
