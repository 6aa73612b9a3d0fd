// SQLite backend: one writer connection driven by the GroupWriter thread, a pool of reader
// connections (WAL lets readers run beside the writer, each on its own snapshot).
// Durability: journal_mode=WAL + synchronous=FULL, so a commit returns only after the WAL is
// fsynced; never NORMAL, which can lose acknowledged writes on power loss (architecture.md).
// WAL checkpoints run on a checkpointer thread with a connection of its own, not inside the
// writer's COMMIT (see Checkpointer).
#include "store/sqlite_db.hpp"

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.hpp"
#include "store/group_writer.hpp"

namespace gj::store {

namespace {

constexpr int kBusyTimeoutMs = 10000;

// Process-wide SQLite settings, applied once before the first connection opens (sqlite3_config
// only works before the library initialises). Memory statistics off: with them on, every
// sqlite3_malloc/free of every connection takes one global mutex, which the reader pool and the
// writer then queue on (futex waits were ~12 % of the server's samples under the intake bench).
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// A cache that grows past this is cleared: dynamic SQL (IN lists of varying length) must not
// leak prepared statements.
constexpr size_t kMaxCachedStatements = 512;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string detail = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return make_error(ErrorCode::kAlreadyExists, detail);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return make_error(ErrorCode::kConflict, detail);
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return make_error(ErrorCode::kInvalidInput, detail);
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return make_error(ErrorCode::kConflict, detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return make_error(ErrorCode::kStorageUnavailable, detail);
    default:
      return make_error(ErrorCode::kInternal, detail);
  }
}

// One connection; also the Session handed to write()/read() functions.
class SqliteConnection final : public Session {
 public:
  SqliteConnection() = default;
  ~SqliteConnection() override { close(); }
  Backend backend() const override { return Backend::kSqlite; }

  enum class Kind { kWriter, kReader, kReadOnlyReader, kCheckpointer };

  Status open(const std::string& path, Kind kind) {
    const bool writer = kind == Kind::kWriter, read_only = kind == Kind::kReadOnlyReader;
    configure_sqlite_once();
    int flags = SQLITE_OPEN_NOMUTEX;  // one thread at a time uses a connection
    flags |= read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      Error e = sqlite_error(db_, rc, "open " + path);
      close();
      return make_error(ErrorCode::kStorageUnavailable, e.detail);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    if (writer) {
      // journal_mode=WAL is persistent in the file; the writer sets it once for everyone.
      auto mode = query("PRAGMA journal_mode=WAL", {});
      if (!mode.ok()) return mode.error();
      if (mode->empty() || mode->front().str(0) != "wal") {
        return make_error(ErrorCode::kStorageUnavailable, "could not switch to WAL: " + path);
      }
      // Each write() of a group of several runs in a savepoint, so SQLite copies every page a
      // call first touches to a sub-journal: keep it in memory (temp_store) rather than a temp file
      // written during the transaction; and a group of calls dirties more than the default 2 MB
      // page cache, which would spill pages into the WAL before the commit (bench/requests,
      // intake).
      GJ_TRY(
          exec_script("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                      "PRAGMA cache_size=-65536;"));
    } else if (kind == Kind::kCheckpointer) {
      // Copies WAL frames into the database file and syncs it: synchronous=FULL as the writer.
      GJ_TRY(exec_script("PRAGMA synchronous=FULL;"));
    } else {
      GJ_TRY(exec_script("PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"));
    }
    return {};
  }

  void close() {
    for (auto& [sql, p] : cache_) sqlite3_finalize(p.stmt);
    cache_.clear();
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
  }

  sqlite3* handle() { return db_; }

  Result<std::vector<Row>> query(std::string_view sql, const Params& params) override {
    std::vector<Row> rows;
    GJ_TRY(run(sql, params, &rows));
    return rows;
  }

  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    GJ_TRY(run(sql, params, nullptr));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status exec_script(std::string_view sql) override {
    std::string text(sql);
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
      std::string m = msg ? msg : sqlite3_errstr(rc);
      sqlite3_free(msg);
      Error e = sqlite_error(nullptr, sqlite3_extended_errcode(db_), "script");
      e.detail = "script: " + m;
      return e;
    }
    return {};
  }

  // Plain control statements (BEGIN, SAVEPOINT…) through the statement cache.
  Status control(const char* sql) { return run(sql, {}, nullptr); }

 private:
  // A cached statement and, for each of its parameters $1…$n in that order, SQLite's index of
  // it (0 when the text has no such name): SQLite numbers named parameters by first appearance,
  // so the names are looked up once here rather than on every call.
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> index_of;
  };

