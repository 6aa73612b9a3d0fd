// PostgreSQL backend: the same seam as SQLite. One writer connection with group commit (several
// app nodes each have their own writer on the shared server; PostgreSQL's row locks order them),
// and a pool of reader connections each reading a REPEATABLE READ snapshot.
// A lost connection answers kStorageUnavailable and is re-opened on the next call.
#include "store/postgres_db.hpp"

#include <libpq-fe.h>

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/group_writer.hpp"

namespace gj::store {

namespace {

// Type OIDs from pg_type.h (server headers are not needed for seven constants).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kOidOid = 26,
              kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

void ignore_notice(void*, const char*) {}  // "relation … already exists, skipping" and the like

Error classify(const char* sqlstate, std::string detail) {
  std::string s = sqlstate ? sqlstate : "";
  if (s.empty()) return make_error(ErrorCode::kStorageUnavailable, std::move(detail));
  if (s == "23505") return make_error(ErrorCode::kAlreadyExists, std::move(detail));
  if (s == "23503") return make_error(ErrorCode::kConflict, std::move(detail));
  if (s == "23502" || s == "23514" || s.rfind("22", 0) == 0) {
    return make_error(ErrorCode::kInvalidInput, std::move(detail));
  }
  if (s.rfind("23", 0) == 0) return make_error(ErrorCode::kConflict, std::move(detail));
  // Connection (08), resources (53), operator intervention (57: shutdown, cancel, timeouts),
  // system errors (58), serialization failure and deadlock (40): nothing was saved, try again.
  if (s.rfind("08", 0) == 0 || s.rfind("53", 0) == 0 || s.rfind("57", 0) == 0 ||
      s.rfind("58", 0) == 0 || s.rfind("40", 0) == 0) {
    return make_error(ErrorCode::kStorageUnavailable, std::move(detail));
  }
  return make_error(ErrorCode::kInternal, std::move(detail));
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Highest $n placeholder in sql, skipping literals, quoted names, comments and dollar quotes.
// PostgreSQL accepts surplus typed parameters silently; SQLite (and our contract) does not.
int max_placeholder(std::string_view sql) {
  int best = 0;
  size_t i = 0, n = sql.size();
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_word = [&](char c) {
    return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      bool backslash = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      for (++i; i < n; ++i) {
        if (backslash && sql[i] == '\\') {
          ++i;
        } else if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            ++i;  // doubled quote inside
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
    } else if (c == '$' && i + 1 < n && is_digit(sql[i + 1])) {
      int v = 0;
      for (++i; i < n && is_digit(sql[i]); ++i) v = v * 10 + (sql[i] - '0');
      if (v > best) best = v;
    } else if (c == '$' && !(i > 0 && is_word(sql[i - 1]))) {  // $tag$ … $tag$
      size_t close = i + 1;
      while (close < n && is_word(sql[close])) ++close;
      if (close >= n || sql[close] != '$') {
        ++i;
        continue;
      }
      std::string_view tag = sql.substr(i, close - i + 1);
      size_t end = sql.find(tag, close + 1);
      i = end == std::string_view::npos ? n : end + tag.size();
    } else {
      ++i;
    }
  }
  return best;
}

class PgConnection final : public Session {
 public:
  // `writer`: the node's one writing connection, which claims a write shard on each connect.
  explicit PgConnection(std::string url, bool writer = false)
      : url_(std::move(url)), writer_(writer) {}
  ~PgConnection() override { disconnect(); }
  Backend backend() const override { return Backend::kPostgres; }

  Status connect() {
    disconnect();
    // Defaults first: with expand_dbname the URL's own settings override them.
    const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                          nullptr};
    const char* vals[] = {"10", "gongjian", "UTF8", url_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, vals, 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = conn_ ? trim(PQerrorMessage(conn_)) : "out of memory";
      disconnect();
      return make_error(ErrorCode::kStorageUnavailable, "connect to PostgreSQL: " + msg);
    }
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    if (writer_) {
      auto st = claim_write_shard();
      if (!st.ok()) {
        disconnect();
        return make_error(ErrorCode::kStorageUnavailable, st.error().detail);
      }
    }
    return {};
  }

  // Hot rows 热点行: every ticket write adds to the counter rows of its county, city and
  // province (metric_counters, area_activity, dashboard_intake), so the writers of two nodes
  // would wait on those rows' locks for the whole of each other's group. Each writer adds to its
  // own shard of those tables instead (migration 0021: the shard column defaults to this
  // session's gongjian.write_shard) and readers sum the shards. The shard is the first of
  // kWriteShards whose session advisory lock is free, so two live writers never share one; the
  // lock goes with the connection. With every shard taken, writers share by process id.
  Status claim_write_shard() {
    constexpr int64_t kShardLockClass = 0x474A;  // "GJ"
    constexpr int kWriteShards = 32;
    int64_t shard = -1;
    for (int i = 0; i < kWriteShards && shard < 0; ++i) {
      auto got = query("SELECT CASE WHEN pg_try_advisory_lock($1::int, $2::int) THEN 1 ELSE 0 END",
                       {kShardLockClass, int64_t{i}});
      if (!got.ok()) return got.error();
      if (!got->empty() && got->front().i64(0) == 1) shard = i;
    }
    if (shard < 0) {
      auto pid = query("SELECT pg_backend_pid() % $1::int", {int64_t{kWriteShards}});
      if (!pid.ok()) return pid.error();
      shard = pid->empty() ? 0 : pid->front().i64(0);
    }
    auto set =
        query("SELECT set_config('gongjian.write_shard', $1, false)", {std::to_string(shard)});
    return set.ok() ? Status{} : Status(set.error());
  }
  void disconnect() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();  // prepared statements live and die with the server session
  }
  bool usable() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
  Status ensure() { return usable() ? Status{} : connect(); }
  PGconn* handle() { return conn_; }

