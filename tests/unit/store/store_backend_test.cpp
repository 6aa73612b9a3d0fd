// Cases that only make sense on one backend: SQLite's file-level guarantees and online backup;
// PostgreSQL's lost connections.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store_test_support.hpp"

namespace gj::store {
namespace {

using testing::FreshStore;

const std::vector<Migration> kLiteSchema = {
    {1, "kv", "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL);"}};

Status put(Database& db, int64_t k, const std::string& v) {
  return db.write([&](Session& s) -> Status {
    GJ_TRY(s.exec("INSERT INTO kv (k, v) VALUES ($1, $2)", {k, v}));
    return {};
  });
}

int64_t count_rows(Database& db) {
  auto n = db.read_value<int64_t>([](Session& s) -> Result<int64_t> {
    auto r = s.query_one("SELECT count(*) FROM kv");
    if (!r.ok()) return r.error();
    return r->i64(0);
  });
  return n.ok() ? *n : -1;
}

TEST(SqliteStore, the_file_is_in_wal_mode_with_full_sync_and_foreign_keys) {
  FreshStore store(Backend::kSqlite);
  Database& db = store.open();
  auto r = db.write_value<Row>([](Session& s) -> Result<Row> {
    return s.query_one(
        "SELECT * FROM pragma_journal_mode, pragma_synchronous, pragma_foreign_keys");
  });
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->str(0), "wal");
  EXPECT_EQ(r->i64(1), 2);  // FULL
  EXPECT_EQ(r->i64(2), 1);
}

TEST(SqliteStore, close_checkpoints_so_the_wal_file_is_empty) {
  FreshStore store(Backend::kSqlite);
  Database& db = store.open();
  ASSERT_TRUE(apply_migrations(db, kLiteSchema).ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(put(db, i, "v").ok());
  db.close();
  std::error_code ec;
  auto wal = std::filesystem::file_size(store.target() + "-wal", ec);
  EXPECT_TRUE(ec || wal == 0) << "WAL still holds " << wal << " bytes";
  EXPECT_TRUE(check_sqlite_integrity(store.target()).ok());
}

// The writer's commits only wake the checkpointer thread (SQLite's automatic checkpoint, which
// ran inside the writer's COMMIT, is replaced): the WAL is still folded back and reused.
TEST(SqliteStore, a_background_thread_checkpoints_so_the_wal_stays_bounded) {
  FreshStore store(Backend::kSqlite);
  Options o;
  o.checkpoint_pages = 64;
  Database& db = store.open(o);
  ASSERT_TRUE(apply_migrations(db, kLiteSchema).ok());
  const std::string value(2000, 'x');  // about one page per commit
  constexpr int kCommits = 2000;
  for (int i = 0; i < kCommits; ++i) ASSERT_TRUE(put(db, i, value).ok());
  EXPECT_TRUE(testing::wait_until([&] { return db.writer_stats().checkpoints > 0; }));
  // Never checkpointed, the WAL would hold every commit's pages: over 8 MB here.
  auto wal = std::filesystem::file_size(store.target() + "-wal");
  EXPECT_LT(wal, 2u * 1024 * 1024) << "WAL grew to " << wal << " bytes";
  EXPECT_EQ(count_rows(db), kCommits);
  db.close();
  EXPECT_TRUE(check_sqlite_integrity(store.target()).ok());
}

TEST(SqliteStore, an_online_backup_taken_under_write_load_is_complete_and_passes_integrity_check) {
  FreshStore store(Backend::kSqlite);
  Database& db = store.open();
  ASSERT_TRUE(apply_migrations(db, kLiteSchema).ok());
  const std::string filler(2000, 'x');  // enough pages for several backup steps
  for (int i = 0; i < 3000; i += 100) {
    ASSERT_TRUE(db.write([&](Session& s) -> Status {
                    for (int j = i; j < i + 100; ++j) {
                      GJ_TRY(s.exec("INSERT INTO kv (k, v) VALUES ($1, $2)", {int64_t{j}, filler}));
                    }
                    return {};
                  }).ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> next{100000};
  std::thread load([&] {
    while (!stop) EXPECT_TRUE(put(db, next++, "during backup").ok());
  });
  const std::string copy = store.target() + ".backup";
  int calls = 0, last_done = 0, last_total = 0;
  Status st = backup_sqlite(store.target(), copy, [&](int done, int total) {
    ++calls;
    last_done = done;
    last_total = total;
  });
  stop = true;
  load.join();
  ASSERT_TRUE(st.ok()) << st.error().detail;
  EXPECT_GT(calls, 1);
  EXPECT_EQ(last_done, last_total);
  EXPECT_FALSE(std::filesystem::exists(copy + ".partial"));
  ASSERT_TRUE(check_sqlite_integrity(copy).ok());

  Options o;
  o.target = copy;
  auto restored = open_database(o);
  ASSERT_TRUE(restored.ok());
  auto n = (*restored)->read_value<int64_t>([](Session& s) -> Result<int64_t> {
    auto r = s.query_one("SELECT count(*) FROM kv WHERE k < 3000");
    if (!r.ok()) return r.error();
    return r->i64(0);
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3000);
  EXPECT_EQ(*(*restored)->schema_version(), 1);
}

TEST(SqliteStore, integrity_check_reports_a_damaged_file) {
  FreshStore store(Backend::kSqlite);
  Database& db = store.open();
  ASSERT_TRUE(apply_migrations(db, kLiteSchema).ok());
  ASSERT_TRUE(db.write([](Session& s) -> Status {
                  for (int i = 0; i < 2000; ++i) {
                    GJ_TRY(s.exec("INSERT INTO kv (k, v) VALUES ($1, $2)",
                                  {int64_t{i}, std::string(200, 'y')}));
                  }
                  return {};
                }).ok());
  db.close();
  {  // scribble over a page in the middle of the table's b-tree
    std::fstream f(store.target(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 20 + 100);
    std::string junk(300, '\xff');
    f.write(junk.data(), junk.size());
  }
  Status st = check_sqlite_integrity(store.target());
  EXPECT_FALSE(st.ok());
  Status missing = check_sqlite_integrity(store.target() + ".nope");
  EXPECT_FALSE(missing.ok());
}

TEST(SqliteStore, a_read_only_store_reads_but_refuses_writes) {
  FreshStore store(Backend::kSqlite);
  {
    Database& db = store.open();
    ASSERT_TRUE(apply_migrations(db, kLiteSchema).ok());
    ASSERT_TRUE(put(db, 1, "one").ok());
    db.close();
  }
  Options o;
  o.read_only = true;
  Database& ro = store.open(o);
  EXPECT_EQ(count_rows(ro), 1);
  EXPECT_FALSE(put(ro, 2, "two").ok());
}

TEST(PostgresStore, a_lost_writer_connection_answers_unavailable_then_reconnects) {
  FreshStore store(Backend::kPostgres);
  Database& db = store.open();
  ASSERT_TRUE(
      apply_migrations(db, {{1, "kv", "CREATE TABLE kv (k bigint PRIMARY KEY, v text);"}}).ok());
  auto pid = db.write_value<int64_t>([](Session& s) -> Result<int64_t> {
    auto r = s.query_one("SELECT pg_backend_pid()");
    if (!r.ok()) return r.error();
    return r->i64(0);
  });
  ASSERT_TRUE(pid.ok());
  const std::string p = std::to_string(*pid);
  testing::pg_admin(testing::postgres_url(), "SELECT pg_terminate_backend(" + p + ")");
  Status lost = put(db, 1, "lost");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kStorageUnavailable);
  EXPECT_EQ(db.writer_stats().failed_commits, 1u);
  ASSERT_TRUE(put(db, 2, "after reconnect").ok());
  EXPECT_EQ(count_rows(db), 1);
}

TEST(PostgresStore, a_lost_reader_connection_answers_unavailable_then_reconnects) {
  FreshStore store(Backend::kPostgres);
  Options o;
  o.readers = 1;
  Database& db = store.open(o);
  auto pid = db.read_value<int64_t>([](Session& s) -> Result<int64_t> {
    auto r = s.query_one("SELECT pg_backend_pid()");
    if (!r.ok()) return r.error();
    return r->i64(0);
  });
  ASSERT_TRUE(pid.ok());
  const std::string p = std::to_string(*pid);
  testing::pg_admin(testing::postgres_url(), "SELECT pg_terminate_backend(" + p + ")");
  Status lost = db.read([](Session& s) -> Status {
    GJ_TRY(s.query("SELECT 1"));
    return {};
  });
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kStorageUnavailable);
  Status again = db.read([](Session& s) -> Status {
    GJ_TRY(s.query("SELECT 1"));
    return {};
  });
  EXPECT_TRUE(again.ok()) << again.error().detail;
}

TEST(PostgresStore, an_unreachable_server_is_storage_unavailable_at_open) {
  Options o;
  o.target = "postgresql://gongjian@127.0.0.1:1/none?connect_timeout=2";
  auto r = open_database(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStorageUnavailable);
}

TEST(PostgresStore, two_nodes_on_one_server_migrate_together_and_both_write) {
  FreshStore store(Backend::kPostgres);
  Options o;
  o.target = store.target();
  auto a = open_database(o);
  auto b = open_database(o);
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<Migration> list = {{1, "kv", "CREATE TABLE kv (k bigint PRIMARY KEY, v text);"},
                                 {2, "idx", "CREATE INDEX kv_v ON kv (v);"}};
  Result<std::vector<int>> ra = std::vector<int>{}, rb = std::vector<int>{};
  std::thread ta([&] { ra = apply_migrations(**a, list); });
  std::thread tb([&] { rb = apply_migrations(**b, list); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.ok()) << ra.error().detail;
  ASSERT_TRUE(rb.ok()) << rb.error().detail;
  EXPECT_EQ(ra->size() + rb->size(), 2u);  // each migration applied exactly once
  ASSERT_TRUE(put(**a, 1, "from a").ok());
  ASSERT_TRUE(put(**b, 2, "from b").ok());
  Status dup = put(**b, 1, "again");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(count_rows(**a), 2);
}

}  // namespace
}  // namespace gj::store
