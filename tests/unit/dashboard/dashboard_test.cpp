// The command-centre dashboard 指挥中心 through app::DashboardService and the JSON API,
// in-process on real SQLite and real PostgreSQL ($GJ_TEST_POSTGRES_URL): intake counts per
// area from the 0013 trigger, KPI figures with the previous period, drill-down children, the
// change token moving with a rating, the map's grid totals and points, roles and scope.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/dashboard.hpp"
#include "app/requests_service.hpp"
#include "http/router.hpp"
#include "requests_fixture.hpp"
#include "store/repos/requests_repo.hpp"

using namespace gj;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

using gj::testing::Backend;
using gj::testing::kCommunity;
using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::kLat;
using gj::testing::kLon;
using gj::testing::kQianyou;
using gj::testing::kYingpanGrid;
using gj::testing::RequestsFixture;

class DashboardApp : public RequestsFixture {};

const app::DashboardKpi* kpi(const app::DashboardView& v, const std::string& code) {
  for (const auto& k : v.kpis)
    if (k.code == code) return &k;
  return nullptr;
}

TEST_P(DashboardApp, intake_is_counted_for_the_grid_and_every_division_above_it) {
  ASSERT_TRUE(app_->requests().submit(citizen(), pothole()).ok());
  clock_.advance(26h);  // the next local day
  auto in = pothole();
  in.category = "0201";  // 供水
  in.subject = "小区停水";
  in.text = "今天早上起突然停水，没有接到任何通知。";
  ASSERT_TRUE(app_->requests().submit(citizen(), in).ok());
  ASSERT_TRUE(app_->requests().submit(citizen(), pothole(33.60, 109.20)).ok());  // 营盘镇

  app::DashboardService dash(*app_);
  auto county = dash.summary(command_, {});
  ASSERT_TRUE(county.ok()) << county.error().detail;
  EXPECT_EQ(county->area.code, kCounty);
  EXPECT_EQ(county->from, "2025-12");
  EXPECT_EQ(county->prev_from, "2025-11");
  EXPECT_EQ(county->received, 3);
  EXPECT_EQ(county->received_previous, 0);
  EXPECT_EQ(county->open_now, 3);
  ASSERT_EQ(county->children.size(), 2u);
  EXPECT_EQ(county->children[0].code, kQianyou);
  EXPECT_EQ(county->children[0].received, 2);
  EXPECT_EQ(county->children[1].received, 1);
  EXPECT_TRUE(county->children[0].has_children);
  // Per day within one month: Dec 1 one request here, Dec 2 two (local time).
  EXPECT_EQ(county->trend_granularity, "day");
  ASSERT_GE(county->trend.size(), 2u);
  EXPECT_EQ(county->trend[0].period, "2025-12-01");
  EXPECT_EQ(county->trend[0].received, 1);
  EXPECT_EQ(county->trend[1].received, 2);
  // Category mix by top-level category, most first.
  ASSERT_EQ(county->categories.size(), 2u);
  EXPECT_EQ(county->categories[0].code, "01");
  EXPECT_EQ(county->categories[0].count, 2);
  EXPECT_EQ(county->categories[0].name_zh, "城乡建设");
  EXPECT_EQ(county->categories[1].code, "02");

  auto grid = dash.summary(command_, {kGrid, "", ""});
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->received, 2);
  ASSERT_EQ(grid->path.size(), 4u);  // 柞水县 / 乾佑街道 / 城区社区 / 第1网格
  EXPECT_EQ(grid->path.front().code, kCounty);
  EXPECT_EQ(grid->path.back().code, kGrid);
  EXPECT_TRUE(grid->children.empty());

  // The township platform's own view starts at its street.
  auto street = dash.summary(qianyou_, {});
  ASSERT_TRUE(street.ok());
  EXPECT_EQ(street->received, 2);
  ASSERT_EQ(street->path.size(), 1u);
  EXPECT_EQ(street->path[0].code, kQianyou);

  // A monthly range: one point per month, this month's received count in the last.
  auto months = dash.summary(command_, {"", "2025-07", "2025-12"});
  ASSERT_TRUE(months.ok());
  EXPECT_EQ(months->trend_granularity, "month");
  ASSERT_EQ(months->trend.size(), 6u);
  EXPECT_EQ(months->trend.back().received, 3);
  EXPECT_EQ(months->prev_from, "2025-01");
  EXPECT_EQ(months->prev_to, "2025-06");
}

