#include "app/demo.hpp"

#include <cmath>
#include <map>
#include <random>

#include "domain/auth/passwords.hpp"
#include "domain/auth/personal_data.hpp"

namespace gj::app {

namespace {
constexpr const char* kZhashui = "611026000000";  // 柞水县 (商洛市), rural
constexpr const char* kBeilin = "610103000000";   // 碑林区 (西安市), urban
constexpr const char* kDemoPassword = "Gongjian-Demo-2026";

struct CountyGeo {
  const char* code;
  double lat, lon, spread_deg;  // synthetic placement box around the real county seat
  int grids_per_community, grids_per_village;
};
// Centres are the real county seats; village and grid positions around them are synthetic.
constexpr CountyGeo kCounties[] = {
    {kZhashui, 33.6862, 109.1138, 0.18, 4, 2},
    {kBeilin, 34.2565, 108.9466, 0.025, 5, 3},
};

const char* kDepartments[] = {"住房和城乡建设局", "人力资源和社会保障局",
                              "教育局",           "卫生健康局",
                              "生态环境分局",     "交通运输局",
                              "商务局",           "水利局",
                              "城市管理局",       "民政局"};

std::string polygon_square(double lat, double lon, double half_m) {
  double dlat = half_m / 111320.0, dlon = half_m / (111320.0 * std::cos(lat * M_PI / 180));
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
                "[%.6f,%.6f],[%.6f,%.6f]]]}",
                lon - dlon, lat - dlat, lon + dlon, lat - dlat, lon + dlon, lat + dlat, lon - dlon,
                lat + dlat, lon - dlon, lat - dlat);
  return buf;
}

// A valid synthetic ID number (GB 11643 checksum) from a region code and a seed.
std::string synthetic_id_number(const std::string& region6, std::mt19937_64& rng) {
  char body[18];
  int year = 1960 + static_cast<int>(rng() % 40), month = 1 + static_cast<int>(rng() % 12),
      day = 1 + static_cast<int>(rng() % 28), seq = static_cast<int>(rng() % 1000);
  std::snprintf(body, sizeof body, "%s%04d%02d%02d%03d", region6.c_str(), year, month, day, seq);
  static const int kW[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kC[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (body[i] - '0') * kW[i];
  return std::string(body, 17) + kC[sum % 11];
}
}  // namespace

const std::vector<DemoLogin>& demo_logins() {
  static const std::vector<DemoLogin> logins = {
      {"admin", "Gongjian-Admin-2026", "admin", kZhashui, "柞水县 系统管理员"},
      {"zhashui.command", kDemoPassword, "command", kZhashui, "柞水县 指挥中心"},
      {"qianyou.street", kDemoPassword, "township", "611026001000", "柞水县 乾佑街道"},
      {"yingpan.town", kDemoPassword, "township", "611026101000", "柞水县 营盘镇"},
      {"qianyou.cadre", kDemoPassword, "village", "", "乾佑街道 第一个社区 干部"},
      {"qianyou.grid", kDemoPassword, "grid_worker", "", "乾佑街道 第一个社区 第1网格 网格员"},
      {"zhashui.zhujian", kDemoPassword, "department", "", "柞水县 住房和城乡建设局 办理人员"},
      {"beilin.admin", "Gongjian-Admin-2026", "admin", kBeilin, "碑林区 系统管理员"},
      {"beilin.command", kDemoPassword, "command", kBeilin, "碑林区 指挥中心"},
      {"nanyuanmen.street", kDemoPassword, "township", "610103001000", "碑林区 南院门街道"},
      {"nanyuanmen.cadre", kDemoPassword, "village", "", "南院门街道 第一个社区 干部"},
      {"nanyuanmen.grid", kDemoPassword, "grid_worker", "", "南院门街道 第一个社区 第1网格 网格员"},
  };
  return logins;
}

Result<DemoStats> create_demo(App& app, const std::string& divisions_dir, uint64_t seed,
                              const ImportProgress& progress) {
  auto existing =
      app.db().read_value<int64_t>([](store::Session& s) { return store::users::count(s); });
  if (!existing.ok()) return existing.error();
  if (*existing > 0)
    return make_error(ErrorCode::kConflict, "the store already has users; demo needs a new store");

  auto imported = app.import_divisions(divisions_dir, progress);
  if (!imported.ok()) return imported.error();
  DemoStats stats;
  stats.divisions = imported->read;
  std::mt19937_64 rng(seed);

  // Synthetic grids 网格 under every village/community of the two demo counties.
  std::map<std::string, std::string> first_grid_of_township, first_village_of_township;
  std::map<std::string, int64_t> unit_ids;
  Status st = app.db().write([&](store::Session& s) -> Status {
    for (const auto& geo : kCounties) {
      auto county = store::divisions::get(s, geo.code);
      if (!county.ok()) return make_error(ErrorCode::kInvalidInput, "demo county missing");
      auto towns = store::divisions::children(s, geo.code);
      if (!towns.ok()) return towns.error();
      std::uniform_real_distribution<double> off(-geo.spread_deg, geo.spread_deg);
      for (const auto& town : *towns) {
        auto villages = store::divisions::children(s, town.division.code);
        if (!villages.ok()) return villages.error();
        for (const auto& v : *villages) {
          bool community = v.division.kind == org::Kind::kCommunity;
          int n = community ? geo.grids_per_community : geo.grids_per_village;
          double lat = geo.lat + off(rng) * 0.7, lon = geo.lon + off(rng);
          for (int g = 1; g <= n; ++g) {
            org::Division grid;
            char code[16];
            std::snprintf(code, sizeof code, "%s%03d", v.division.code.c_str(), g);
            grid.code = code;
            grid.parent_code = v.division.code;
            grid.name = "第" + std::to_string(g) + "网格";
            grid.level = org::Level::kGrid;
            grid.kind = org::Kind::kGrid;
            grid.synthetic = true;
            auto up = store::divisions::upsert(s, grid);
            if (!up.ok()) return up.error();
            store::GridRow row;
            row.code = grid.code;
            // Urban grids ~300 households (national guidance), rural grids are village groups.
            row.households = community ? 200 + static_cast<int64_t>(rng() % 200)
                                       : 60 + static_cast<int64_t>(rng() % 120);
            row.residents = row.households * (250 + static_cast<int64_t>(rng() % 80)) / 100;
            double half = community ? 180 : 600;
            double glat = lat + ((g - 1) / 2) * 2 * half / 111320.0;
            double glon = lon + ((g - 1) % 2) * 2 * half / (111320.0 * std::cos(lat * M_PI / 180));
            row.polygon = polygon_square(glat, glon, half);
            GJ_TRY(store::grids::upsert(s, row));
            ++stats.grids;
            if (!first_grid_of_township.count(town.division.code)) {
              first_grid_of_township[town.division.code] = grid.code;
              first_village_of_township[town.division.code] = v.division.code;
            }
          }
        }
      }
      for (const char* dept : kDepartments) {
        std::string name = county->division.name + dept;
        auto id = store::units::upsert(s, {0, name, "department", geo.code});
        if (!id.ok()) return id.error();
        unit_ids[name] = *id;
        ++stats.units;
      }
    }
    GJ_TRY(store::settings::put(s, "demo", "1"));
    return store::settings::put(s, "demo_seed", std::to_string(seed));
  });
  if (!st.ok()) return st.error();
  if (progress.report) progress.report("grids", stats.grids, stats.grids);

  std::map<std::string, std::string> township_of = {{"qianyou", "611026001000"},
                                                    {"nanyuanmen", "610103001000"}};
  for (const auto& l : demo_logins()) {
    NewUser u;
    u.username = l.username;
    u.password = l.password;
    u.role = l.role;
    u.scope_code = l.scope_code;
    std::string prefix = l.username.substr(0, l.username.find('.'));
    if (l.role == "village") u.scope_code = first_village_of_township[township_of[prefix]];
    if (l.role == "grid_worker") u.scope_code = first_grid_of_township[township_of[prefix]];
    if (l.role == "department") {
      u.scope_code.clear();
      u.unit_id = unit_ids["柞水县住房和城乡建设局"];
    }
    u.display_name = l.description_zh;
    // Synthetic personal data so masking and audited reads can be seen working.
    u.phone = "139" + std::to_string(10000000 + rng() % 89999999);
    u.id_number =
        synthetic_id_number(l.scope_code.empty() ? "611026" : l.scope_code.substr(0, 6), rng);
    auto id = app.cli_add_user(u);
    if (!id.ok())
      return make_error(id.error().code, "demo user " + l.username + ": " + id.error().detail);
    if (l.role == "grid_worker") {
      Status gs = app.db().write([&](store::Session& s) -> Status {
        auto g = store::grids::get(s, u.scope_code);
        if (!g.ok()) return g.error();
        g->worker_user_id = *id;
        return store::grids::upsert(s, *g);
      });
      if (!gs.ok()) return gs.error();
    }
    ++stats.users;
  }
  return stats;
}

}  // namespace gj::app
