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
#include "requests_fixture.hpp"
#include "store/repos/config_repo.hpp"
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

class ConfigApp : public RequestsFixture {
 protected:
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
