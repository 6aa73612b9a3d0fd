#include "cli/store_options.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace gj::cli {

std::string store_target(const Args& args) {
  std::string pg = flag_value(args, "--postgres");
  if (pg.empty() && std::getenv("GONGJIAN_POSTGRES")) pg = std::getenv("GONGJIAN_POSTGRES");
  if (!pg.empty()) return pg;
  std::string db = flag_value(args, "--db");
  if (db.empty() && std::getenv("GONGJIAN_DB")) db = std::getenv("GONGJIAN_DB");
  return db.empty() ? "data/gongjian.db" : db;
}

std::unique_ptr<store::Database> open_store(const Args& args, bool migrate) {
  store::Options opt;
  opt.target = store_target(args);
  bool is_pg = opt.target.rfind("postgres", 0) == 0;
  if (!is_pg) {
    auto parent = std::filesystem::path(opt.target).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  auto db = store::open_database(opt);
  if (!db.ok()) {
    std::cerr << "gongjian: cannot open the store " << (is_pg ? "(PostgreSQL)" : opt.target) << ": "
              << db.error().message(Lang::kEn) << " " << db.error().detail << "\n";
    return nullptr;
  }
  if (migrate) {
    auto applied = (*db)->migrate();
    if (!applied.ok()) {
      std::cerr << "gongjian: migration failed: " << applied.error().detail << "\n";
      return nullptr;
    }
  }
  return std::move(*db);
}

}  // namespace gj::cli
