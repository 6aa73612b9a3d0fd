// Online backup of a SQLite store (SQLite backup API) and the integrity check used to verify it.
// The copy is written to DEST.partial and renamed into place only when complete, so an
// interrupted backup never leaves a file that looks like a good one.
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "store/db.hpp"

namespace gj::store {

namespace {

struct Conn {
  sqlite3* db = nullptr;
  ~Conn() {
    if (db) sqlite3_close_v2(db);
  }
};

Error sqlite_unavailable(sqlite3* db, const std::string& what) {
  return make_error(ErrorCode::kStorageUnavailable,
                    what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
}

// Pages copied per step: small enough for progress, large enough not to crawl.
constexpr int kPagesPerStep = 1024;
// A writer on another connection restarts an incremental backup; after this many restarts the
// rest is copied in one step (one read snapshot, writers continue in WAL meanwhile).
constexpr int kMaxRestarts = 3;

}  // namespace

Status backup_sqlite(const std::string& source_path, const std::string& dest_path,
                     const std::function<void(int done, int total)>& progress) {
  if (access(source_path.c_str(), R_OK) != 0) {
    return make_error(ErrorCode::kIo, "cannot read " + source_path);
  }
  Conn src, dst;
  if (sqlite3_open_v2(source_path.c_str(), &src.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return sqlite_unavailable(src.db, "open " + source_path);
  }
  sqlite3_busy_timeout(src.db, 10000);
  const std::string partial = dest_path + ".partial";
  std::remove(partial.c_str());
  if (sqlite3_open_v2(partial.c_str(), &dst.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    return sqlite_unavailable(dst.db, "open " + partial);
  }
  sqlite3_exec(dst.db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);

  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (!b) return sqlite_unavailable(dst.db, "backup");
  int restarts = 0, last_remaining = -1, step = kPagesPerStep;
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(b, step);
    int total = sqlite3_backup_pagecount(b);
    int remaining = sqlite3_backup_remaining(b);
    if (progress) progress(total - remaining, total);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (last_remaining >= 0 && remaining > last_remaining && ++restarts >= kMaxRestarts) {
        step = -1;
      }
      last_remaining = remaining;
      if (rc != SQLITE_OK) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    break;
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    Error e = sqlite_unavailable(dst.db, "backup step");
    std::remove(partial.c_str());
    return e;
  }
  // The copy inherits WAL mode from the source; switch it to a rollback journal so the backup
  // is one self-contained file (opening it with the store switches it back to WAL).
  if (sqlite3_exec(dst.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error e = sqlite_unavailable(dst.db, "finish " + partial);
    return e;
  }
  if (sqlite3_close_v2(dst.db) != SQLITE_OK) {
    dst.db = nullptr;
    return make_error(ErrorCode::kIo, "closing " + partial);
  }
  dst.db = nullptr;
  if (std::rename(partial.c_str(), dest_path.c_str()) != 0) {
    return make_error(ErrorCode::kIo, "rename " + partial + " to " + dest_path);
  }
  return {};
}

Status check_sqlite_integrity(const std::string& path) {
  if (access(path.c_str(), R_OK) != 0) return make_error(ErrorCode::kIo, "cannot read " + path);
  Conn c;
  if (sqlite3_open_v2(path.c_str(), &c.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return sqlite_unavailable(c.db, "open " + path);
  }
  sqlite3_busy_timeout(c.db, 10000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(c.db, "PRAGMA integrity_check", -1, &stmt, nullptr) != SQLITE_OK) {
    return sqlite_unavailable(c.db, "integrity_check " + path);
  }
  std::string first;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (first.empty()) first = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return sqlite_unavailable(c.db, "integrity_check " + path);
  if (first != "ok") {
    return make_error(ErrorCode::kStorageUnavailable, "integrity_check " + path + ": " + first);
  }
  return {};
}

}  // namespace gj::store
