// The migration runner: numbered scripts applied in order, each in its own transaction through
// write(), recorded in schema_migrations. Safe to run on every start and from several nodes.
#include <algorithm>
#include <cstdio>
#include <set>

#include "store/db.hpp"

namespace gj::store {

namespace {

// pg_advisory_xact_lock key ("gj_mig"): nodes starting together migrate one after the other.
constexpr int64_t kMigrationLockKey = 0x676a5f6d6967;

Status lock_migrations(Backend backend, Session& s) {
  if (backend != Backend::kPostgres) return {};  // SQLite: BEGIN IMMEDIATE already serialises
  auto r = s.query("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey});
  if (!r.ok()) return r.error();
  return {};
}

const char* create_table_sql(Backend backend) {
  return backend == Backend::kSqlite
             ? "CREATE TABLE IF NOT EXISTS schema_migrations ("
               "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
             : "CREATE TABLE IF NOT EXISTS schema_migrations ("
               "version integer PRIMARY KEY, name text NOT NULL, "
               "applied_at timestamptz NOT NULL DEFAULT now())";
}

const char* record_sql(Backend backend) {
  return backend == Backend::kSqlite
             ? "INSERT INTO schema_migrations (version, name, applied_at) "
               "VALUES ($1, $2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
             : "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())";
}

std::string label(const Migration& m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d_", m.version);
  return buf + m.name;
}

}  // namespace

Result<std::vector<int>> apply_migrations(Database& db, const std::vector<Migration>& migrations) {
  std::vector<const Migration*> ordered;
  for (const auto& m : migrations) ordered.push_back(&m);
  std::sort(ordered.begin(), ordered.end(),
            [](auto* a, auto* b) { return a->version < b->version; });
  for (size_t i = 0; i < ordered.size(); ++i) {
    if (ordered[i]->version <= 0 || (i > 0 && ordered[i]->version == ordered[i - 1]->version)) {
      return make_error(ErrorCode::kInternal,
                        "migration versions must be positive and unique: " + label(*ordered[i]));
    }
  }

  const Backend backend = db.backend();
  std::set<int64_t> applied;
  GJ_TRY(db.write([&](Session& s) -> Status {
    GJ_TRY(lock_migrations(backend, s));
    GJ_TRY(s.exec(create_table_sql(backend)));
    auto rows = s.query("SELECT version FROM schema_migrations");
    if (!rows.ok()) return rows.error();
    for (const auto& r : *rows) applied.insert(r.i64(0));
    return {};
  }));

  std::vector<int> done;
  for (const Migration* m : ordered) {
    if (applied.count(m->version)) continue;
    bool ran = false;
    Status st = db.write([&](Session& s) -> Status {
      GJ_TRY(lock_migrations(backend, s));
      // Another node may have applied it since we looked; the lock makes this check exact.
      auto seen = s.query("SELECT 1 FROM schema_migrations WHERE version = $1",
                          {static_cast<int64_t>(m->version)});
      if (!seen.ok()) return seen.error();
      if (!seen->empty()) return {};
      GJ_TRY(s.exec_script(m->sql));
      GJ_TRY(s.exec(record_sql(backend), {static_cast<int64_t>(m->version), m->name}));
      ran = true;
      return {};
    });
    if (!st.ok()) {
      Error e = st.error();
      e.detail = "migration " + label(*m) + ": " + e.detail;
      return e;
    }
    if (ran) done.push_back(m->version);
  }
  return done;
}

Result<int> read_schema_version(Database& db) {
  const Backend backend = db.backend();
  return db.read_value<int>([&](Session& s) -> Result<int> {
    auto exists =
        s.query_one(backend == Backend::kSqlite
                        ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                          "'schema_migrations'"
                        : "SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!exists.ok()) return exists.error();
    if (exists->i64(0) == 0) return 0;
    auto v = s.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!v.ok()) return v.error();
    return static_cast<int>(v->i64(0));
  });
}

}  // namespace gj::store