  Result<std::vector<Row>> query(std::string_view sql, const Params& params) override {
    auto res = run(sql, params);
    if (!res.ok()) return res.error();
    PGresult* r = res->get();
    std::vector<Row> rows;
    int nrows = PQntuples(r), ncols = PQnfields(r);
    rows.reserve(nrows);
    std::vector<Oid> types(ncols);
    for (int c = 0; c < ncols; ++c) types[c] = PQftype(r, c);
    for (int i = 0; i < nrows; ++i) {
      Row row;
      row.cols.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(r, i, c)) {
          row.cols.emplace_back(nullptr);
          continue;
        }
        const char* v = PQgetvalue(r, i, c);
        switch (types[c]) {
          case kInt8Oid:
          case kInt4Oid:
          case kInt2Oid:
          case kOidOid:
            row.cols.emplace_back(static_cast<int64_t>(std::strtoll(v, nullptr, 10)));
            break;
          case kFloat4Oid:
          case kFloat8Oid:
          case kNumericOid:
            row.cols.emplace_back(std::strtod(v, nullptr));
            break;
          case kBoolOid:
            row.cols.emplace_back(static_cast<int64_t>(v[0] == 't' ? 1 : 0));
            break;
          default:
            row.cols.emplace_back(std::string(v, PQgetlength(r, i, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    auto res = run(sql, params);
    if (!res.ok()) return res.error();
    const char* n = PQcmdTuples(res->get());
    return static_cast<int64_t>(n && *n ? std::strtoll(n, nullptr, 10) : 0);
  }

  Status exec_script(std::string_view sql) override {
    if (!usable()) return make_error(ErrorCode::kStorageUnavailable, "no connection");
    GJ_TRY(flush_savepoints());
    std::string text(sql);
    ResultPtr r(PQexec(conn_, text.c_str()), &PQclear);
    return check(r.get(), "script");
  }

  // A control statement (BEGIN, SAVEPOINT…); returns the command tag.
  Result<std::string> control(const char* sql) {
    if (!usable()) return make_error(ErrorCode::kStorageUnavailable, "no connection");
    ResultPtr r(PQexec(conn_, sql), &PQclear);
    GJ_TRY(check(r.get(), sql));
    return std::string(PQcmdStatus(r.get()));
  }

  // Savepoints of the group-commit writer, sent lazily: the previous call's RELEASE and this
  // call's SAVEPOINT travel in one round trip just before the call's first statement, a call
  // that runs no statement costs none, and the last RELEASE is left to COMMIT. On a network
  // connection this halves the round trips per call (SAVEPOINT, RELEASE each cost one).
  void reset_savepoints() { release_pending_ = sp_pending_ = sp_active_ = false; }
  void defer_savepoint() { sp_pending_ = true; }
  Status end_call_ok() {
    if (sp_pending_) {
      sp_pending_ = false;  // the call ran nothing
    } else if (sp_active_) {
      sp_active_ = false;
      release_pending_ = true;
    }
    return {};
  }
  Status end_call_rollback() {
    if (sp_pending_) {
      sp_pending_ = false;
      return {};
    }
    if (!sp_active_) return make_error(ErrorCode::kStorageUnavailable, "no savepoint to undo");
    sp_active_ = false;
    GJ_TRY(control("ROLLBACK TO SAVEPOINT gj_call; RELEASE SAVEPOINT gj_call"));
    return {};
  }

 private:
  Result<ResultPtr> run(std::string_view sql, const Params& params) {
    if (!usable()) return make_error(ErrorCode::kStorageUnavailable, "no connection");
    if (static_cast<size_t>(max_placeholder(sql)) != params.size()) {
      return make_error(ErrorCode::kInternal,
                        "statement takes " + std::to_string(max_placeholder(sql)) +
                            " parameters, got " + std::to_string(params.size()));
    }
    std::string text(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size());
    // Integers and floats are sent typed (int8, float8) so `$1 + 1` or `LIMIT $1` resolve as on
    // SQLite; text and NULL go untyped, so the server coerces them to the column's type
    // (timestamptz, jsonb, varchar…).
    std::vector<Oid> types(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) {
        values[i] = nullptr;
        continue;
      }
      if (auto p = std::get_if<int64_t>(&v)) {
        storage[i] = std::to_string(*p);
        types[i] = kInt8Oid;
      } else if (auto p = std::get_if<double>(&v)) {
        if (std::isnan(*p)) {
          storage[i] = "NaN";
        } else if (std::isinf(*p)) {
          storage[i] = *p > 0 ? "Infinity" : "-Infinity";
        } else {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.17g", *p);
          storage[i] = buf;
        }
        types[i] = kFloat8Oid;
      } else {
        storage[i] = std::get<std::string>(v);
      }
      values[i] = storage[i].c_str();
    }
    const int n = static_cast<int>(params.size());
    Prepared prep = prepared_for(text, types);
    if (sp_pending_) return run_after_savepoint(text.c_str(), n, types.data(), values.data(), prep);
    if (prep.name && !prep.known) {
      // Inside a write call its savepoint is active, so a failed PREPARE aborts this call alone,
      // as the statement itself would have.
      ResultPtr p(PQprepare(conn_, prep.name->c_str(), text.c_str(), n, types.data()), &PQclear);
      GJ_TRY(check(p.get(), "prepare"));
      remember(prep);
    }
    ResultPtr r(
        prep.name ? PQexecPrepared(conn_, prep.name->c_str(), n, values.data(), nullptr, nullptr, 0)
                  : PQexecParams(conn_, text.c_str(), n, types.data(), values.data(), nullptr,
                                 nullptr, 0),
        &PQclear);
    GJ_TRY(check(r.get(), "query"));
    return r;
  }

  // The writer's statements, prepared once per connection: it sends the same few dozen texts all
  // day, and the server parsed and planned each one again on every call while the single writer
  // waited. Keyed by the text and the parameter types (a NULL where an integer was sent before
  // is another statement). Bounded: past kMaxPrepared texts (a multi-row VALUES list varies in
  // length) new ones run unprepared. Readers do not prepare: a generic plan could serve a
  // skewed search (duplicates, lists) worse than a plan made for its parameters.
  static constexpr size_t kMaxPrepared = 256;
  struct Prepared {
    const std::string* name = nullptr;  // null: run unprepared
    bool known = false;                 // already prepared on this connection
    std::string key, fresh_name;
  };
  Prepared prepared_for(const std::string& text, const std::vector<Oid>& types) {
    Prepared p;
    if (!writer_) return p;
    p.key = text;
    p.key.push_back('\0');
    for (Oid t : types) p.key += std::to_string(t) + ",";
    if (auto it = prepared_.find(p.key); it != prepared_.end()) {
      p.name = &it->second;
      p.known = true;
    } else if (prepared_.size() < kMaxPrepared) {
      p.fresh_name = "gj_w" + std::to_string(prepared_.size());
      p.name = &p.fresh_name;
    }
    return p;
  }
  void remember(const Prepared& p) {
    if (!p.known && p.name) prepared_.emplace(p.key, p.fresh_name);
  }

  // The first statement of a write call: the pending [RELEASE SAVEPOINT], SAVEPOINT and the
  // statement go out together in libpq pipeline mode, one round trip instead of two or three.
  // The server runs them in order and skips the rest after an error.
  // A statement the writer prepares for the first time is prepared in the same pipeline, after
  // the SAVEPOINT (a failed PREPARE then aborts this call alone).
  Result<ResultPtr> run_after_savepoint(const char* sql, int n, const Oid* types,
                                        const char* const* values, const Prepared& prep) {
    std::vector<const char*> controls;
    if (release_pending_) controls.push_back("RELEASE SAVEPOINT gj_call");
    controls.push_back("SAVEPOINT gj_call");
    sp_pending_ = release_pending_ = false;
    if (!PQenterPipelineMode(conn_)) {  // not idle: should not happen; take the slow path
      for (const char* c : controls) {
        auto r = control(c);
        if (!r.ok()) return make_error(ErrorCode::kStorageUnavailable, r.error().detail);
      }
      sp_active_ = true;
      ResultPtr r(PQexecParams(conn_, sql, n, types, values, nullptr, nullptr, 0), &PQclear);
      GJ_TRY(check(r.get(), "query"));
      return r;
    }
    const bool prepare = prep.name && !prep.known;
    const size_t queries = controls.size() + (prepare ? 1 : 0) + 1;
    bool sent = true;
    for (const char* c : controls) {
      sent = sent && PQsendQueryParams(conn_, c, 0, nullptr, nullptr, nullptr, nullptr, 0);
    }
    if (prepare) sent = sent && PQsendPrepare(conn_, prep.name->c_str(), sql, n, types);
    sent =
        sent &&
        (prep.name ? PQsendQueryPrepared(conn_, prep.name->c_str(), n, values, nullptr, nullptr, 0)
                   : PQsendQueryParams(conn_, sql, n, types, values, nullptr, nullptr, 0));
    sent = sent && PQpipelineSync(conn_);
    std::vector<ResultPtr> results;
    for (size_t i = 0; i < queries; ++i) results.emplace_back(nullptr, &PQclear);
    if (sent) {
      // Each query's results end with a NULL; the sync point answers PGRES_PIPELINE_SYNC.
      // A broken connection answers NULL for ever, hence the bound on q.
      for (size_t q = 0; q <= queries + 1;) {
        PGresult* r = PQgetResult(conn_);
        if (!r) {
          ++q;
          continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
          PQclear(r);
          break;
        }
        if (q < queries && !results[q]) {
          results[q].reset(r);
        } else {
          PQclear(r);
        }
      }
    }
    if (!PQexitPipelineMode(conn_) && conn_) {
      // Results we could not account for: this connection's state is unknown; drop it.
      disconnect();
      return make_error(ErrorCode::kStorageUnavailable, "lost track of a pipelined query");
    }
    for (size_t i = 0; i < controls.size(); ++i) {
      Status st = check(results[i].get(), controls[i]);
      if (!st.ok()) return make_error(ErrorCode::kStorageUnavailable, st.error().detail);
    }
    sp_active_ = true;
    if (prepare) {
      GJ_TRY(check(results[controls.size()].get(), "prepare"));
      remember(prep);
    }
    GJ_TRY(check(results.back().get(), "query"));
    return std::move(results.back());
  }

  Status flush_savepoints() {
    if (!sp_pending_) return {};
    const char* sql =
        release_pending_ ? "RELEASE SAVEPOINT gj_call; SAVEPOINT gj_call" : "SAVEPOINT gj_call";
    sp_pending_ = release_pending_ = false;
    auto r = control(sql);
    if (!r.ok()) return make_error(ErrorCode::kStorageUnavailable, r.error().detail);
    sp_active_ = true;
    return {};
  }

  Status check(PGresult* r, std::string_view what) {
    if (!conn_)
      return make_error(ErrorCode::kStorageUnavailable, std::string(what) + ": no connection");
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY) return {};
    std::string msg = r ? trim(PQresultErrorMessage(r)) : "";
    if (msg.empty()) msg = trim(PQerrorMessage(conn_));
    std::string detail = std::string(what) + ": " + msg;
    if (PQstatus(conn_) != CONNECTION_OK) {
      return make_error(ErrorCode::kStorageUnavailable, detail);
    }
    return classify(r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr, detail);
  }

  std::string url_;
  bool writer_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // key → statement name (writer)
  PGconn* conn_ = nullptr;
  bool release_pending_ = false, sp_pending_ = false, sp_active_ = false;
};

Status as_unavailable(Status st) {
  if (st.ok() || st.error().code == ErrorCode::kStorageUnavailable) return st;
  return make_error(ErrorCode::kStorageUnavailable, st.error().detail);
}

class PgCommitTarget final : public detail::CommitTarget {
 public:
  explicit PgCommitTarget(PgConnection& c) : c_(c) {}
  Status ensure_connected() override { return c_.ensure(); }
  Status begin() override {
    c_.reset_savepoints();
    return tag(c_.control("BEGIN"));
  }
  Status savepoint() override {
    c_.defer_savepoint();
    return {};
  }
  Status release() override {
    if (c_.usable() && PQtransactionStatus(c_.handle()) == PQTRANS_INERROR) {
      // The call swallowed a failed statement and returned OK; its transaction is aborted. Undo
      // this call only and tell its caller (SQLite would have kept the other statements).
      GJ_TRY(rollback_to());
      return make_error(ErrorCode::kInternal, "a statement failed inside a write that returned OK");
    }
    return c_.end_call_ok();
  }
  Status end_lone_call() override {
    if (c_.usable() && PQtransactionStatus(c_.handle()) == PQTRANS_INERROR)
      return make_error(ErrorCode::kInternal, "a statement failed inside a write that returned OK");
    return {};
  }
  Status rollback_to() override {
    // After a failed statement the transaction is aborted until this rollback; it brings the
    // group back to where the call started.
    return as_unavailable(c_.end_call_rollback());
  }
  Status commit() override {
    c_.reset_savepoints();  // COMMIT releases the last savepoint too
    auto r = c_.control("COMMIT");
    if (!r.ok()) return as_unavailable(r.error());
    // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK.
    if (*r != "COMMIT") {
      return make_error(ErrorCode::kStorageUnavailable, "transaction was rolled back: " + *r);
    }
    return {};
  }
  void rollback() override {
    c_.reset_savepoints();
    if (c_.usable() && PQtransactionStatus(c_.handle()) != PQTRANS_IDLE) {
      (void)c_.control("ROLLBACK");
    }
  }
  Session& session() override { return c_; }

 private:
  static Status tag(const Result<std::string>& r) {
    if (r.ok()) return {};
    return as_unavailable(r.error());
  }
  PgConnection& c_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(Options options, std::shared_ptr<FaultInjector> faults)
      : options_(std::move(options)), faults_(std::move(faults)) {}
  ~PostgresDatabase() override { close(); }

  Status open() {
    if (!options_.read_only) {
      writer_conn_ = std::make_unique<PgConnection>(options_.target, /*writer=*/true);
      GJ_TRY(writer_conn_->connect());
    }
    int n = options_.readers < 1 ? 1 : options_.readers;
    for (int i = 0; i < n; ++i) {
      auto c = std::make_unique<PgConnection>(options_.target);
      GJ_TRY(c->connect());
      free_.push_back(c.get());
      readers_.push_back(std::move(c));
    }
    if (writer_conn_) {
      target_ = std::make_unique<PgCommitTarget>(*writer_conn_);
      writer_ = std::make_unique<detail::GroupWriter>(*target_, options_.max_group, faults_);
    }
    return {};
  }

  Backend backend() const override { return Backend::kPostgres; }

  Status write(std::function<Status(Session&)> fn) override {
    if (!writer_) return make_error(ErrorCode::kStorageUnavailable, "store opened read-only");
    return writer_->submit(fn);
  }

  Status read(std::function<Status(Session&)> fn) override {
    PgConnection* c = nullptr;
    {
      std::unique_lock lk(pool_mu_);
      pool_cv_.wait(lk, [&] { return closed_ || !free_.empty(); });
      if (closed_) return make_error(ErrorCode::kShuttingDown, "store is closed");
      c = free_.back();
      free_.pop_back();
    }
    Status st = c->ensure();
    if (st.ok()) {
      auto begun = c->control("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      if (!begun.ok()) st = as_unavailable(begun.error());
    }
    if (st.ok()) {
      try {
        st = fn(*c);
      } catch (const std::exception& e) {
        st = make_error(ErrorCode::kInternal, std::string("exception in read: ") + e.what());
      }
      if (c->usable() && PQtransactionStatus(c->handle()) != PQTRANS_IDLE) {
        auto end = c->control(st.ok() ? "COMMIT" : "ROLLBACK");
        if (st.ok() && !end.ok()) st = as_unavailable(end.error());
      }
    }
    {
      std::lock_guard lk(pool_mu_);
      free_.push_back(c);
    }
    pool_cv_.notify_all();
    return st;
  }

  Result<int> migrate() override {
    auto applied = apply_migrations(*this, embedded_migrations(Backend::kPostgres));
    if (!applied.ok()) return applied.error();
    return static_cast<int>(applied->size());
  }
  Result<int> schema_version() override { return read_schema_version(*this); }

  void close() override {
    std::call_once(close_once_, [&] {
      if (writer_) writer_->stop();
      {
        std::unique_lock lk(pool_mu_);
        closed_ = true;
        pool_cv_.notify_all();
        pool_cv_.wait(lk, [&] { return free_.size() == readers_.size(); });
      }
      readers_.clear();
      if (writer_conn_) writer_conn_->disconnect();
    });
  }

  WriterStats writer_stats() const override { return writer_ ? writer_->stats() : WriterStats{}; }

 private:
  Options options_;
  std::shared_ptr<FaultInjector> faults_;
  std::unique_ptr<PgConnection> writer_conn_;
  std::unique_ptr<PgCommitTarget> target_;
  std::unique_ptr<detail::GroupWriter> writer_;
  std::vector<std::unique_ptr<PgConnection>> readers_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<PgConnection*> free_;
  bool closed_ = false;
  std::once_flag close_once_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const Options& options,
                                                std::shared_ptr<FaultInjector> faults) {
  auto db = std::make_unique<PostgresDatabase>(options, std::move(faults));
  GJ_TRY(db->open());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace gj::store
