// Configuration editing 配置管理 through app::ConfigService and the JSON API, in-process on real
// SQLite and real PostgreSQL ($GJ_TEST_POSTGRES_URL): an edited matrix row or holiday changes the
// routing / deadlines of the NEXT intake without a restart, also on a second App ("node") on the
// same store; bad input changes nothing (and says why in zh/en); imports are all rows or none.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/config_service.hpp"
#include "app/requests_service.hpp"
#include "http/router.hpp"
#include "store/repos/config_repo.hpp"
#include "store/repos/requests_repo.hpp"

using namespace gj;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

enum class Backend { kSqlite, kPostgres };

// A store target that can be opened again (the restart test).
struct Target {
  std::string url;
  std::string skip;
};

Target new_target(Backend b) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::string suffix = std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                       std::to_string(rd() % 100000);
  if (b == Backend::kSqlite) {
    auto dir = std::filesystem::temp_directory_path() / ("gj_cfg_" + suffix);
    std::filesystem::create_directories(dir);
    return {(dir / "test.db").string(), ""};
  }
  const char* url = std::getenv("GJ_TEST_POSTGRES_URL");
  if (!url || !*url) return {"", "GJ_TEST_POSTGRES_URL not set"};
  std::string schema = "cfg_" + suffix;
  PGconn* c = PQconnectdb(url);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = PQerrorMessage(c);
    PQfinish(c);
    return {"", "cannot connect to PostgreSQL: " + why};
  }
  PQclear(PQexec(c, ("CREATE SCHEMA " + schema).c_str()));
  PQfinish(c);
  std::string u = url;
  return {u + (u.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema,
          ""};
}

std::string square(double lat, double lon, double half_m) {
  double dlat = half_m / 111320.0, dlon = half_m / (111320.0 * std::cos(lat * M_PI / 180));
  json ring = json::array({{lon - dlon, lat - dlat},
                           {lon + dlon, lat - dlat},
                           {lon + dlon, lat + dlat},
                           {lon - dlon, lat + dlat},
                           {lon - dlon, lat - dlat}});
  return json{{"type", "Polygon"}, {"coordinates", json::array({ring})}}.dump();
}

constexpr const char* kCounty = "611026000000";
constexpr const char* kQianyou = "611026001000";
constexpr const char* kCommunity = "611026001001";
constexpr const char* kGrid = "611026001001001";
constexpr const char* kYingpanGrid = "611026101201001";
constexpr double kLat = 33.70, kLon = 109.10;  // centre of kGrid

class ConfigApp : public ::testing::TestWithParam<Backend> {
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
               ("gj_rq_div_" + std::to_string(::getpid()) + "_" + std::to_string(rand()));
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
        row.polygon = square(lat, lon, 500);
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

  int64_t version() {
    return db_
        ->read_value<int64_t>([](store::Session& s) -> Result<int64_t> {
          auto v = store::config::version(s);
          if (!v.ok()) return v.error();
          return v->version;
        })
        .value();
  }
  std::string write_file(const std::string& name, const std::string& text) {
    auto p = std::filesystem::temp_directory_path() /
             ("gj_cfg_" + std::to_string(::getpid()) + "_" + std::to_string(rand()) + name);
    std::ofstream(p) << text;
    return p.string();
  }

  Target target_;
  FakeClock clock_{1764547200000};  // 2025-12-01T00:00:00Z, a Monday (08:00 in China)
  SequentialIdGenerator ids_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<app::App> app_;
  http::Router router_;
  int64_t dept_unit_ = 0;
  auth::Principal command_, qianyou_, yingpan_, grid_, dept_;
};

TEST_P(ConfigApp, an_edited_matrix_row_routes_the_next_intake_without_restart_on_every_node) {
  // A second node on the same store, with its own caches (as a second `gongjian serve`).
  RandomIdGenerator ids2;
  app::App node2(*db_, clock_, ids2);
  node2.requests().set_config_check_interval(50ms);

  auto before = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(before.ok()) << before.error().detail;
  EXPECT_EQ(before->detail.view.row.unit_type, "grid");
  auto before2 = node2.requests().submit(citizen(), pothole(kLat + 0.001, kLon));
  ASSERT_TRUE(before2.ok()) << before2.error().detail;
  EXPECT_EQ(before2->detail.view.row.unit_type, "grid");

  int64_t v0 = version();
  app::ConfigService cfg(*app_);
  auto put = cfg.put_matrix(command_, {"0106", "township_platform", 4, "", ""});
  ASSERT_TRUE(put.ok()) << put.error().detail;
  EXPECT_EQ(version(), v0 + 1);
  EXPECT_EQ(audit_count("config.matrix.put"), 1);

  // This node: at once. The other node: after its next version check.
  auto after = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(after.ok()) << after.error().detail;
  EXPECT_EQ(after->detail.view.row.unit_type, "township_platform");
  EXPECT_EQ(after->detail.view.row.unit_id, kQianyou);
  std::this_thread::sleep_for(120ms);
  auto after2 = node2.requests().submit(citizen(), pothole(kLat + 0.001, kLon));
  ASSERT_TRUE(after2.ok()) << after2.error().detail;
  EXPECT_EQ(after2->detail.view.row.unit_type, "township_platform");

  // Deleting the row routes by the default row again.
  ASSERT_TRUE(cfg.delete_matrix(command_, "0106").ok());
  auto back = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->detail.view.row.unit_type, "grid");
}

