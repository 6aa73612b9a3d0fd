#include "test_store.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

namespace gj::testing {

std::string backend_name(Backend b) {
  return b == Backend::kSqlite ? "sqlite" : "postgres";
}

Target new_target(Backend b) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::string suffix = std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                       std::to_string(rd() % 100000);
  if (b == Backend::kSqlite) {
    auto dir = std::filesystem::temp_directory_path() / ("gj_test_" + suffix);
    std::filesystem::create_directories(dir);
    return {(dir / "test.db").string(), ""};
  }
  const char* url = std::getenv("GJ_TEST_POSTGRES_URL");
  if (!url || !*url) return {"", "GJ_TEST_POSTGRES_URL not set"};
  std::string schema = "t_" + suffix;
  PGconn* c = PQconnectdb(url);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = PQerrorMessage(c);
    PQfinish(c);
    return {"", "cannot connect to PostgreSQL: " + why};
  }
  PQclear(PQexec(c, ("CREATE SCHEMA " + schema).c_str()));
  PQfinish(c);
  std::string u = url;
  return {u + (u.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema,
          ""};
}

TestStore open_test_store(Backend b, std::shared_ptr<store::FaultInjector> faults) {
  Target t = new_target(b);
  if (!t.skip.empty()) return {nullptr, t.skip};
  store::Options opt;
  opt.target = t.url;
  auto db = store::open_database(opt, faults);
  if (!db.ok()) return {nullptr, "open failed: " + db.error().detail};
  auto m = (*db)->migrate();
  if (!m.ok()) return {nullptr, "migrate failed: " + m.error().detail};
  return {std::move(*db), ""};
}

std::string square_polygon(double lat, double lon, double half_m) {
  using nlohmann::json;
  double dlat = half_m / 111320.0, dlon = half_m / (111320.0 * std::cos(lat * M_PI / 180));
  json ring = json::array({{lon - dlon, lat - dlat},
                           {lon + dlon, lat - dlat},
                           {lon + dlon, lat + dlat},
                           {lon - dlon, lat + dlat},
                           {lon - dlon, lat - dlat}});
  return json{{"type", "Polygon"}, {"coordinates", json::array({ring})}}.dump();
}

}  // namespace gj::testing
