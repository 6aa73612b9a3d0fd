// The JSON API in-process (no socket) on real SQLite and real PostgreSQL: sessions, CSRF,
// scope, masking and audit, bad input, and a failing disk turning into 503.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "app/app.hpp"
#include "http/router.hpp"
#include "test_store.hpp"

using namespace gj;
using nlohmann::json;
using testing_backend = gj::testing::Backend;

namespace {

struct SwitchableFaults : store::FaultInjector {
  std::atomic<bool> fail{false};
  bool fail_commit() override { return fail.load(); }
};

// A small real slice of the hierarchy: 商洛市 → 柞水县 → two townships → villages.
std::string write_division_fixture() {
  auto dir = std::filesystem::temp_directory_path() /
             ("gj_div_" + std::to_string(::getpid()) + "_" + std::to_string(rand()));
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
      "611026001201,马房湾村委会,611026001000,5,611026001201\n"
      "611026101201,营盘村委会,611026101000,5,611026101201\n");
  return dir.string();
}

class Api : public ::testing::TestWithParam<testing_backend> {
 protected:
  void SetUp() override {
    faults_ = std::make_shared<SwitchableFaults>();
    auto ts = gj::testing::open_test_store(GetParam(), faults_);
    if (!ts.db) GTEST_SKIP() << ts.skip_reason;
    db_ = std::move(ts.db);
    app::Config cfg;
    cfg.password = {1, 1024, 1};  // fast hashes in tests
    app_ = std::make_unique<app::App>(*db_, clock_, ids_, cfg);
    ASSERT_TRUE(app_->import_divisions(write_division_fixture(), {}).ok());
    add("admin", "admin", "611026000000");
    add("qianyou", "township", "611026001000");
    add("yingpan", "township", "611026101000");
    api::register_routes(router_, *app_, {});
  }
  void TearDown() override {
    if (db_) db_->close();
  }

  void add(const std::string& name, const std::string& role, const std::string& scope) {
    app::NewUser u;
    u.username = name;
    u.display_name = name;
    u.password = "Password-2026";
    u.role = role;
    u.scope_code = scope;
    u.phone = "13812345678";
    u.id_number = "11010519491231002X";
    auto r = app_->cli_add_user(u);
    ASSERT_TRUE(r.ok()) << r.error().detail;
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& who = "",
                      bool with_csrf = true, const std::string& lang = "zh-CN") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", lang);
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    if (!who.empty()) {
      auto& s = sessions_[who];
      req.headers.set("Cookie", "gj_session=" + s.first);
      if (with_csrf) req.headers.set("X-CSRF-Token", s.second);
    }
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  void login(const std::string& name) {
    auto res = call("POST", "/api/v1/auth/login",
                    json{{"username", name}, {"password", "Password-2026"}}.dump());
    ASSERT_EQ(res.status, 200) << res.body;
    std::string cookie(*res.headers.get("Set-Cookie"));
    auto start = cookie.find('=') + 1;
    sessions_[name] = {cookie.substr(start, cookie.find(';') - start),
                       json::parse(res.body)["csrf_token"]};
  }

  int64_t audit_count(const std::string& action) {
    auth::Principal root;
    root.role = auth::Role::kAdmin;
    root.scope_code = "610000000000";
    store::AuditFilter f;
    f.action = action;
    return app_->list_audit(root, f)->total;
  }
  int64_t user_count() {
    return *db_->read_value<int64_t>([](store::Session& s) { return store::users::count(s); });
  }

  FakeClock clock_;
  RandomIdGenerator ids_;
  std::shared_ptr<SwitchableFaults> faults_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<app::App> app_;
  http::Router router_;
  std::map<std::string, std::pair<std::string, std::string>> sessions_;
};

