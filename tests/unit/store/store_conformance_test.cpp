// One conformance suite for the storage seam: every case runs on SQLite and on PostgreSQL 15
// (style.md §3), against real servers and files.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "store_test_support.hpp"

namespace gj::store {
namespace {

using testing::FreshStore;
using testing::wait_until;

// Test-only schema: the product schema is the integrator's (src/store/migrations).
std::vector<Migration> item_schema(Backend b) {
  if (b == Backend::kSqlite) {
    return {{1, "items",
             "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
             "qty INTEGER, price REAL, note TEXT);"}};
  }
  return {{1, "items",
           "CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, "
           "qty bigint, price double precision, note text);"}};
}

constexpr const char* kInsert =
    "INSERT INTO item (name, qty, price, note) VALUES ($1, $2, $3, $4) RETURNING id";

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = std::make_unique<FreshStore>(GetParam());
    open();
  }
  void TearDown() override {
    if (store_) store_->close();
    store_.reset();
  }
  Database& open(Options o = {}, std::shared_ptr<FaultInjector> faults = nullptr) {
    Database& db = store_->open(o, std::move(faults));
    auto applied = apply_migrations(db, item_schema(GetParam()));
    EXPECT_TRUE(applied.ok()) << applied.error().detail;
    return db;
  }
  Database& db() { return store_->db(); }

  Status insert(const std::string& name, int64_t qty = 1) {
    return db().write([&](Session& s) -> Status {
      GJ_TRY(s.exec(kInsert, {name, qty, nullptr, nullptr}));
      return {};
    });
  }
  int64_t count(const std::string& where = "1 = 1") {
    auto n = db().read_value<int64_t>([&](Session& s) -> Result<int64_t> {
      auto r = s.query_one("SELECT count(*) FROM item WHERE " + where);
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
    EXPECT_TRUE(n.ok()) << n.error().detail;
    return n.ok() ? *n : -1;
  }

  // Occupies the writer with one call until the returned promise is set, so that the calls
  // queued meanwhile are taken as one group: grouping becomes deterministic, not a race.
  struct Blocker {
    std::promise<void> release;
    std::thread thread;
    Status result;
  };
  std::unique_ptr<Blocker> block_writer() {
    auto b = std::make_unique<Blocker>();
    uint64_t before = db().writer_stats().calls;
    auto gate = b->release.get_future().share();
    b->thread = std::thread([this, gate, raw = b.get()] {
      raw->result = db().write([gate](Session&) -> Status {
        gate.wait();
        return {};
      });
    });
    EXPECT_TRUE(wait_until([&] { return db().writer_stats().calls == before + 1; }));
    return b;
  }
  void wait_queued(uint64_t n) {
    EXPECT_TRUE(wait_until([&] { return db().writer_stats().queued == n; }))
        << "queued=" << db().writer_stats().queued << " want " << n;
  }

  std::unique_ptr<FreshStore> store_;
};

TEST_P(StoreConformance, values_round_trip_with_unicode_big_integers_and_null) {
  const std::string unicode = "共建 网格员 — Ünïcödé 😀 \"quoted\" 'single' \\ back";
  const int64_t big = std::numeric_limits<int64_t>::max();
  const int64_t small = std::numeric_limits<int64_t>::min();
  ASSERT_TRUE(db().write([&](Session& s) -> Status {
                    GJ_TRY(s.exec(kInsert, {unicode, big, 3.141592653589793, nullptr}));
                    GJ_TRY(s.exec(kInsert, {std::string("b"), small, -0.5, std::string()}));
                    return {};
                  })
                  .ok());
  auto rows = db().read_value<std::vector<Row>>(
      [&](Session& s) { return s.query("SELECT name, qty, price, note FROM item ORDER BY id"); });
  ASSERT_TRUE(rows.ok()) << rows.error().detail;
  ASSERT_EQ(rows->size(), 2u);
  const Row& a = (*rows)[0];
  EXPECT_EQ(a.str(0), unicode);
  EXPECT_EQ(a.i64(1), big);
  EXPECT_TRUE(std::holds_alternative<int64_t>(a.cols[1]));
  EXPECT_DOUBLE_EQ(a.f64(2), 3.141592653589793);
  EXPECT_TRUE(std::holds_alternative<double>(a.cols[2]));
  EXPECT_TRUE(a.is_null(3));
  EXPECT_EQ(a.opt_str(3), std::nullopt);
  const Row& b = (*rows)[1];
  EXPECT_EQ(b.i64(1), small);
  EXPECT_DOUBLE_EQ(b.f64(2), -0.5);
  EXPECT_FALSE(b.is_null(3));
  EXPECT_EQ(b.opt_str(3), std::string());

  // Parameters straight back out, without a table in between.
  auto echo = db().read_value<Row>([&](Session& s) {
    return s.query_one("SELECT $1, $2, $3, $4", {big, 0.25, unicode, nullptr});
  });
  ASSERT_TRUE(echo.ok()) << echo.error().detail;
  EXPECT_EQ(echo->i64(0), big);
  EXPECT_DOUBLE_EQ(echo->f64(1), 0.25);
  EXPECT_EQ(echo->str(2), unicode);
  EXPECT_TRUE(echo->is_null(3));
}

TEST_P(StoreConformance, parameters_are_bound_by_number_in_any_order_and_may_repeat) {
  auto r = db().read_value<Row>([&](Session& s) {
    return s.query_one("SELECT $2 || '-' || $1, $1 || $1", {std::string("a"), std::string("b")});
  });
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->str(0), "b-a");
  EXPECT_EQ(r->str(1), "aa");
  // A "$2" inside a literal or a comment is text, not a parameter.
  auto lit = db().read_value<Row>(
      [&](Session& s) { return s.query_one("SELECT '$2 it''s text', $1 -- $3\n", {int64_t{7}}); });
  ASSERT_TRUE(lit.ok()) << lit.error().detail;
  EXPECT_EQ(lit->str(0), "$2 it's text");
  EXPECT_EQ(lit->i64(1), 7);
}

TEST_P(StoreConformance, a_wrong_parameter_count_is_an_error_not_a_silent_null) {
  auto r = db().read_value<Row>([&](Session& s) {
    return s.query_one("SELECT $1", {int64_t{1}, int64_t{2}});
  });
  EXPECT_FALSE(r.ok());
}

TEST_P(StoreConformance, returning_gives_the_generated_ids) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = db().write_value<int64_t>([&](Session& s) -> Result<int64_t> {
      auto row = s.query_one(kInsert, {"n" + std::to_string(i), int64_t{i}, 1.5, nullptr});
      if (!row.ok()) return row.error();
      return row->i64(0);
    });
    ASSERT_TRUE(id.ok()) << id.error().detail;
    ids.push_back(*id);
  }
  EXPECT_GT(ids[0], 0);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
  auto name = db().read_value<std::string>([&](Session& s) -> Result<std::string> {
    auto r = s.query_one("SELECT name FROM item WHERE id = $1", {ids[1]});
    if (!r.ok()) return r.error();
    return r->str(0);
  });
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "n1");
}

