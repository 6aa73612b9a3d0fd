#include "test_store.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace gj::testing {

std::string backend_name(Backend b) {
  return b == Backend::kSqlite ? "sqlite" : "postgres";
}

TestStore open_test_store(Backend b, std::shared_ptr<store::FaultInjector> faults) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::string suffix = std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                       std::to_string(rd() % 100000);
  store::Options opt;
  if (b == Backend::kSqlite) {
    auto dir = std::filesystem::temp_directory_path() / ("gj_test_" + suffix);
    std::filesystem::create_directories(dir);
    opt.target = (dir / "test.db").string();
  } else {
    const char* url = std::getenv("GJ_TEST_POSTGRES_URL");
    if (!url || !*url) return {nullptr, "GJ_TEST_POSTGRES_URL not set"};
    std::string schema = "t_" + suffix;
    PGconn* c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
      std::string why = PQerrorMessage(c);
      PQfinish(c);
      return {nullptr, "cannot connect to PostgreSQL: " + why};
    }
    PQclear(PQexec(c, ("CREATE SCHEMA " + schema).c_str()));
    PQfinish(c);
    std::string u = url;
    opt.target =
        u + (u.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
  }
  auto db = store::open_database(opt, faults);
  if (!db.ok()) return {nullptr, "open failed: " + db.error().detail};
  auto m = (*db)->migrate();
  if (!m.ok()) return {nullptr, "migrate failed: " + m.error().detail};
  return {std::move(*db), ""};
}

}  // namespace gj::testing
