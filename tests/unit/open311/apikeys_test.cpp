// API keys for the Open311 API on real SQLite and real PostgreSQL ($GJ_TEST_POSTGRES_URL): a new
// key checks, only its SHA-256 hash is stored, names are unique, unknown and disabled keys are
// refused as kForbidden (403 at the edge).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <filesystem>
#include <random>

#include "app/apikeys.hpp"
#include "domain/auth/passwords.hpp"
#include "store/db.hpp"
#include "test_store.hpp"

using namespace gj;

namespace {

using gj::testing::Backend;
using gj::testing::new_target;
using gj::testing::Target;

class ApiKeys : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto t = new_target(GetParam());
    if (!t.skip.empty()) GTEST_SKIP() << t.skip;
    store::Options o;
    o.target = t.url;
    auto db = store::open_database(o);
    ASSERT_TRUE(db.ok()) << db.error().detail;
    db_ = std::move(*db);
    auto m = db_->migrate();
    ASSERT_TRUE(m.ok()) << m.error().detail;
  }
  void TearDown() override {
    if (db_) db_->close();
  }
  std::unique_ptr<store::Database> db_;
  FakeClock clock_{1'780'000'000'000};
};

TEST_P(ApiKeys, a_new_key_checks_and_only_its_hash_is_stored) {
  auto k = app::apikeys::add(*db_, clock_, "city portal");
  ASSERT_TRUE(k.ok()) << k.error().detail;
  EXPECT_EQ(k->key.rfind("gj311_", 0), 0u);
  EXPECT_EQ(k->key.size(), 6u + 40u);
  auto row = app::apikeys::check(*db_, k->key);
  ASSERT_TRUE(row.ok()) << row.error().detail;
  EXPECT_EQ(row->name, "city portal");
  EXPECT_EQ(row->created_at, 1'780'000'000'000);
  EXPECT_EQ(row->key_hash, auth::sha256_hex(k->key));
  // Nothing in the table holds the key itself.
  auto leaked = db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
    auto r = s.query_one(
        "SELECT COUNT(*) FROM api_keys WHERE name = $1 OR key_hash = $1 OR name LIKE $2",
        {k->key, "%" + k->key.substr(6) + "%"});
    if (!r.ok()) return r.error();
    return r->i64(0);
  });
  ASSERT_TRUE(leaked.ok());
  EXPECT_EQ(*leaked, 0);
}

TEST_P(ApiKeys, names_are_unique_and_every_key_differs) {
  auto a = app::apikeys::add(*db_, clock_, "a");
  auto b = app::apikeys::add(*db_, clock_, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->key, b->key);
  auto again = app::apikeys::add(*db_, clock_, "a");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  auto empty = app::apikeys::add(*db_, clock_, "  ");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kMissingField);
}

TEST_P(ApiKeys, missing_unknown_and_disabled_keys_are_forbidden) {
  auto k = app::apikeys::add(*db_, clock_, "client");
  ASSERT_TRUE(k.ok());
  for (const std::string& bad : {std::string(), std::string("gj311_nope"), k->key + "x"}) {
    auto r = app::apikeys::check(*db_, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden) << bad;
  }
  Status st = db_->write([&](store::Session& s) -> Status {
    auto r = s.exec("UPDATE api_keys SET disabled = 1 WHERE name = $1", {std::string("client")});
    if (!r.ok()) return r.error();
    return {};
  });
  ASSERT_TRUE(st.ok());
  auto r = app::apikeys::check(*db_, k->key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiKeys, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