TEST_P(StoreConformance, on_conflict_updates_the_existing_row) {
  const char* upsert =
      "INSERT INTO item (name, qty) VALUES ($1, $2) "
      "ON CONFLICT (name) DO UPDATE SET qty = item.qty + excluded.qty RETURNING qty";
  for (int64_t add : {5, 7}) {
    auto qty = db().write_value<int64_t>([&](Session& s) -> Result<int64_t> {
      auto r = s.query_one(upsert, {std::string("rice"), add});
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
    ASSERT_TRUE(qty.ok()) << qty.error().detail;
    EXPECT_EQ(*qty, add == 5 ? 5 : 12);
  }
  auto nothing = db().write_value<int64_t>([&](Session& s) {
    return s.exec("INSERT INTO item (name, qty) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                  {std::string("rice"), int64_t{1}});
  });
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(*nothing, 0);
  EXPECT_EQ(count(), 1);
}

TEST_P(StoreConformance, exec_reports_the_number_of_rows_changed) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(insert("r" + std::to_string(i), i).ok());
  auto changed = db().write_value<int64_t>([&](Session& s) {
    return s.exec("UPDATE item SET note = $1 WHERE qty >= $2", {std::string("x"), int64_t{2}});
  });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 2);
}

TEST_P(StoreConformance, constraint_violations_map_to_catalogue_codes) {
  ASSERT_TRUE(insert("dup").ok());
  Status again = insert("dup");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  Status null_name = db().write([&](Session& s) -> Status {
    GJ_TRY(s.exec("INSERT INTO item (name) VALUES ($1)", {nullptr}));
    return {};
  });
  ASSERT_FALSE(null_name.ok());
  EXPECT_EQ(null_name.error().code, ErrorCode::kInvalidInput);
  auto missing = db().read_value<Row>(
      [&](Session& s) { return s.query_one("SELECT id FROM item WHERE name = 'none'"); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count(), 1);
}

TEST_P(StoreConformance, a_failing_call_in_a_group_rolls_back_only_itself) {
  ASSERT_TRUE(insert("taken").ok());
  auto blocker = block_writer();
  uint64_t commits_before = db().writer_stats().commits;
  Status ok1, failing, ok2;
  std::thread t1([&] { ok1 = insert("first"); });
  wait_queued(1);
  std::thread t2([&] {
    failing = db().write([&](Session& s) -> Status {
      GJ_TRY(s.exec(kInsert, {std::string("half-done"), int64_t{1}, nullptr, nullptr}));
      GJ_TRY(s.exec(kInsert, {std::string("taken"), int64_t{1}, nullptr, nullptr}));  // dup
      return {};
    });
  });
  wait_queued(2);
  std::thread t3([&] { ok2 = insert("third"); });
  wait_queued(3);
  blocker->release.set_value();
  blocker->thread.join();
  t1.join();
  t2.join();
  t3.join();
  ASSERT_TRUE(blocker->result.ok());
  EXPECT_TRUE(ok1.ok()) << ok1.error().detail;
  EXPECT_TRUE(ok2.ok()) << ok2.error().detail;
  ASSERT_FALSE(failing.ok());
  EXPECT_EQ(failing.error().code, ErrorCode::kAlreadyExists);
  // The blocker's commit and then one commit for the three queued calls.
  EXPECT_EQ(db().writer_stats().commits - commits_before, 2u);
  EXPECT_EQ(count("name IN ('first', 'third')"), 2);
  EXPECT_EQ(count("name = 'half-done'"), 0);
  EXPECT_EQ(count(), 3);
}

// A statement the server cannot even parse (PostgreSQL's writer prepares its statements, the
// first of a call in the same pipeline as its SAVEPOINT) fails its own call only, as the first
// statement of a call and later in one; the same texts then run again (prepared once).
TEST_P(StoreConformance, an_unparsable_statement_fails_only_its_call_and_the_writer_goes_on) {
  auto blocker = block_writer();
  Status ok1, first_bad, later_bad, ok2;
  std::thread t1([&] { ok1 = insert("before"); });
  wait_queued(1);
  std::thread t2([&] {
    first_bad = db().write([&](Session& s) -> Status {
      GJ_TRY(s.query("SELECT * FROM no_such_table WHERE x = $1", {int64_t{1}}));
      return {};
    });
  });
  wait_queued(2);
  std::thread t3([&] {
    later_bad = db().write([&](Session& s) -> Status {
      GJ_TRY(s.exec(kInsert, {std::string("undone"), int64_t{1}, nullptr, nullptr}));
      GJ_TRY(s.query("SELEC 1"));
      return {};
    });
  });
  wait_queued(3);
  std::thread t4([&] { ok2 = insert("after"); });
  wait_queued(4);
  blocker->release.set_value();
  blocker->thread.join();
  for (auto* t : {&t1, &t2, &t3, &t4}) t->join();
  EXPECT_TRUE(ok1.ok()) << ok1.error().detail;
  EXPECT_TRUE(ok2.ok()) << ok2.error().detail;
  EXPECT_FALSE(first_bad.ok());
  EXPECT_FALSE(later_bad.ok());
  EXPECT_EQ(count("name IN ('before', 'after')"), 2);
  EXPECT_EQ(count("name = 'undone'"), 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(insert("again" + std::to_string(i)).ok());
    EXPECT_FALSE(db().write([&](Session& s) -> Status {
                       GJ_TRY(s.query("SELECT * FROM no_such_table WHERE x = $1", {int64_t{1}}));
                       return {};
                     })
                     .ok());
  }
  EXPECT_EQ(count("name LIKE 'again%'"), 3);
}

TEST_P(StoreConformance, concurrent_writers_are_all_stored_and_share_commits) {
  constexpr int kThreads = 8, kPerThread = 200;
  WriterStats before = db().writer_stats();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!insert("t" + std::to_string(t) + "-" + std::to_string(i), t).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count(), kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(count("qty = " + std::to_string(t)), kPerThread);
  }
  WriterStats after = db().writer_stats();
  EXPECT_EQ(after.calls - before.calls, uint64_t{kThreads * kPerThread});
  // Grouping happened: fewer commits than calls (each commit is one fsync).
  EXPECT_LT(after.commits - before.commits, uint64_t{kThreads * kPerThread});
  EXPECT_GT(after.largest_group, 1u);
}

TEST_P(StoreConformance, one_row_per_commit_when_max_group_is_one) {
  store_->close();
  Options o;
  o.max_group = 1;
  open(o);
  WriterStats before = db().writer_stats();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i)
        EXPECT_TRUE(insert(std::to_string(t) + "/" + std::to_string(i)).ok());
    });
  }
  for (auto& th : threads) th.join();
  WriterStats after = db().writer_stats();
  EXPECT_EQ(after.commits - before.commits, 80u);
  EXPECT_EQ(after.largest_group, 1u);
}

