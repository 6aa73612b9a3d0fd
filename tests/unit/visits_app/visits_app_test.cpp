// Care visits 走访记录 through the application service and the JSON API, in-process on real
// SQLite and real PostgreSQL ($GJ_TEST_POSTGRES_URL): a grid worker records visits in their own
// grid; the Idempotency-Key answers a replay with the stored visit and refuses another body;
// bad input and other people's grids are refused without writing; lists are scoped to the
// caller's area and filtered by time; every write and list is audited.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/visits_service.hpp"
#include "app_fixture.hpp"
#include "http/router.hpp"
#include "zhashui_seed.hpp"

using namespace gj;
using nlohmann::json;

namespace {

using gj::testing::Backend;

using gj::testing::kCommunity;
using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::kQianyou;
constexpr const char* kOtherGrid = gj::testing::kYingpanGrid;  // 营盘村 第1网格
constexpr int64_t kNow = 1764547200000;                        // 2025-12-01T08:00:00+08:00
constexpr int64_t kDay = 24LL * 3600 * 1000;

class VisitsApp : public gj::testing::AppFixture {
 protected:
  void SetUp() override {
    AppFixture::SetUp();
    if (!IsSkipped()) visits_ = std::make_unique<app::VisitsService>(*app_);
  }
  void shut() override {
    visits_.reset();
    AppFixture::shut();
  }

  void seed() override {
    ASSERT_TRUE(gj::testing::seed_zhashui(*app_, *db_).ok());
    grid_ = add("gridworker", "grid_worker", kGrid);
    other_grid_ = add("yingpan.grid", "grid_worker", kOtherGrid);
    qianyou_ = add("qianyou", "township", kQianyou);
    command_ = add("command", "command", kCounty);
  }

  auth::Principal add(const std::string& name, const std::string& role, const std::string& scope) {
    return gj::testing::add_user(*app_, name, role, scope, std::nullopt, name + " 网格员");
  }

  app::VisitInput visit(const std::string& household = "城区社区3号楼2单元501 王奶奶") {
    app::VisitInput in;
    in.household = household;
    in.kind = "care";
    in.note = "独居老人，血压正常，已提醒按时服药";
    in.lat = 33.70;
    in.lon = 109.10;
    in.visited_at = kNow - 3600 * 1000;
    return in;
  }

  int64_t count(const std::string& sql) {
    return *db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
      auto r = s.query_one(sql);
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
  }
  int64_t visits() { return count("SELECT COUNT(*) FROM visits"); }
  int64_t audits(const std::string& action) {
    return count("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "'");
  }

  // Signs in over the API and returns (cookie, csrf).
  std::pair<std::string, std::string> sign_in(const std::string& user) {
    auto res = call("POST", "/api/v1/auth/login",
                    json{{"username", user}, {"password", "Password-2026"}}.dump());
    EXPECT_EQ(res.status, 200) << res.body;
    std::string cookie(res.headers.get_or("Set-Cookie"));
    cookie = cookie.substr(0, cookie.find(';'));
    return {cookie, json::parse(res.body).value("csrf_token", "")};
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::pair<std::string, std::string>& session = {},
                      const std::string& key = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", "zh-CN");
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    if (!session.first.empty()) req.headers.set("Cookie", session.first);
    if (!session.second.empty()) req.headers.set("X-CSRF-Token", session.second);
    if (!key.empty()) req.headers.set("Idempotency-Key", key);
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  std::unique_ptr<app::VisitsService> visits_;
  auth::Principal grid_, other_grid_, qianyou_, command_;
};

TEST_P(VisitsApp, a_grid_worker_records_a_visit_in_their_own_grid_and_it_is_audited) {
  auto r = visits_->record(grid_, visit());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_FALSE(r->replayed);
  EXPECT_GT(r->visit.id, 0);
  EXPECT_EQ(r->visit.grid_code, kGrid);  // defaulted to the worker's own grid
  EXPECT_EQ(r->visit.worker_id, grid_.user_id);
  EXPECT_EQ(r->visit.visited_at, kNow - 3600 * 1000);
  ASSERT_TRUE(r->visit.lat.has_value());
  EXPECT_DOUBLE_EQ(*r->visit.lat, 33.70);
  EXPECT_EQ(visits(), 1);
  EXPECT_EQ(audits("visit.create"), 1);
}

TEST_P(VisitsApp, the_same_key_and_body_answer_the_stored_visit_and_another_body_is_refused) {
  auto in = visit();
  in.idempotency_key = "phone-7f3a-0001";
  auto first = visits_->record(grid_, in);
  ASSERT_TRUE(first.ok()) << first.error().detail;
  clock_.advance(std::chrono::hours(5));  // the phone came back online much later
  auto again = visits_->record(grid_, in);
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->visit.id, first->visit.id);
  in.note = "另一份记录";
  auto other = visits_->record(grid_, in);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kIdempotencyMismatch);
  // Another worker using the same key is a different body (the author is part of it).
  auto theirs = visits_->record(other_grid_, visit());
  ASSERT_TRUE(theirs.ok());
  auto stolen = in;
  stolen.note = visit().note;
  auto by_other = visits_->record(other_grid_, stolen);
  ASSERT_FALSE(by_other.ok());
  EXPECT_EQ(by_other.error().code, ErrorCode::kIdempotencyMismatch);
  EXPECT_EQ(visits(), 2);
  EXPECT_EQ(audits("visit.create"), 2);
}

TEST_P(VisitsApp, bad_input_and_foreign_grids_are_refused_and_write_nothing) {
  auto expect_refused = [&](const auth::Principal& p, app::VisitInput in, ErrorCode code,
                            const std::string& field) {
    auto r = visits_->record(p, in);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.error().code, code) << field << ": " << r.error().detail;
    EXPECT_EQ(r.error().field, field);
  };
  auto in = visit();
  in.household = "  ";
  expect_refused(grid_, in, ErrorCode::kMissingField, "household");
  in = visit(std::string(101, 'x'));
  expect_refused(grid_, in, ErrorCode::kTooLong, "household");
  in = visit();
  in.kind = "party";
  expect_refused(grid_, in, ErrorCode::kInvalidInput, "kind");
  in = visit();
  in.lon.reset();
  expect_refused(grid_, in, ErrorCode::kInvalidInput, "location");
  in = visit();
  in.lat = 91;
  expect_refused(grid_, in, ErrorCode::kInvalidInput, "location");
  in = visit();
  in.visited_at = kNow + kDay;
  expect_refused(grid_, in, ErrorCode::kInvalidInput, "visited_at");
  in = visit();
  in.grid_code = kOtherGrid;
  expect_refused(grid_, in, ErrorCode::kInvalidCode, "grid_code");
  in = visit();
  in.grid_code = kCommunity;  // a village is not a grid
  expect_refused(grid_, in, ErrorCode::kInvalidCode, "grid_code");
  // A township officer reads visits but does not record them.
  auto r = visits_->record(qianyou_, visit());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(visits(), 0);
  EXPECT_EQ(audits("visit.create"), 0);
}