  Result<const Prepared*> prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return &it->second;
    if (cache_.size() >= kMaxCachedStatements) {
      for (auto& [s, p] : cache_) sqlite3_finalize(p.stmt);
      cache_.clear();
    }
    Prepared p;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &p.stmt, &tail);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
    if (!p.stmt) return make_error(ErrorCode::kInternal, "empty statement");
    int n = sqlite3_bind_parameter_count(p.stmt);
    p.index_of.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      char name[24];
      std::snprintf(name, sizeof name, "$%d", i + 1);
      p.index_of[static_cast<size_t>(i)] = sqlite3_bind_parameter_index(p.stmt, name);
    }
    return &cache_.emplace(std::string(sql), std::move(p)).first->second;
  }

  // Binds $1…$n by name, so the SQL text is the same as on PostgreSQL, then steps to the end.
  Status run(std::string_view sql, const Params& params, std::vector<Row>* rows) {
    auto prepared = prepare(sql);
    if (!prepared.ok()) return prepared.error();
    sqlite3_stmt* stmt = (*prepared)->stmt;
    const std::vector<int>& index_of = (*prepared)->index_of;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    // PostgreSQL rejects a parameter count that does not match the statement; so do we, so
    // that a mistake shows up on the embedded store in development already.
    if (index_of.size() != params.size()) {
      return make_error(ErrorCode::kInternal, "statement takes " + std::to_string(index_of.size()) +
                                                  " parameters, got " +
                                                  std::to_string(params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = index_of[i];
      if (idx == 0) {
        return make_error(ErrorCode::kInternal,
                          "statement has no parameter $" + std::to_string(i + 1));
      }
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto p = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *p);
      } else if (auto p = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *p);
      } else {
        const auto& s = std::get<std::string>(v);
        // SQLITE_STATIC: params outlives every step below, and the next call clears the
        // bindings before anything could read them again.
        rc = sqlite3_bind_text64(stmt, idx, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return sqlite_error(db_, rc, "bind");
    }
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error e = sqlite_error(db_, rc, "step");
        sqlite3_reset(stmt);
        return e;
      }
      if (!rows) continue;
      Row row;
      int n = sqlite3_column_count(stmt);
      row.cols.reserve(n);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            row.cols.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            row.cols.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_NULL:
            row.cols.emplace_back(nullptr);
            break;
          default: {  // TEXT and BLOB both come back as bytes
            auto p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
            row.cols.emplace_back(std::string(p ? p : "", sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows->push_back(std::move(row));
    }
    sqlite3_reset(stmt);  // releases the statement's read lock
    return {};
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;
};

class SqliteCommitTarget final : public detail::CommitTarget {
 public:
  explicit SqliteCommitTarget(SqliteConnection& c) : c_(c) {}
  Status ensure_connected() override { return {}; }
  Status begin() override { return c_.control("BEGIN IMMEDIATE"); }
  Status savepoint() override { return c_.control("SAVEPOINT gj_call"); }
  Status release() override { return c_.control("RELEASE gj_call"); }
  Status rollback_to() override {
    // An I/O error or SQLITE_FULL can roll back the whole transaction by itself; then there is
    // no savepoint left and the group must fail.
    if (sqlite3_get_autocommit(c_.handle())) {
      return make_error(ErrorCode::kStorageUnavailable, "transaction was rolled back by SQLite");
    }
    GJ_TRY(c_.control("ROLLBACK TO gj_call"));
    return c_.control("RELEASE gj_call");
  }
  Status commit() override {
    Status st = c_.control("COMMIT");
    if (!st.ok() && st.error().code != ErrorCode::kStorageUnavailable) {
      return make_error(ErrorCode::kStorageUnavailable, st.error().detail);
    }
    return st;
  }
  void rollback() override {
    if (!sqlite3_get_autocommit(c_.handle())) (void)c_.control("ROLLBACK");
  }
  Session& session() override { return c_; }

 private:
  SqliteConnection& c_;
};

// The background checkpointer. SQLite's automatic checkpoint (PASSIVE, once the WAL holds
// 1,000 pages) runs inside the COMMIT of the connection that crossed the line: here the single
// writer thread, so every caller of that group waited for it and the writer stopped meanwhile.
// It grows with the file (more distinct pages to copy and sync): 7 % of the server's samples
// under the intake bench on the demo store, 13 % once the store held 25,000 tickets.
//
// The writer's WAL hook (which replaces the automatic checkpoint) now wakes this thread past the
// threshold, and it copies the frames into the database file on its own connection while the
// writer goes on appending. A pass that runs beside the writer can never copy the frames
// appended meanwhile, though, and SQLite starts the WAL over only when a write transaction
// begins with every frame copied. So past twice the threshold the writer finishes the job
// itself, between two of its transactions: the background passes have copied all but the newest
// frames, so that checkpoint is short, and the next transaction starts the WAL over. It answers
// SQLITE_BUSY at once while a background pass holds the lock, and is tried after the next commit.
// Readers on older snapshots hold frames back exactly as they did with the automatic checkpoint.
class Checkpointer {
 public:
  Checkpointer(std::string path, int threshold_pages)
      : path_(std::move(path)), threshold_(threshold_pages < 1 ? 1 : threshold_pages) {}
  ~Checkpointer() { stop(); }

  Status start() {
    GJ_TRY(conn_.open(path_, SqliteConnection::Kind::kCheckpointer));
    thread_ = std::thread([this] { run(); });
    return {};
  }

  // Installs the WAL hook on the writer connection (replacing the automatic checkpoint).
  void attach(sqlite3* writer) { sqlite3_wal_hook(writer, &Checkpointer::on_commit, this); }

  // Joins the thread; a checkpoint in progress finishes first. Idempotent.
  void stop() {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    conn_.close();
  }

  // Background passes that completed (the writer's short finishing passes are not counted).
  uint64_t checkpoints() const { return done_.load(); }

 private:
  // Called by SQLite on the writer thread after each commit, with the WAL's size in pages.
  static int on_commit(void* self, sqlite3* writer, const char*, int pages) {
    auto* c = static_cast<Checkpointer*>(self);
    if (pages >= 2 * c->threshold_) {
      // SQLITE_BUSY while a background pass runs: tried again after the next commit.
      (void)sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= c->threshold_) {
      {
        std::lock_guard lk(c->mu_);
        c->pending_ = true;
      }
      c->cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void run() {
    for (;;) {
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return pending_ || stopping_; });
        if (stopping_) return;
        pending_ = false;
      }
      int rc = sqlite3_wal_checkpoint_v2(conn_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                         nullptr, nullptr);
      if (rc == SQLITE_OK) {
        done_.fetch_add(1);
      } else if ((rc & 0xff) != SQLITE_BUSY) {
        log::warn("store.checkpoint_failed", {{"detail", sqlite3_errmsg(conn_.handle())}});
      }
    }
  }

  const std::string path_;
  const int threshold_;
  SqliteConnection conn_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false, stopping_ = false;
  std::atomic<uint64_t> done_{0};
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(Options options, std::shared_ptr<FaultInjector> faults)
      : options_(std::move(options)), faults_(std::move(faults)) {}
  ~SqliteDatabase() override { close(); }

  Status open() {
    using Kind = SqliteConnection::Kind;
    if (!options_.read_only) {
      writer_conn_ = std::make_unique<SqliteConnection>();
      GJ_TRY(writer_conn_->open(options_.target, Kind::kWriter));
      checkpointer_ = std::make_unique<Checkpointer>(options_.target, options_.checkpoint_pages);
      GJ_TRY(checkpointer_->start());
      checkpointer_->attach(writer_conn_->handle());
    }
    int n = options_.readers < 1 ? 1 : options_.readers;
    for (int i = 0; i < n; ++i) {
      auto c = std::make_unique<SqliteConnection>();
      GJ_TRY(c->open(options_.target, options_.read_only ? Kind::kReadOnlyReader : Kind::kReader));
      free_.push_back(c.get());
      readers_.push_back(std::move(c));
    }
    if (writer_conn_) {
      target_ = std::make_unique<SqliteCommitTarget>(*writer_conn_);
      writer_ = std::make_unique<detail::GroupWriter>(*target_, options_.max_group, faults_);
    }
    return {};
  }

  Backend backend() const override { return Backend::kSqlite; }

  Status write(std::function<Status(Session&)> fn) override {
    if (!writer_) return make_error(ErrorCode::kStorageUnavailable, "store opened read-only");
    return writer_->submit(fn);
  }

  Status read(std::function<Status(Session&)> fn) override {
    SqliteConnection* c = nullptr;
    {
      std::unique_lock lk(pool_mu_);
      pool_cv_.wait(lk, [&] { return closed_ || !free_.empty(); });
      if (closed_) return make_error(ErrorCode::kShuttingDown, "store is closed");
      c = free_.back();
      free_.pop_back();
    }
    Status st = c->control("BEGIN");  // deferred: the snapshot starts at the first read
    if (st.ok()) {
      try {
        st = fn(*c);
      } catch (const std::exception& e) {
        st = make_error(ErrorCode::kInternal, std::string("exception in read: ") + e.what());
      }
      if (!sqlite3_get_autocommit(c->handle())) (void)c->control(st.ok() ? "COMMIT" : "ROLLBACK");
    }
    {
      std::lock_guard lk(pool_mu_);
      free_.push_back(c);
    }
    pool_cv_.notify_all();
    return st;
  }

  Result<int> migrate() override {
    auto applied = apply_migrations(*this, embedded_migrations(Backend::kSqlite));
    if (!applied.ok()) return applied.error();
    return static_cast<int>(applied->size());
  }
  Result<int> schema_version() override { return read_schema_version(*this); }

  void close() override {
    std::call_once(close_once_, [&] {
      if (writer_) writer_->stop();  // drains the queue
      {
        std::unique_lock lk(pool_mu_);
        closed_ = true;
        pool_cv_.notify_all();
        // Readers still inside read() finish first; their connections come back to the pool.
        pool_cv_.wait(lk, [&] { return free_.size() == readers_.size(); });
      }
      readers_.clear();
      // Before the final checkpoint below, which would otherwise find this one's lock held.
      if (checkpointer_) checkpointer_->stop();
      if (writer_conn_) {
        // Folds the WAL back into the main file and truncates it: the .db file alone is then a
        // complete copy (what operators expect to back up with cp when the server is down).
        auto r = writer_conn_->query("PRAGMA wal_checkpoint(TRUNCATE)", {});
        if (!r.ok()) log::warn("store.checkpoint_failed", {{"detail", r.error().detail}});
        writer_conn_->close();
      }
    });
  }

  WriterStats writer_stats() const override {
    WriterStats s = writer_ ? writer_->stats() : WriterStats{};
    if (checkpointer_) s.checkpoints = checkpointer_->checkpoints();
    return s;
  }

 private:
  Options options_;
  std::shared_ptr<FaultInjector> faults_;
  std::unique_ptr<SqliteConnection> writer_conn_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<SqliteCommitTarget> target_;
  std::unique_ptr<detail::GroupWriter> writer_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<SqliteConnection*> free_;
  bool closed_ = false;
  std::once_flag close_once_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const Options& options,
                                              std::shared_ptr<FaultInjector> faults) {
  auto db = std::make_unique<SqliteDatabase>(options, std::move(faults));
  GJ_TRY(db->open());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace gj::store