TEST_P(DashboardApp, a_rating_moves_the_satisfaction_figure_and_the_change_token) {
  app::DashboardService dash(*app_);
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  auto t0 = dash.token(command_, "");
  ASSERT_TRUE(t0.ok());
  answer_and_complete(id, "已清运");
  auto t1 = dash.token(command_, "");
  ASSERT_TRUE(t1.ok());
  EXPECT_NE(*t0, *t1);  // claim and completion moved counters
  auto before = dash.summary(command_, {});
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(
      kpi(*before, "satisfaction_rate")->current.value.has_value());  // no rating: no value
  ASSERT_TRUE(app_->requests()
                  .rate_by_citizen(r->detail.view.row.code, "5678", "satisfied", true, "")
                  .ok());
  auto t2 = dash.token(command_, "");
  ASSERT_TRUE(t2.ok());
  EXPECT_NE(*t1, *t2);
  // The grid's token moves too (it reads the grid's own rows), and equals a fresh read.
  EXPECT_EQ(*dash.token(command_, kGrid), *dash.token(qianyou_, kGrid));

  auto after = dash.summary(command_, {});
  ASSERT_TRUE(after.ok());
  const auto* s = kpi(*after, "satisfaction_rate");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->current.numerator, 1);
  EXPECT_EQ(s->current.denominator, 1);
  EXPECT_EQ(s->current.value, 100.0);
  EXPECT_EQ(kpi(*after, "response_rate")->current.value, 100.0);
  EXPECT_EQ(after->token, *t2);
  EXPECT_EQ(after->open_now, 0);
  bool grid_listed = false;
  for (const auto& u : after->units)
    grid_listed = grid_listed || (u.unit_id == kGrid && u.rank == 1);
  EXPECT_TRUE(grid_listed);

  // Next month: this month's figure is the previous period's, and the delta is computed from it.
  clock_.advance(std::chrono::hours(24 * 31));
  auto next = dash.summary(command_, {});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->from, "2026-01");
  EXPECT_EQ(next->received, 0);
  EXPECT_EQ(next->received_previous, 1);
  EXPECT_EQ(kpi(*next, "satisfaction_rate")->previous.value, 100.0);
}

TEST_P(DashboardApp, every_event_of_a_ticket_in_the_area_moves_the_token_and_no_other_area) {
  app::DashboardService dash(*app_);
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  app::ActionInput claim;
  claim.contacted = true;
  act(grid_, id, "claim", claim);
  act(grid_, id, "start");
  auto county0 = *dash.token(command_, "");
  auto grid0 = *dash.token(command_, kGrid);
  auto yingpan0 = *dash.token(command_, gj::testing::kYingpanGrid);
  // A reply moves no counter and no intake row: only the event is new.
  app::ActionInput reply;
  reply.note = "已清运";
  act(grid_, id, "reply", reply);
  auto county1 = *dash.token(command_, "");
  auto grid1 = *dash.token(command_, kGrid);
  EXPECT_NE(county0, county1);
  EXPECT_NE(grid0, grid1);
  EXPECT_EQ(yingpan0, *dash.token(command_, gj::testing::kYingpanGrid));
  // Unchanged data: the same token twice.
  EXPECT_EQ(county1, *dash.token(command_, ""));
}

// Migration 0017's triggers: a ticket row written counts for its division and every division
// above it, and for the areas it left when it changed hands (here a ticket taken from the grid
// to the township platform with no counter moved: only the row changed).
TEST_P(DashboardApp, a_ticket_moved_away_moves_the_token_of_the_area_it_left) {
  app::DashboardService dash(*app_);
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  ASSERT_EQ(r->detail.view.row.division_code, kGrid);
  auto grid0 = *dash.token(command_, kGrid);
  auto community0 = *dash.token(command_, kCommunity);
  auto qianyou0 = *dash.token(command_, kQianyou);
  auto yingpan0 = *dash.token(command_, kYingpanGrid);
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Status {
                   auto row = store::tickets::get(s, id);
                   if (!row.ok()) return row.error();
                   row->division_code = kQianyou;
                   return store::tickets::update(s, *row);
                 })
                  .ok());
  EXPECT_NE(grid0, *dash.token(command_, kGrid));            // the area it left
  EXPECT_NE(community0, *dash.token(command_, kCommunity));  // above the area it left
  EXPECT_NE(qianyou0, *dash.token(command_, kQianyou));      // where it is now
  EXPECT_EQ(yingpan0, *dash.token(command_, kYingpanGrid));  // elsewhere: unchanged
}

