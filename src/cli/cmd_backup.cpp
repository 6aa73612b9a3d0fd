// `gongjian backup`: an online, consistent copy of a SQLite store (the server may keep running),
// verified with PRAGMA integrity_check before it is reported as good.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "store/db.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian backup --db PATH OUT_FILE\n"
    "  Copies the SQLite store at PATH to OUT_FILE while it is in use (SQLite backup API),\n"
    "  then checks the copy with PRAGMA integrity_check. Progress goes to stderr.\n"
    "  PostgreSQL deployments back up with pg_dump / pg_basebackup (docs/storage.md).\n";

int run_backup(const Args& args) {
  if (has_flag(args, "--help") || has_flag(args, "-h")) {
    std::cout << kUsage;
    return 0;
  }
  std::string db = flag_value(args, "--db");
  Args pos = positional(args, {"--db"});
  if (db.empty()) return usage_error("--db PATH is required", kUsage);
  if (pos.size() != 1) return usage_error("give one OUT_FILE", kUsage);
  const std::string out = pos[0];
  if (db.rfind("postgres", 0) == 0) {
    return usage_error("backup copies SQLite stores; use pg_dump for PostgreSQL", kUsage);
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db, ec)) {
    std::cerr << "gongjian backup: no store at " << db << "\n";
    return 1;
  }
  if (std::filesystem::exists(out, ec) && std::filesystem::equivalent(db, out, ec)) {
    std::cerr << "gongjian backup: OUT_FILE is the store itself\n";
    return 1;
  }
  int last_pct = -1, pages = 0;
  Status st = store::backup_sqlite(db, out, [&](int done, int total) {
    pages = total;
    int pct = total > 0 ? static_cast<int>(100LL * done / total) : 100;
    if (pct != last_pct) {
      std::fprintf(stderr, "\rbackup: %3d%% (%d/%d pages)", pct, done, total);
      last_pct = pct;
    }
  });
  std::fprintf(stderr, "\n");
  if (!st.ok()) {
    std::cerr << "gongjian backup: " << st.error().detail << "\n";
    return 1;
  }
  std::fprintf(stderr, "backup: checking the copy (PRAGMA integrity_check)\n");
  Status check = store::check_sqlite_integrity(out);
  if (!check.ok()) {
    std::cerr << "gongjian backup: the copy failed its integrity check: " << check.error().detail
              << "\n";
    return 1;
  }
  std::printf("backup written to %s (%d pages, integrity ok)\n", out.c_str(), pages);
  return 0;
}

const Registrar kRegistrar("backup", "online copy of a SQLite store, verified", run_backup);

}  // namespace
}  // namespace gj::cli