TEST_P(ConfigApp, a_new_holiday_moves_the_next_deadline_by_one_working_day) {
  auto before = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(before.ok()) << before.error().detail;
  ASSERT_TRUE(before->detail.view.row.resolution_due.has_value());
  // Ordinary tier, 7 working days from Monday 2025-12-01: ends 24:00 on Wednesday 12-10.
  EXPECT_EQ(format_iso8601(*before->detail.view.row.resolution_due), "2025-12-11T00:00:00+08:00");

  // Through the JSON API, as the settings page does.
  auto login = call("POST", "/api/v1/auth/login",
                    json{{"username", "command"}, {"password", "Password-2026"}}.dump());
  ASSERT_EQ(login.status, 200) << login.body;
  auto body = json::parse(login.body);
  std::string cookie;
  for (const auto& [k, v] : login.headers.fields())
    if (k == "Set-Cookie") cookie = v.substr(0, v.find(';'));
  auto r = authed("PUT", "/api/v1/config/holidays/2025-12-03", json{{"kind", "holiday"}}.dump(),
                  cookie, body["csrf_token"]);
  ASSERT_EQ(r.status, 200) << r.body;

  auto after = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(after.ok()) << after.error().detail;
  EXPECT_EQ(format_iso8601(*after->detail.view.row.resolution_due), "2025-12-12T00:00:00+08:00");
  // The first ticket keeps the deadline it was given.
  auto first = app_->requests().get(command_, before->detail.view.row.id);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(format_iso8601(*first->view.row.resolution_due), "2025-12-11T00:00:00+08:00");

  // A make-up working day on a Wednesday is refused, with the reason in Chinese; nothing changes.
  int64_t v = version();
  auto bad = authed("PUT", "/api/v1/config/holidays/2025-12-17", json{{"kind", "workday"}}.dump(),
                    cookie, body["csrf_token"]);
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto e = json::parse(bad.body)["error"];
  EXPECT_EQ(e["code"], "invalid_input");
  EXPECT_EQ(e["field"], "day");
  EXPECT_EQ(e["reason"], "workday_not_weekend");
  EXPECT_EQ(e["detail"], "调休上班日须为周六或周日");
  EXPECT_EQ(version(), v);

  auto list = authed("GET", "/api/v1/config", "", cookie, body["csrf_token"]);
  ASSERT_EQ(list.status, 200);
  bool found = false;
  json listed = json::parse(list.body);
  for (const auto& h : listed["holidays"])
    found = found || (h["day"] == "2025-12-03" && h["kind"] == "holiday");
  EXPECT_TRUE(found);
}

TEST_P(ConfigApp, bad_edits_and_other_roles_change_nothing) {
  app::ConfigService cfg(*app_);
  int64_t v = version();
  auto reason = [](const Status& st) { return st.ok() ? std::string("ok") : st.error().detail; };
  auto put_m = [&](store::MatrixRow r, const auth::Principal& p) {
    auto x = cfg.put_matrix(p, r);
    return x.ok() ? Status{} : Status{x.error()};
  };
  EXPECT_EQ(reason(put_m({"9999", "grid", 6, "", ""}, command_)), "unknown_category");
  EXPECT_EQ(reason(put_m({"0106", "grid", 4, "", ""}, command_)), "level_mismatch");
  EXPECT_EQ(reason(put_m({"0106", "wizard", 4, "", ""}, command_)), "unit_type_unknown");
  EXPECT_EQ(reason(put_m({"0106", "department", 4, "nope", ""}, command_)), "unknown_tier");
  EXPECT_EQ(reason(put_m({"0106", "department", 4, "", ""}, qianyou_)),
            "configuration is for admin and command roles");
  EXPECT_EQ(reason(cfg.delete_matrix(command_, "*")), "default_row_required");

  store::SlaTierRow t{"ordinary", "一般",         "Ordinary", 24,   "hours",
                      7,          "working_days", 0,          1440, false};
  auto unset = cfg.put_tier(command_, t);  // the only default may not lose its flag
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().detail, "default_tier_required");
  t.is_default = true;
  t.resolution_amount = 0;
  EXPECT_EQ(cfg.put_tier(command_, t).error().detail, "amount_out_of_range");
  t.resolution_amount = 7;
  t.response_unit = "weeks";
  EXPECT_EQ(cfg.put_tier(command_, t).error().detail, "limit_unit_invalid");
  t.response_unit = "hours";
  t.response_amount = 24 * 30;
  EXPECT_EQ(cfg.put_tier(command_, t).error().detail, "response_after_resolution");
  auto day = cfg.put_holiday(command_, {"2025-02-30", "holiday"});
  EXPECT_EQ(day.error().detail, "date_invalid");
  EXPECT_EQ(version(), v);
  EXPECT_EQ(audit_count("config.sla.put"), 0);

  // A good tier edit: 10 working days, audited, one version step.
  t.response_amount = 24;
  t.resolution_amount = 10;
  auto ok = cfg.put_tier(command_, t);
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_EQ(version(), v + 1);
  EXPECT_EQ(audit_count("config.sla.put"), 1);
  auto next = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(next.ok());
  // 10 working days from Monday 2025-12-01: 24:00 on Monday 12-15.
  EXPECT_EQ(format_iso8601(*next->detail.view.row.resolution_due), "2025-12-16T00:00:00+08:00");
}

