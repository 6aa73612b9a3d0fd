#include "zhashui_seed.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "store/repos/repos.hpp"
#include "test_store.hpp"

namespace gj::testing {

Status seed_zhashui(app::App& app, store::Database& db) {
  auto dir = std::filesystem::temp_directory_path() /
             ("gj_test_div_" + std::to_string(::getpid()) + "_" + std::to_string(rand()));
  std::filesystem::create_directories(dir);
  auto put = [&](const char* name, const std::string& body) {
    std::ofstream(dir / name) << "code,name,parent_code,level,short_code\n" << body;
  };
  put("provinces.csv", "610000000000,陕西省,,1,61\n");
  put("cities.csv", "611000000000,商洛市,610000000000,2,6110\n");
  put("counties.csv", "611026000000,柞水县,611000000000,3,611026\n");
  put("townships.csv",
      "611026001000,乾佑街道,611026000000,4,611026001\n"
      "611026101000,营盘镇,611026000000,4,611026101\n");
  put("villages.csv",
      "611026001001,城区社区居委会,611026001000,5,611026001001\n"
      "611026101201,营盘村委会,611026101000,5,611026101201\n");
  auto imported = app.import_divisions(dir.string(), {});
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!imported.ok()) return imported.error();
  return db.write([&](store::Session& s) -> Status {
    for (auto [code, parent, lat, lon] :
         {std::tuple{kGrid, kCommunity, kLat, kLon},
          std::tuple{kYingpanGrid, kYingpanVillage, 33.60, 109.20}}) {
      org::Division g;
      g.code = code;
      g.parent_code = parent;
      g.name = "第1网格";
      g.level = org::Level::kGrid;
      g.kind = org::Kind::kGrid;
      g.synthetic = true;
      auto up = store::divisions::upsert(s, g);
      if (!up.ok()) return up.error();
      store::GridRow row;
      row.code = code;
      row.households = 100;
      row.polygon = square_polygon(lat, lon, 500);
      GJ_TRY(store::grids::upsert(s, row));
    }
    return {};
  });
}

auth::Principal add_user(app::App& app, const std::string& name, const std::string& role,
                         const std::string& scope, std::optional<int64_t> unit,
                         const std::string& display_name) {
  app::NewUser u;
  u.username = name;
  u.display_name = display_name.empty() ? name : display_name;
  u.password = "Password-2026";
  u.role = role;
  u.scope_code = scope;
  u.unit_id = unit;
  auto id = app.cli_add_user(u);
  EXPECT_TRUE(id.ok()) << id.error().public_code() << " " << id.error().detail;
  auth::Principal p;
  p.user_id = id.ok() ? *id : 0;
  p.username = name;
  p.role = *auth::parse_role(role);
  p.scope_code = scope;
  p.unit_id = unit;
  return p;
}

}  // namespace gj::testing