TEST_P(StoreConformance, reads_see_committed_data_and_keep_their_snapshot) {
  ASSERT_TRUE(insert("one").ok());
  EXPECT_EQ(count(), 1);  // a write that returned is visible to the next read
  std::promise<void> first_read_done, write_done;
  auto first = first_read_done.get_future();
  auto written = write_done.get_future();
  std::thread writer([&] {
    first.wait();
    EXPECT_TRUE(insert("two").ok());
    write_done.set_value();
  });
  int64_t inside_before = -1, inside_after = -1;
  Status st = db().read([&](Session& s) -> Status {
    auto a = s.query_one("SELECT count(*) FROM item");
    if (!a.ok()) return a.error();
    inside_before = a->i64(0);
    first_read_done.set_value();
    written.wait();  // a commit lands while this read is open
    auto b = s.query_one("SELECT count(*) FROM item");
    if (!b.ok()) return b.error();
    inside_after = b->i64(0);
    return {};
  });
  writer.join();
  ASSERT_TRUE(st.ok()) << st.error().detail;
  EXPECT_EQ(inside_before, 1);
  EXPECT_EQ(inside_after, 1);  // the snapshot holds for the whole read
  EXPECT_EQ(count(), 2);       // a new read sees the commit
}

TEST_P(StoreConformance, a_read_cannot_write) {
  Status st = db().read([&](Session& s) -> Status {
    GJ_TRY(s.exec("INSERT INTO item (name) VALUES ($1)", {std::string("sneaky")}));
    return {};
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(count(), 0);
}

// Lets `skip` commits pass, then fails the next `fail` commits (as if fsync had failed).
struct FailCommits : FaultInjector {
  std::mutex mu;
  int skip = 0, fail = 0;
  void arm(int skip_commits, int fail_commits) {
    std::lock_guard lk(mu);
    skip = skip_commits;
    fail = fail_commits;
  }
  bool fail_commit() override {
    std::lock_guard lk(mu);
    if (skip > 0) {
      --skip;
      return false;
    }
    if (fail > 0) {
      --fail;
      return true;
    }
    return false;
  }
};

TEST_P(StoreConformance,
       a_failed_commit_answers_storage_unavailable_to_the_group_and_stores_nothing) {
  store_->close();
  auto faults = std::make_shared<FailCommits>();
  open({}, faults);
  ASSERT_TRUE(insert("before").ok());
  auto blocker = block_writer();
  std::vector<Status> results(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      results[i] = db().write([&](Session& s) -> Status {
        GJ_TRY(s.exec(kInsert, {"lost" + std::to_string(i), int64_t{i}, nullptr, nullptr}));
        return {};
      });
    });
    wait_queued(i + 1);
  }
  uint64_t failed_before = db().writer_stats().failed_commits;
  faults->arm(/*skip_commits=*/1, /*fail_commits=*/1);  // the blocker commits; the group fails
  blocker->release.set_value();
  blocker->thread.join();
  for (auto& t : threads) t.join();
  EXPECT_TRUE(blocker->result.ok());
  for (auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kStorageUnavailable);
  }
  EXPECT_EQ(db().writer_stats().failed_commits - failed_before, 1u);
  EXPECT_EQ(count("name LIKE 'lost%'"), 0);
  EXPECT_EQ(count(), 1);
  ASSERT_TRUE(insert("after").ok());  // the store carries on after a failed commit
  EXPECT_EQ(count(), 2);
}