TEST_P(DashboardApp, the_map_has_grid_totals_and_the_newest_points_of_the_area) {
  ASSERT_TRUE(app_->requests().submit(citizen(), pothole()).ok());
  ASSERT_TRUE(app_->requests().submit(citizen(), pothole(33.60, 109.20)).ok());
  app::DashboardService dash(*app_);
  auto m = dash.map(command_, {});
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_EQ(m->received, 2);
  EXPECT_FALSE(m->points_capped);
  ASSERT_EQ(m->grids.size(), 2u);
  EXPECT_EQ(m->grids[0].code, kGrid);
  EXPECT_EQ(m->grids[0].received, 1);
  EXPECT_NE(m->grids[0].polygon.find("Polygon"), std::string::npos);
  EXPECT_EQ(m->points.size(), 2u);
  auto street = dash.map(qianyou_, {});
  ASSERT_TRUE(street.ok());
  ASSERT_EQ(street->points.size(), 1u);
  EXPECT_EQ(street->points[0].grid_code, kGrid);
  EXPECT_NEAR(street->points[0].lat, kLat, 1e-9);
}

TEST_P(DashboardApp, only_command_chain_platforms_open_it_and_only_inside_their_scope) {
  app::DashboardService dash(*app_);
  auto forbidden = [&](const auth::Principal& p) {
    auto r = dash.summary(p, {});
    return !r.ok() && r.error().code == ErrorCode::kForbidden;
  };
  EXPECT_TRUE(forbidden(grid_));
  EXPECT_TRUE(forbidden(dept_));
  EXPECT_TRUE(forbidden(citizen()));
  auto other = dash.summary(qianyou_, {"611026101000", "", ""});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(audit_count("scope.denied"), 1);
  EXPECT_EQ(dash.map(yingpan_, {kGrid, "", ""}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(dash.token(yingpan_, kQianyou).error().code, ErrorCode::kNotFound);
  auto bad = dash.summary(command_, {"", "2025-12", "2025-01"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().field, "to");
  EXPECT_EQ(dash.summary(command_, {"", "2020-01", "2025-12"}).error().code,
            ErrorCode::kInvalidInput);  // more than 24 months

  // Over HTTP: no session → 401 (the page never sees figures it may not).
  EXPECT_EQ(call("GET", "/api/v1/dashboard").status, 401);
}

TEST_P(DashboardApp, tickets_received_before_the_migration_are_counted_by_its_backfill) {
  // Run the migration's backfill again over an emptied table: it must give the trigger's rows.
  ASSERT_TRUE(app_->requests().submit(citizen(), pothole()).ok());
  ASSERT_TRUE(app_->requests().submit(citizen(), pothole(33.60, 109.20)).ok());
  auto rows = [&] {
    return *db_->read_value<std::vector<std::string>>(
        [&](store::Session& s) -> Result<std::vector<std::string>> {
          auto r = s.query(
              "SELECT area_code || '|' || period || '|' || category || '|' || CAST(n AS TEXT) "
              "FROM dashboard_intake ORDER BY 1");
          if (!r.ok()) return r.error();
          std::vector<std::string> out;
          for (const auto& x : *r) out.push_back(x.str(0));
          return out;
        });
  };
  auto by_trigger = rows();
  EXPECT_EQ(by_trigger.size(), 14u);  // 7 areas (2 grids, 2 villages, 2 towns, 1 county) × 2
  std::string backend = GetParam() == Backend::kSqlite ? "sqlite" : "postgres";
  std::ifstream f(std::string(GJ_SOURCE_DIR) + "/src/store/migrations/" + backend +
                  "/0013_dashboard.sql");
  std::string sql((std::istreambuf_iterator<char>(f)), {});
  auto at = sql.find("-- What was received before this migration.");
  ASSERT_NE(at, std::string::npos);
  Status st = db_->write([&](store::Session& s) -> Status {
    auto del = s.exec("DELETE FROM dashboard_intake");
    if (!del.ok()) return del.error();
    return s.exec_script(sql.substr(at));
  });
  ASSERT_TRUE(st.ok()) << st.error().detail;
  EXPECT_EQ(rows(), by_trigger);
}

INSTANTIATE_TEST_SUITE_P(Backends, DashboardApp,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
