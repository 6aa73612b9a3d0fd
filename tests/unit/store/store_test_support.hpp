// Real stores for the tests: a SQLite file in a fresh temporary directory, or a fresh schema on
// a real PostgreSQL 15 (GJ_TEST_POSTGRES_URL; else the CTest fixture's server; else one started
// here with scripts/pg-temp.sh and stopped when the test binary ends).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gj::store::testing {

// The base URL of the test PostgreSQL (starts one on first use if needed).
const std::string& postgres_url();
// Runs SQL on PostgreSQL outside the store (set-up, sabotage); throws on failure.
std::vector<std::vector<std::string>> pg_admin(const std::string& url, const std::string& sql);

// One empty store of a backend. Dropped (schema or directory removed) on destruction.
class FreshStore {
 public:
  explicit FreshStore(Backend backend);
  ~FreshStore();
  FreshStore(const FreshStore&) = delete;
  FreshStore& operator=(const FreshStore&) = delete;

  // Opens (or reopens) the store; fails the test on error.
  Database& open(Options options = {}, std::shared_ptr<FaultInjector> faults = nullptr);
  Database& db() { return *db_; }
  void close() {
    if (db_) db_->close();
  }
  // Options::target for this store (file path or URL with the schema on search_path).
  const std::string& target() const { return target_; }
  Backend backend() const { return backend_; }

 private:
  Backend backend_;
  std::string target_;
  std::string dir_;     // SQLite
  std::string schema_;  // PostgreSQL
  std::unique_ptr<Database> db_;
};

// Polls pred until true or the timeout; returns the last value.
bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace gj::store::testing

namespace gj::store {
// Readable parameter names in test output ("sqlite" rather than "4-byte object").
inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "sqlite" : "postgres");
}
}  // namespace gj::store