TEST_P(StoreConformance, migrations_apply_in_order_once_and_a_failing_one_leaves_no_trace) {
  const bool lite = GetParam() == Backend::kSqlite;
  std::vector<Migration> list = {
      {3, "notes", "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);"},
      {2, "seed", "INSERT INTO item (name, qty) VALUES ('seeded', 1);"},
  };
  list.insert(list.begin(), item_schema(GetParam()).front());
  // SetUp already applied version 1.
  auto first = apply_migrations(db(), list);
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(*first, (std::vector<int>{2, 3}));
  auto again = apply_migrations(db(), list);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  auto v = db().schema_version();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 3);
  EXPECT_EQ(count("name = 'seeded'"), 1);

  // A migration that fails halfway: its first statement must be rolled back with it.
  list.push_back({4, "broken",
                  std::string("CREATE TABLE half (x INTEGER); INSERT INTO item (name) VALUES "
                              "('from-broken'); SELECT * FROM no_such_table;")});
  auto broken = apply_migrations(db(), list);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().detail.find("0004_broken"), std::string::npos) << broken.error().detail;
  EXPECT_EQ(*db().schema_version(), 3);
  EXPECT_EQ(count("name = 'from-broken'"), 0);
  Status half = db().read([&](Session& s) -> Status {
    GJ_TRY(s.query("SELECT count(*) FROM half"));
    return {};
  });
  EXPECT_FALSE(half.ok()) << "table from the failed migration survived";

  list.back() = {4, "fixed",
                 lite ? "CREATE TABLE half (x INTEGER);" : "CREATE TABLE half (x int);"};
  auto fixed = apply_migrations(db(), list);
  ASSERT_TRUE(fixed.ok()) << fixed.error().detail;
  EXPECT_EQ(*fixed, (std::vector<int>{4}));
  EXPECT_EQ(*db().schema_version(), 4);

  auto dup = apply_migrations(db(), {{5, "a", "SELECT 1;"}, {5, "b", "SELECT 1;"}});
  EXPECT_FALSE(dup.ok());
}

