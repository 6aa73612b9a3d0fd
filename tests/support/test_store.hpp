// Stores for tests on either backend. PostgreSQL tests use $GJ_TEST_POSTGRES_URL
// (scripts/test.sh starts a server) with one new schema per store, so tests never see each
// other's rows; without the variable they are skipped with a message.
#pragma once

#include <memory>
#include <string>

#include "store/db.hpp"

namespace gj::testing {

enum class Backend { kSqlite, kPostgres };
std::string backend_name(Backend b);

// A store location that can be opened again (restart tests): a new SQLite file, or a new
// PostgreSQL schema named in the URL. `skip` is non-empty when the backend is unavailable.
struct Target {
  std::string url;
  std::string skip;
};
Target new_target(Backend b);

struct TestStore {
  std::unique_ptr<store::Database> db;
  std::string skip_reason;  // non-empty: the backend is not available here
};

// A fresh, migrated store.
TestStore open_test_store(Backend b, std::shared_ptr<store::FaultInjector> faults = nullptr);

// A square GeoJSON polygon of `half_m` metres half-width around a point (test grids).
std::string square_polygon(double lat, double lon, double half_m);

}  // namespace gj::testing