TEST_P(Api, login_sets_an_httponly_samesite_cookie_and_returns_a_csrf_token) {
  auto res = call("POST", "/api/v1/auth/login",
                  json{{"username", "admin"}, {"password", "Password-2026"}}.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  std::string cookie(*res.headers.get("Set-Cookie"));
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  auto body = json::parse(res.body);
  EXPECT_EQ(body["user"]["role"], "admin");
  EXPECT_EQ(body["user"]["scope_name"], "柞水县");
  EXPECT_EQ(body["csrf_token"].get<std::string>().size(), 32u);
  EXPECT_EQ(audit_count("login"), 1);
}

TEST_P(Api, a_wrong_password_is_401_in_the_callers_language_and_audited) {
  auto zh = call("POST", "/api/v1/auth/login",
                 json{{"username", "admin"}, {"password", "wrong-2026x"}}.dump());
  EXPECT_EQ(zh.status, 401);
  EXPECT_EQ(json::parse(zh.body)["error"]["message"], "用户名或密码错误");
  auto en = call("POST", "/api/v1/auth/login",
                 json{{"username", "nobody"}, {"password", "wrong-2026x"}}.dump(), "", true, "en");
  EXPECT_EQ(en.status, 401);
  EXPECT_EQ(json::parse(en.body)["error"]["code"], "bad_credentials");
  EXPECT_EQ(json::parse(en.body)["error"]["message"], "Wrong user name or password");
  EXPECT_EQ(audit_count("login_failed"), 2);
}

TEST_P(Api, five_wrong_passwords_lock_the_account_even_against_the_right_one) {
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(call("POST", "/api/v1/auth/login",
                   json{{"username", "qianyou"}, {"password", "wrong-2026x"}}.dump())
                  .status,
              401);
  EXPECT_EQ(call("POST", "/api/v1/auth/login",
                 json{{"username", "qianyou"}, {"password", "wrong-2026x"}}.dump())
                .status,
            423);
  EXPECT_EQ(call("POST", "/api/v1/auth/login",
                 json{{"username", "qianyou"}, {"password", "Password-2026"}}.dump())
                .status,
            423);
  clock_.advance(std::chrono::minutes(16));
  EXPECT_EQ(call("POST", "/api/v1/auth/login",
                 json{{"username", "qianyou"}, {"password", "Password-2026"}}.dump())
                .status,
            200);
}

TEST_P(Api, requests_without_a_session_are_401_and_sessions_expire_when_idle) {
  EXPECT_EQ(call("GET", "/api/v1/org/root").status, 401);
  login("admin");
  EXPECT_EQ(call("GET", "/api/v1/org/root", "", "admin").status, 200);
  clock_.advance(std::chrono::hours(3));
  EXPECT_EQ(call("GET", "/api/v1/org/root", "", "admin").status, 401);
}

TEST_P(Api, a_write_without_the_csrf_token_is_refused_and_changes_nothing) {
  login("admin");
  int64_t before = user_count();
  auto res = call("POST", "/api/v1/users",
                  json{{"username", "newbie"},
                       {"display_name", "新人"},
                       {"password", "Password-2026"},
                       {"role", "village"},
                       {"scope_code", "611026001001"}}
                      .dump(),
                  "admin", /*with_csrf=*/false);
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(json::parse(res.body)["error"]["code"], "csrf");
  EXPECT_EQ(user_count(), before);
}

TEST_P(Api, a_township_sees_its_villages_and_another_township_is_404_and_audited) {
  login("qianyou");
  auto root = call("GET", "/api/v1/org/root", "", "qianyou");
  ASSERT_EQ(root.status, 200);
  auto body = json::parse(root.body);
  EXPECT_EQ(body["node"]["name"], "乾佑街道");
  EXPECT_EQ(body["children"].size(), 2u);
  EXPECT_EQ(call("GET", "/api/v1/org/nodes/611026001201", "", "qianyou").status, 200);
  auto other = call("GET", "/api/v1/org/nodes/611026101000", "", "qianyou");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(json::parse(other.body)["error"]["code"], "not_found");
  // Same answer as for a code that does not exist at all.
  EXPECT_EQ(call("GET", "/api/v1/org/nodes/611026999000", "", "qianyou").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/org/nodes/611026000000", "", "qianyou").status, 404);
  EXPECT_GE(audit_count("scope.denied"), 2);
  // Search never returns what lies outside the scope.
  auto s = json::parse(call("GET", "/api/v1/org/search?q=%E8%90%A5%E7%9B%98", "", "qianyou").body);
  EXPECT_TRUE(s["items"].empty());
}

TEST_P(Api, only_administrators_manage_users) {
  login("qianyou");
  EXPECT_EQ(call("GET", "/api/v1/users", "", "qianyou").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/audit", "", "qianyou").status, 403);
}

TEST_P(Api, phones_and_id_numbers_are_masked_in_lists_and_a_full_read_is_audited) {
  login("admin");
  auto list = json::parse(call("GET", "/api/v1/users", "", "admin").body);
  ASSERT_EQ(list["total"], 3);
  for (const auto& u : list["items"]) {
    EXPECT_EQ(u["phone"], "138****5678");
    EXPECT_EQ(u["id_number"], "110***********002X");
  }
  EXPECT_EQ(list.dump().find("argon2"), std::string::npos);
  int64_t id = list["items"][1]["id"];
  auto pii = call("GET", "/api/v1/users/" + std::to_string(id) + "/pii", "", "admin");
  ASSERT_EQ(pii.status, 200);
  EXPECT_EQ(json::parse(pii.body)["id_number"], "11010519491231002X");
  EXPECT_EQ(audit_count("pii.read"), 1);
}

TEST_P(Api, a_grid_page_shows_its_workers_phone_masked_even_to_an_administrator) {
  login("admin");
  auto users = json::parse(call("GET", "/api/v1/users?q=qianyou", "", "admin").body);
  int64_t worker = users["items"][0]["id"];
  ASSERT_TRUE(
      db_->write([&](store::Session& s) -> Status {
           org::Division g{"611026001001001", "611026001001",   "第1网格",
                           org::Level::kGrid, org::Kind::kGrid, true};
           GJ_TRY(store::divisions::upsert(s, g));
           return store::grids::upsert(s, {g.code, worker, 100, 260, "", "", "", std::nullopt});
         })
          .ok());
  auto res = call("GET", "/api/v1/org/grids/611026001001001", "", "admin");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body)["worker"]["phone"], "138****5678");
  EXPECT_EQ(audit_count("pii.read"), 0);
}

TEST_P(Api, bad_input_gets_a_catalogue_error_and_stores_nothing) {
  login("admin");
  int64_t before = user_count();
  json good = {{"username", "cadre1"},         {"display_name", "张三"},
               {"password", "Password-2026"},  {"role", "village"},
               {"scope_code", "611026001001"}, {"id_number", "11010519491231002X"}};
  struct Case {
    std::string body;
    int status;
    std::string code;
  };
  auto with = [&](const std::string& k, json v) {
    json j = good;
    j[k] = std::move(v);
    return j.dump();
  };
  auto without = [&](const std::string& k) {
    json j = good;
    j.erase(k);
    return j.dump();
  };
  std::vector<Case> cases = {
      {"{not json", 400, "bad_json"},
      {"[1,2]", 400, "bad_json"},
      {"{\"username\":\"a\xff\xfe\"}", 400, "invalid_utf8"},
      {with("username", 42), 400, "wrong_type"},
      {without("password"), 400, "missing_field"},
      {with("display_name", std::string(70, 'x')), 400, "too_long"},
      {with("id_number", "110105194912310021"), 400, "invalid_id_number"},
      {with("phone", "12345"), 400, "invalid_phone"},
      {with("password", "short"), 400, "weak_password"},
      {with("role", "emperor"), 400, "invalid_input"},
      {with("scope_code", "611026999999"), 400, "invalid_code"},
      {with("scope_code", "611026000000"), 400, "invalid_code"},  // a county is no village
      {with("username", "admin"), 409, "already_exists"},
      {with("username", "x'; DROP TABLE users;--"), 400, "invalid_input"},
  };
  for (const auto& c : cases) {
    auto res = call("POST", "/api/v1/users", c.body, "admin");
    EXPECT_EQ(res.status, c.status) << c.body << " → " << res.body;
    auto j = json::parse(res.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << res.body;
    EXPECT_EQ(j["error"]["code"], c.code) << c.body;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  }
  EXPECT_EQ(user_count(), before);
  EXPECT_EQ(call("POST", "/api/v1/users", good.dump(), "admin").status, 201);
  EXPECT_EQ(user_count(), before + 1);
}

TEST_P(Api, script_and_sql_strings_are_stored_verbatim_as_text) {
  login("admin");
  std::string evil = "<script>alert(1)</script>' OR 1=1 --";
  auto res = call("POST", "/api/v1/users",
                  json{{"username", "evil"},
                       {"display_name", evil},
                       {"password", "Password-2026"},
                       {"role", "village"},
                       {"scope_code", "611026001001"}}
                      .dump(),
                  "admin");
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(json::parse(res.body)["display_name"], evil);
  auto s = call("GET", "/api/v1/org/search?q=%27%20OR%201%3D1%20--", "", "admin");
  EXPECT_EQ(s.status, 200);
  EXPECT_TRUE(json::parse(s.body)["items"].empty());
}

TEST_P(Api, unknown_routes_wrong_methods_and_oversized_bodies_are_refused) {
  EXPECT_EQ(call("GET", "/api/v1/nothing-here").status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/auth/login").status, 405);
  auto big = call("POST", "/api/v1/auth/login", std::string(10 * 1024, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(json::parse(big.body)["error"]["code"], "payload_too_large");
}

TEST_P(Api, a_failing_commit_is_503_and_nothing_is_acknowledged_or_stored) {
  login("admin");
  int64_t before = user_count();
  faults_->fail = true;
  auto res = call("POST", "/api/v1/users",
                  json{{"username", "lost"},
                       {"display_name", "丢失"},
                       {"password", "Password-2026"},
                       {"role", "village"},
                       {"scope_code", "611026001001"}}
                      .dump(),
                  "admin");
  faults_->fail = false;
  EXPECT_EQ(res.status, 503) << res.body;
  EXPECT_EQ(json::parse(res.body)["error"]["code"], "storage_unavailable");
  EXPECT_EQ(user_count(), before);
  EXPECT_EQ(call("POST", "/api/v1/users",
                 json{{"username", "lost"},
                      {"display_name", "丢失"},
                      {"password", "Password-2026"},
                      {"role", "village"},
                      {"scope_code", "611026001001"}}
                     .dump(),
                 "admin")
                .status,
            201);
}

TEST_P(Api, a_reimport_of_the_same_divisions_changes_nothing) {
  auto again = app_->import_divisions(write_division_fixture(), {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->changed, 0);
  EXPECT_EQ(again->unchanged, 8);
}

TEST_P(Api, a_broken_division_file_is_rejected_whole) {
  auto dir = write_division_fixture();
  std::ofstream(std::filesystem::path(dir) / "villages.csv", std::ios::app)
      << "611026001999,孤儿村,611026555000,5,611026001999\n";
  auto r = app_->import_divisions(dir, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("villages.csv:5"), std::string::npos) << r.error().detail;
  auto n = db_->read_value<std::vector<store::DivisionRow>>(
      [](store::Session& s) { return store::divisions::children(s, "611026001000"); });
  EXPECT_EQ(n->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Api,
                         ::testing::Values(testing_backend::kSqlite, testing_backend::kPostgres),
                         [](const auto& info) { return gj::testing::backend_name(info.param); });

}  // namespace
