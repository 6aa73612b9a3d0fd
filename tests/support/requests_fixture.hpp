// The shared fixture of the in-process request tests 接诉即办 (requests_app, dashboard,
// config_app, suggest …): a fresh migrated store on SQLite or PostgreSQL, 柞水县 with two
// townships, a community and a village, two grids with square polygons, a department, and one
// user per role; an App and its JSON router; helpers for intake, actions, counts and API calls.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/requests_service.hpp"
#include "common/clock.hpp"
#include "http/router.hpp"
#include "store/repos/repos.hpp"
#include "store/repos/requests_repo.hpp"
#include "test_store.hpp"

namespace gj::testing {

constexpr const char* kCounty = "611026000000";
constexpr const char* kQianyou = "611026001000";
constexpr const char* kCommunity = "611026001001";
constexpr const char* kGrid = "611026001001001";
constexpr const char* kYingpanGrid = "611026101201001";
constexpr double kLat = 33.70, kLon = 109.10;  // centre of kGrid

class RequestsFixture : public ::testing::TestWithParam<Backend> {
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
    auto db = store::open_database(opt);
    ASSERT_TRUE(db.ok()) << db.error().detail;
    db_ = std::move(*db);
    app::Config cfg;
    cfg.password = {1, 1024, 1};
    app_ = std::make_unique<app::App>(*db_, clock_, ids_, cfg);
    router_ = http::Router();
    api::register_routes(router_, *app_, {});
  }
  void shut() {
    app_.reset();
    if (db_) db_->close();
    db_.reset();
  }

  void seed() {
    auto dir = std::filesystem::temp_directory_path() /
               ("gj_test_div_" + std::to_string(::getpid()) + "_" + std::to_string(rand()));
    std::filesystem::create_directories(dir);
    auto put = [&](const char* name, const std::string& body) {
      std::ofstream(dir / name) << "code,name,parent_code,level,short_code\n" << body;
    };
    put("provinces.csv", "610000000000,陕西省,,1,61\n");
    put("cities.csv", "611000000000,商洛市,610000000000,2,6110\n");
    put("counties.csv", "611026000000,柞水县,611000000000,3,611026\n");
    put("townships.csv",
        "611026001000,乾佑街道,611026000000,4,611026001\n"
        "611026101000,营盘镇,611026000000,4,611026101\n");
    put("villages.csv",
        "611026001001,城区社区居委会,611026001000,5,611026001001\n"
        "611026101201,营盘村委会,611026101000,5,611026101201\n");
    ASSERT_TRUE(app_->import_divisions(dir.string(), {}).ok());
    Status st = db_->write([&](store::Session& s) -> Status {
      for (auto [code, parent, lat, lon] :
           {std::tuple{kGrid, kCommunity, kLat, kLon},
            std::tuple{kYingpanGrid, "611026101201", 33.60, 109.20}}) {
        org::Division g;
        g.code = code;
        g.parent_code = parent;
        g.name = "第1网格";
        g.level = org::Level::kGrid;
        g.kind = org::Kind::kGrid;
        g.synthetic = true;
        auto up = store::divisions::upsert(s, g);
        if (!up.ok()) return up.error();
        store::GridRow row;
        row.code = code;
        row.households = 100;
        row.polygon = square_polygon(lat, lon, 500);
        GJ_TRY(store::grids::upsert(s, row));
      }
      auto unit = store::units::upsert(s, {0, "柞水县住房和城乡建设局", "department", kCounty});
      if (!unit.ok()) return unit.error();
      dept_unit_ = *unit;
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().detail;
    command_ = add("command", "command", kCounty);
    qianyou_ = add("qianyou", "township", kQianyou);
    yingpan_ = add("yingpan", "township", "611026101000");
    grid_ = add("gridworker", "grid_worker", kGrid);
    dept_ = add("zhujian", "department", "", dept_unit_);
  }

  auth::Principal add(const std::string& name, const std::string& role, const std::string& scope,
                      std::optional<int64_t> unit = std::nullopt) {
    app::NewUser u;
    u.username = name;
    u.display_name = name;
    u.password = "Password-2026";
    u.role = role;
    u.scope_code = scope;
    u.unit_id = unit;
    auto id = app_->cli_add_user(u);
    EXPECT_TRUE(id.ok()) << id.error().detail;
    auth::Principal p;
    p.user_id = id.ok() ? *id : 0;
    p.username = name;
    p.role = *auth::parse_role(role);
    p.scope_code = scope;
    p.unit_id = unit;
    return p;
  }

  static auth::Principal citizen() {
    auth::Principal p;
    p.role = auth::Role::kCitizen;
    p.ip = "10.0.0.1";
    return p;
  }

  app::IntakeInput pothole(double lat = kLat, double lon = kLon) {
    app::IntakeInput in;
    in.channel = "citizen";
    in.county_code = kCounty;
    in.category = "0106";  // 环境卫生: ordinary tier
    in.subject = "小区门口垃圾堆放多日无人清运";
    in.text = "城区社区东门垃圾桶旁边堆了很多垃圾，已经三天没人清运，气味很大。";
    in.lat = lat;
    in.lon = lon;
    in.name = "张三";
    in.phone = "13812345678";
    return in;
  }

  app::TicketDetail act(const auth::Principal& p, int64_t id, const std::string& action,
                        app::ActionInput in = {}) {
    in.action = action;
    auto r = app_->requests().act(p, id, in);
    EXPECT_TRUE(r.ok()) << action << ": " << (r.ok() ? "" : r.error().detail);
    return r.ok() ? *r : app::TicketDetail{};
  }

  int64_t count(const char* table) {
    return *db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
      auto r = s.query_one(std::string("SELECT COUNT(*) FROM ") + table);
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
  }
  int64_t audit_count(const std::string& action) {
    auth::Principal root;
    root.role = auth::Role::kAdmin;
    root.scope_code = "610000000000";
    store::AuditFilter f;
    f.action = action;
    return app_->list_audit(root, f)->total;
  }
  std::optional<double> metric(const app::MetricsView& v, const std::string& code) {
    for (const auto& m : v.area)
      if (m.code == code) return m.value.value;
    return std::nullopt;
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& key = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", "zh-CN");
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    if (!key.empty()) req.headers.set("Idempotency-Key", key);
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  http::Response authed(const std::string& method, const std::string& target,
                        const std::string& body, const std::string& cookie,
                        const std::string& csrf) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", "zh-CN");
    req.headers.set("Cookie", cookie);
    req.headers.set("X-CSRF-Token", csrf);
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  Target target_;
  FakeClock clock_{1764547200000};  // 2025-12-01T00:00:00Z, a Monday
  SequentialIdGenerator ids_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<app::App> app_;
  http::Router router_;
  int64_t dept_unit_ = 0;
  auth::Principal command_, qianyou_, yingpan_, grid_, dept_;
};

}  // namespace gj::testing