TEST_P(VisitsApp, lists_are_scoped_to_the_callers_area_filtered_by_time_and_audited) {
  for (int i = 0; i < 3; ++i) {
    auto in = visit("户" + std::to_string(i));
    in.visited_at = kNow - i * kDay;
    ASSERT_TRUE(visits_->record(grid_, in).ok());
  }
  ASSERT_TRUE(visits_->record(other_grid_, visit("营盘村 李家")).ok());

  auto mine = visits_->list(grid_, {});
  ASSERT_TRUE(mine.ok()) << mine.error().detail;
  ASSERT_EQ(mine->total, 3);
  EXPECT_EQ(mine->items.front().household, "户0");  // newest first
  auto township = visits_->list(qianyou_, {});
  ASSERT_TRUE(township.ok());
  EXPECT_EQ(township->total, 3);  // 营盘镇's grid is not 乾佑街道's
  auto county = visits_->list(command_, {});
  ASSERT_TRUE(county.ok());
  EXPECT_EQ(county->total, 4);

  app::VisitQuery q;
  q.grid = kOtherGrid;
  auto foreign = visits_->list(grid_, q);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);

  q = {};
  q.from = kNow - kDay - 1;
  q.to = kNow - 1;
  auto window = visits_->list(grid_, q);
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->total, 1);
  EXPECT_EQ(window->items.front().household, "户1");
  EXPECT_EQ(audits("visit.list"), 4);
}

TEST_P(VisitsApp, the_api_answers_201_then_200_for_a_replay_and_checks_csrf_and_dates) {
  auto session = sign_in("gridworker");
  json body = {{"household", "城区社区5号楼 张大爷"},
               {"kind", "safety"},
               {"note", "楼道堆放杂物，已劝离"},
               {"visited_at", "2025-12-01T07:30:00+08:00"}};
  auto created = call("POST", "/api/v1/visits", body.dump(), session, "k-1");
  ASSERT_EQ(created.status, 201) << created.body;
  auto j = json::parse(created.body);
  EXPECT_EQ(j["visit"]["kind_name"], "安全巡查");
  EXPECT_EQ(j["visit"]["client_id"], "k-1");
  EXPECT_EQ(j["visit"]["grid_code"], kGrid);
  EXPECT_TRUE(j["visit"]["location"].is_null());
  auto replay = call("POST", "/api/v1/visits", body.dump(), session, "k-1");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(json::parse(replay.body)["visit"]["id"], j["visit"]["id"]);
  body["note"] = "改了";
  EXPECT_EQ(call("POST", "/api/v1/visits", body.dump(), session, "k-1").status, 409);
  // No CSRF token: refused before anything is parsed.
  EXPECT_EQ(call("POST", "/api/v1/visits", body.dump(), {session.first, ""}, "k-2").status, 403);
  EXPECT_EQ(call("POST", "/api/v1/visits", body.dump(), {}, "k-3").status, 401);
  body["visited_at"] = "yesterday";
  auto bad = call("POST", "/api/v1/visits", body.dump(), session, "k-4");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "visited_at");

  auto day = call("GET", "/api/v1/visits?from=2025-12-01&to=2025-12-01", "", session);
  ASSERT_EQ(day.status, 200) << day.body;
  EXPECT_EQ(json::parse(day.body)["total"], 1);
  auto before = call("GET", "/api/v1/visits?to=2025-11-30", "", session);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(json::parse(before.body)["total"], 0);
  EXPECT_EQ(call("GET", "/api/v1/visits?from=soon", "", session).status, 400);
  EXPECT_EQ(call("GET", std::string("/api/v1/visits?grid=") + kOtherGrid, "", session).status, 404);
  EXPECT_EQ(visits(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, VisitsApp,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
