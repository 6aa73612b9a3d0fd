// The base of the in-process App tests: a fresh migrated store on SQLite or PostgreSQL (the
// test's parameter), a fake clock and sequential ids, an App and its JSON router. Derived
// fixtures seed what they need in seed(); open() and shut() also serve restart tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "api/api.hpp"
#include "app/app.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "http/router.hpp"
#include "test_store.hpp"

namespace gj::testing {

class AppFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    target_ = new_target(GetParam());
    if (!target_.skip.empty()) GTEST_SKIP() << target_.skip;
    open();
    ASSERT_TRUE(db_->migrate().ok());
    seed();
  }
  void TearDown() override { shut(); }

  void open() {
    store::Options opt;
    opt.target = target_.url;
    auto db = store::open_database(opt, faults_);
    ASSERT_TRUE(db.ok()) << db.error().detail;
    db_ = std::move(*db);
    app::Config cfg;
    cfg.password = {1, 1024, 1};
    app_ = std::make_unique<app::App>(*db_, clock_, ids_, cfg);
    router_ = http::Router();
    api::register_routes(router_, *app_, api_config());
  }
  // What the routes are registered with (optional services such as attachments); called by
  // open() once app_ exists.
  virtual api::ApiConfig api_config() { return {}; }
  // Called once by SetUp() after the migrations.
  virtual void seed() {}
  // Closes everything open() opened; derived fixtures drop their services first.
  virtual void shut() {
    app_.reset();
    if (db_) db_->close();
    db_.reset();
  }

  Target target_;
  FakeClock clock_{1764547200000};  // 2025-12-01T00:00:00Z, a Monday
  SequentialIdGenerator ids_;
  std::shared_ptr<store::FaultInjector> faults_;  // set before open() to make commits fail
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<app::App> app_;
  http::Router router_;
};

}  // namespace gj::testing
