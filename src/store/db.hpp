// The storage seam: one small interface that both backends (embedded SQLite, PostgreSQL 15)
// implement. Repositories (src/store/repos) are written once against it; SQL text is portable
// (`$1`…`$n` placeholders, `RETURNING`, `ON CONFLICT`), kept as named constants in
// src/store/queries.hpp, with per-backend schema in numbered migrations.
//
// Writes go through one writer per process with group commit: many concurrent `write()` calls
// are committed in one transaction (each call inside its own savepoint, so one failing call
// rolls back only itself), and each caller is answered only after the commit is durable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace gj::store {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

struct Row {
  std::vector<Value> cols;
  bool is_null(size_t i) const { return std::holds_alternative<std::nullptr_t>(cols.at(i)); }
  int64_t i64(size_t i) const;      // integer (or numeric text) column; 0 if NULL
  double f64(size_t i) const;       // 0.0 if NULL
  std::string str(size_t i) const;  // text; "" if NULL; numbers are formatted
  std::optional<std::string> opt_str(size_t i) const;
};

using Params = std::vector<Value>;

enum class Backend { kSqlite, kPostgres };

// A connection inside an open transaction (read-only or read-write).
class Session {
 public:
  virtual ~Session() = default;
  // The SQL dialect on the other end (for the few statements written per backend).
  virtual Backend backend() const = 0;
  // Runs one statement with $1…$n parameters and returns all rows.
  virtual Result<std::vector<Row>> query(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement; returns the number of rows changed.
  virtual Result<int64_t> exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Status exec_script(std::string_view sql) = 0;

  // Convenience: first row, or kNotFound.
  Result<Row> query_one(std::string_view sql, const Params& params = {});
};

// Group-commit counters since open. calls/commits > 1 means calls shared a commit.
struct WriterStats {
  uint64_t calls = 0;           // write() calls taken by the writer
  uint64_t commits = 0;         // transactions committed (durable)
  uint64_t failed_commits = 0;  // groups answered kStorageUnavailable (commit/connection failed)
  uint64_t largest_group = 0;   // most calls in one commit so far
  uint64_t queued = 0;          // calls waiting for the writer right now
  uint64_t checkpoints = 0;     // SQLite: WAL checkpoints run by the background checkpointer
};

// One numbered schema migration (src/store/migrations/<backend>/NNNN_name.sql).
struct Migration {
  int version = 0;
  std::string name;
  std::string sql;  // a script of statements; no BEGIN/COMMIT (the runner owns the transaction)
};

struct Options {
  // SQLite: a file path. PostgreSQL: a libpq URL (postgresql://…).
  std::string target;
  int readers = 4;      // reader connections
  int max_group = 256;  // most write() calls in one commit
  bool read_only = false;
  // SQLite: the WAL size (pages) past which a commit wakes the background checkpointer; SQLite's
  // own automatic checkpoint uses the same default.
  int checkpoint_pages = 1000;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Backend backend() const = 0;

  // Durable write: `fn` runs in the writer's transaction (inside a savepoint). Returns after the
  // commit is on disk, or with fn's error (its changes rolled back), or kStorageUnavailable if the
  // commit failed (then nothing of this call is stored).
  virtual Status write(std::function<Status(Session&)> fn) = 0;
  // A consistent read on a reader connection (a snapshot for the duration of fn).
  virtual Status read(std::function<Status(Session&)> fn) = 0;

  // Applies pending numbered migrations (src/store/migrations/<backend>/NNNN_*.sql); returns
  // the number applied. Idempotent.
  virtual Result<int> migrate() = 0;
  virtual Result<int> schema_version() = 0;

  // Stops accepting writes, commits what is queued, checkpoints (SQLite) and closes.
  virtual void close() = 0;

  // Counters of the group-commit writer (tests assert grouping; benchmarks report it).
  virtual WriterStats writer_stats() const;

  // Typed helpers over write()/read().
  template <typename T>
  Result<T> write_value(std::function<Result<T>(Session&)> fn) {
    std::optional<T> out;
    Status st = write([&](Session& s) -> Status {
      auto r = fn(s);
      if (!r.ok()) return r.error();
      out = std::move(r).value();
      return {};
    });
    if (!st.ok()) return st.error();
    return std::move(*out);
  }
  template <typename T>
  Result<T> read_value(std::function<Result<T>(Session&)> fn) {
    std::optional<T> out;
    Status st = read([&](Session& s) -> Status {
      auto r = fn(s);
      if (!r.ok()) return r.error();
      out = std::move(r).value();
      return {};
    });
    if (!st.ok()) return st.error();
    return std::move(*out);
  }
};

// Fault injection seam (style.md §6; LevelDB's Env): when set, the backend asks it before each
// commit; returning true makes that commit fail as if fsync had failed.
struct FaultInjector {
  virtual ~FaultInjector() = default;
  virtual bool fail_commit() = 0;
};

// Opens a store: "postgresql://…" or "postgres://…" selects PostgreSQL, anything else is a
// SQLite file path. Does not migrate.
Result<std::unique_ptr<Database>> open_database(const Options& options,
                                                std::shared_ptr<FaultInjector> faults = nullptr);

// Online, consistent copy of a SQLite store to `dest` (SQLite backup API).
Status backup_sqlite(const std::string& source_path, const std::string& dest_path,
                     const std::function<void(int done, int total)>& progress = {});

// PRAGMA integrity_check on a SQLite file: ok, or kStorageUnavailable with the first problem.
Status check_sqlite_integrity(const std::string& path);

// The migrations compiled into this binary for a backend, ordered by version.
const std::vector<Migration>& embedded_migrations(Backend backend);

// The migration runner behind Database::migrate(): applies, in version order, each migration of
// `migrations` not yet recorded in schema_migrations, each in its own transaction (on PostgreSQL
// under an advisory lock, so several nodes may migrate at once). Returns the versions applied.
// Tests pass their own lists.
Result<std::vector<int>> apply_migrations(Database& db, const std::vector<Migration>& migrations);
// Highest version recorded in schema_migrations (0 when none or no table yet).
Result<int> read_schema_version(Database& db);

}  // namespace gj::store
