// gongjian import divisions DIR: the NBS division files (provinces … villages).
#include <chrono>
#include <iostream>

#include "app/app.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian import divisions DIR [--db PATH | --postgres URL]\n"
    "Imports NBS division codes from DIR/{provinces,cities,counties,townships,villages}.csv\n"
    "(columns code,name,parent_code; 12-digit codes). Idempotent: a re-import changes only\n"
    "rows that differ. The files are checked completely before anything is written.\n";

int run(const Args& args) {
  auto pos = positional(args, {"--db", "--postgres"});
  if (has_flag(args, "--help") || pos.empty()) {
    std::cout << kUsage << kStoreUsage;
    return pos.empty() && !has_flag(args, "--help") ? 2 : 0;
  }
  if (pos[0] != "divisions" || pos.size() != 2)
    return usage_error("import: expected `import divisions DIR`", kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  auto t0 = std::chrono::steady_clock::now();
  auto stats = a.import_divisions(pos[1], app::ImportProgress{progress});
  std::cerr << "\n";
  db->close();
  if (!stats.ok()) {
    std::cerr << "gongjian import: " << stats.error().message(Lang::kEn) << ": "
              << stats.error().detail << "\nnothing was imported\n";
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "read " << stats->read << " divisions: " << stats->changed << " new or changed, "
            << stats->unchanged << " unchanged (" << secs << " s)\n";
  for (auto [level, n] : stats->by_level) std::cout << "  level " << level << ": " << n << "\n";
  return 0;
}

const Registrar kReg{"import", "import reference data (divisions)", run};
}  // namespace
}  // namespace gj::cli
