// Opens a fresh, migrated store for a test on either backend. PostgreSQL tests use
// $GJ_TEST_POSTGRES_URL (scripts/test.sh starts a server) with one new schema per store, so
// tests never see each other's rows; without the variable they are skipped with a message.
#pragma once

#include <memory>
#include <string>

#include "store/db.hpp"

namespace gj::testing {

enum class Backend { kSqlite, kPostgres };
std::string backend_name(Backend b);

struct TestStore {
  std::unique_ptr<store::Database> db;
  std::string skip_reason;  // non-empty: the backend is not available here
};

TestStore open_test_store(Backend b, std::shared_ptr<store::FaultInjector> faults = nullptr);

}  // namespace gj::testing