TEST_P(StoreConformance, the_embedded_migrations_apply_cleanly_and_are_idempotent) {
  store_->close();
  FreshStore empty(GetParam());
  Database& db = empty.open();
  auto n = db.migrate();
  ASSERT_TRUE(n.ok()) << n.error().detail;
  EXPECT_EQ(static_cast<size_t>(*n), embedded_migrations(GetParam()).size());
  auto again = db.migrate();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  auto v = db.schema_version();
  ASSERT_TRUE(v.ok());
  const auto& list = embedded_migrations(GetParam());
  EXPECT_EQ(*v, list.empty() ? 0 : list.back().version);
}

TEST_P(StoreConformance, close_commits_everything_queued_then_refuses_new_writes) {
  auto blocker = block_writer();
  constexpr int kQueued = 20;
  std::vector<Status> results(kQueued);
  std::vector<std::thread> threads;
  for (int i = 0; i < kQueued; ++i) {
    threads.emplace_back([&, i] { results[i] = insert("q" + std::to_string(i)); });
  }
  wait_queued(kQueued);
  std::thread closer([&] { db().close(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // close() is now draining
  blocker->release.set_value();
  blocker->thread.join();
  closer.join();
  for (auto& t : threads) t.join();
  for (auto& r : results) EXPECT_TRUE(r.ok()) << r.error().detail;
  Status late = insert("late");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kShuttingDown);
  Status late_read = db().read([](Session&) -> Status { return {}; });
  EXPECT_FALSE(late_read.ok());

  open();  // reopen: every acknowledged write is there
  EXPECT_EQ(count(), kQueued);
}

TEST_P(StoreConformance, a_write_inside_a_write_is_refused_instead_of_deadlocking) {
  Status inner;
  Status outer = db().write([&](Session&) -> Status {
    inner = db().write([](Session&) -> Status { return {}; });
    return {};
  });
  EXPECT_TRUE(outer.ok());
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kInternal);
}

TEST_P(StoreConformance, an_error_returned_by_the_function_rolls_back_its_statements) {
  Status st = db().write([&](Session& s) -> Status {
    GJ_TRY(s.exec(kInsert, {std::string("undone"), int64_t{1}, nullptr, nullptr}));
    return make_error(ErrorCode::kIllegalTransition, "domain rule said no");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
  EXPECT_EQ(count(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace gj::store