TEST_P(ConfigApp, an_import_is_all_rows_or_none_and_export_round_trips) {
  app::ConfigService cfg(*app_);
  auto exported = cfg.export_csv(app::ConfigKind::kMatrix);
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->substr(0, 34), "category,unit_type,level,sla_tier\n");

  int64_t v = version();
  // Line 3 is wrong: nothing of lines 2 and 4 is stored either.
  auto bad = write_file("m.csv",
                        "category,unit_type,level,sla_tier\n*,grid,6,\n0106,grid,3,\n"
                        "0104,township_platform,4,urgent\n");
  auto r = cfg.import_csv(app::ConfigKind::kMatrix, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "level_mismatch@3");
  EXPECT_EQ(r.error().field, "level");
  EXPECT_EQ(version(), v);
  EXPECT_EQ(*cfg.export_csv(app::ConfigKind::kMatrix), *exported);

  auto good = write_file("m.csv",
                         "category,unit_type,level,sla_tier\n*,grid,6,\n"
                         "0106,township_platform,4,urgent\n");
  auto n = cfg.import_csv(app::ConfigKind::kMatrix, good);
  ASSERT_TRUE(n.ok()) << n.error().detail;
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(version(), v + 1);
  auto routed = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(routed.ok());
  EXPECT_EQ(routed->detail.view.row.unit_type, "township_platform");
  EXPECT_EQ(routed->detail.view.row.sla_tier, "urgent");

  // Tiers: dropping a tier still in use is refused; the holiday calendar round-trips.
  auto tiers = cfg.export_csv(app::ConfigKind::kSla);
  ASSERT_TRUE(tiers.ok());
  std::string without_urgent;
  std::istringstream in(*tiers);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("urgent,", 0) != 0) without_urgent += line + "\n";
  auto t = cfg.import_csv(app::ConfigKind::kSla, write_file("t.csv", without_urgent));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().detail, "tier_in_use");
  auto same = cfg.import_csv(app::ConfigKind::kSla, write_file("t.csv", *tiers));
  ASSERT_TRUE(same.ok()) << same.error().detail;
  EXPECT_EQ(*cfg.export_csv(app::ConfigKind::kSla), *tiers);

  auto days = cfg.export_csv(app::ConfigKind::kHolidays);
  ASSERT_TRUE(days.ok());
  auto h = cfg.import_csv(app::ConfigKind::kHolidays,
                          write_file("h.csv", *days + "2025-12-03,holiday\n"));
  ASSERT_TRUE(h.ok()) << h.error().detail;
  auto dup =
      cfg.import_csv(app::ConfigKind::kHolidays,
                     write_file("h.csv", *days + "2025-12-03,holiday\n2025-12-03,holiday\n"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().detail.substr(0, 13), "duplicate_row");
}

TEST_P(ConfigApp, a_category_added_under_the_tree_is_accepted_at_the_next_intake) {
  app::ConfigService cfg(*app_);
  auto in = pothole();
  in.category = "010601";
  auto refused = app_->requests().submit(citizen(), in);
  ASSERT_FALSE(refused.ok());
  auto added =
      cfg.add_category(command_, {"010601", "0106", "垃圾清运", "Refuse collection", "", ""});
  ASSERT_TRUE(added.ok()) << added.error().detail;
  EXPECT_EQ(added->sla_tier, "ordinary");  // the default tier when none is given
  EXPECT_EQ(
      cfg.add_category(command_, {"010601", "0106", "垃圾清运", "Refuse", "", ""}).error().detail,
      "category_exists");
  EXPECT_EQ(cfg.add_category(command_, {"020601", "0106", "x", "x", "", ""}).error().detail,
            "category_code_invalid");
  auto ok = app_->requests().submit(citizen(), in);
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_EQ(ok->detail.view.category_name_zh, "垃圾清运");
}

INSTANTIATE_TEST_SUITE_P(Backends, ConfigApp,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
