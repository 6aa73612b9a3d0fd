// Exports 导出 in-process on real SQLite and real PostgreSQL ($GJ_TEST_POSTGRES_URL): the request
// list and the metric table as Excel (opened back with unzip and read from the sheet XML), scope
// (a village cadre's export holds only its village), masking, the audit entry, clear 400s that
// write nothing, and the monthly PDF report (pdfinfo / pdftotext from poppler-utils).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/export_service.hpp"
#include "app/report_service.hpp"
#include "app/requests_service.hpp"
#include "app_fixture.hpp"
#include "http/router.hpp"
#include "report/xlsx.hpp"
#include "store/repos/requests_repo.hpp"
#include "zhashui_seed.hpp"

using namespace gj;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

using gj::testing::Backend;

// Output of a shell command (the test's own fixed arguments only).
std::string run(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

std::string unescape(std::string s) {
  for (auto [from, to] :
       {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}}) {
    for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += std::strlen(to))
      s.replace(p, std::strlen(from), to);
  }
  return s;
}

// The rows of one worksheet of an .xlsx as text cells (inline strings or values), by column.
using Sheet = std::vector<std::vector<std::string>>;
Sheet read_sheet(const std::string& xlsx_path, int n) {
  std::string xml =
      run("unzip -p '" + xlsx_path + "' xl/worksheets/sheet" + std::to_string(n) + ".xml");
  Sheet rows;
  for (size_t p = 0; (p = xml.find("<row ", p)) != std::string::npos;) {
    size_t end = xml.find("</row>", p);
    if (end == std::string::npos) break;
    std::string row = xml.substr(p, end - p);
    p = end;
    std::vector<std::string> cells;
    for (size_t c = 0; (c = row.find("<c r=\"", c)) != std::string::npos;) {
      size_t ref = c + 6;
      size_t col = 0;
      while (ref < row.size() && row[ref] >= 'A' && row[ref] <= 'Z')
        col = col * 26 + (row[ref++] - 'A' + 1);
      size_t close = row.find('>', c);
      std::string value;
      if (row[close - 1] != '/') {
        size_t cend = row.find("</c>", close);
        std::string body = row.substr(close + 1, cend - close - 1);
        for (const char* tag : {"<t>", "<t xml:space=\"preserve\">", "<v>"}) {
          size_t a = body.find(tag);
          if (a == std::string::npos) continue;
          a += std::strlen(tag);
          value = unescape(body.substr(a, body.find('<', a) - a));
          break;
        }
      }
      if (cells.size() < col) cells.resize(col);
      cells[col - 1] = value;
      c = close;
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

int column_of(const Sheet& s, const std::string& header) {
  if (s.empty()) return -1;
  for (size_t i = 0; i < s[0].size(); ++i)
    if (s[0][i] == header) return static_cast<int>(i);
  return -1;
}

using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::kLat;
using gj::testing::kLon;
using gj::testing::kQianyou;
using gj::testing::kYingpanVillage;

class Exports : public gj::testing::AppFixture {
 protected:
  void SetUp() override {
    AppFixture::SetUp();
    if (IsSkipped()) return;
    dir_ = std::filesystem::temp_directory_path() /
           ("gj_ex_out_" + std::to_string(::getpid()) + "_" + std::to_string(rand()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    AppFixture::TearDown();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  void seed() override {
    ASSERT_TRUE(gj::testing::seed_zhashui(*app_, *db_).ok());
    command_ = add("command", "command", kCounty);
    village_ = add("yingpan_cadre", "village", kYingpanVillage);
    grid_ = add("gridworker", "grid_worker", kGrid);
    admin_ = add("admin1", "admin", kCounty);
  }

  auth::Principal add(const std::string& name, const std::string& role, const std::string& scope) {
    return gj::testing::add_user(*app_, name, role, scope);
  }

  int64_t submit(double lat, double lon, const std::string& subject, const std::string& category) {
    app::IntakeInput in;
    in.county_code = kCounty;
    in.category = category;
    in.subject = subject;
    in.text = subject + "，请尽快处理。";
    in.lat = lat;
    in.lon = lon;
    in.name = "张三";
    in.phone = "13812345678";
    auth::Principal citizen;
    citizen.role = auth::Role::kCitizen;
    auto r = app_->requests().submit(citizen, in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return r.ok() ? r->detail.view.row.id : 0;
  }

  void act(const auth::Principal& p, int64_t id, const std::string& action,
           app::ActionInput in = {}) {
    in.action = action;
    auto r = app_->requests().act(p, id, in);
    EXPECT_TRUE(r.ok()) << action << ": " << (r.ok() ? "" : r.error().detail);
  }

  // Three requests in 城区社区 (one handled to completion) and two in 营盘村.
  void tickets() {
    int64_t a = submit(kLat, kLon, "小区门口垃圾堆放多日无人清运", "0106");
    submit(kLat + 0.001, kLon, "小区门口垃圾桶满了没人清运", "0106");
    submit(kLat, kLon + 0.001, "路灯不亮晚上很黑", "0104");
    submit(33.60, 109.20, "村道路面塌陷需要修补", "0104");
    submit(33.601, 109.20, "村口垃圾没人清运", "0106");
    app::ActionInput claim;
    claim.contacted = true;
    act(grid_, a, "claim", claim);
    act(grid_, a, "start");
    clock_.advance(2h);
    app::ActionInput reply;
    reply.note = "已清运";
    act(grid_, a, "reply", reply);
    act(command_, a, "complete");
  }

  int64_t audit_count(const std::string& action) {
    auth::Principal root;
    root.role = auth::Role::kAdmin;
    root.scope_code = "610000000000";
    store::AuditFilter f;
    f.action = action;
    return app_->list_audit(root, f)->total;
  }

  http::Response get(const std::string& user, const std::string& target,
                     const std::string& lang = "zh-CN") {
    auto login = app_->login(user, "Password-2026", "127.0.0.1", "t");
    EXPECT_TRUE(login.ok());
    http::Request req;
    req.method = "GET";
    req.target = target;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", lang);
    if (login.ok()) req.headers.set("Cookie", std::string("gj_session=") + login->session_token);
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  std::string save(const http::Response& r, const std::string& name) {
    auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << r.body;
    return path;
  }

  std::filesystem::path dir_;
  auth::Principal command_, village_, grid_, admin_;
};

TEST_P(Exports, the_request_export_holds_every_row_of_the_scope_with_chinese_headers_and_masking) {
  tickets();
  auto r = get("command", "/api/v1/requests/export.xlsx");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_EQ(r.body.substr(0, 2), "PK");
  auto sheet = read_sheet(save(r, "all.xlsx"), 1);
  ASSERT_EQ(sheet.size(), 6u);  // header + 5 requests
  EXPECT_EQ(sheet[0][0], "编号");
  int subject = column_of(sheet, "标题"), phone = column_of(sheet, "联系电话"),
      name = column_of(sheet, "诉求人"), status = column_of(sheet, "状态");
  ASSERT_GE(subject, 0);
  ASSERT_GE(phone, 0);
  ASSERT_GE(name, 0);
  std::set<std::string> subjects;
  for (size_t i = 1; i < sheet.size(); ++i) {
    subjects.insert(sheet[i][subject]);
    EXPECT_EQ(sheet[i][phone], "138****5678");
    EXPECT_EQ(sheet[i][name], "张*");
  }
  EXPECT_TRUE(subjects.count("村道路面塌陷需要修补"));
  EXPECT_TRUE(subjects.count("路灯不亮晚上很黑"));
  EXPECT_EQ(r.body.find("13812345678"), std::string::npos);
  // The note sheet names the area and the time of generation.
  auto note = read_sheet(save(r, "all.xlsx"), 2);
  ASSERT_GE(note.size(), 2u);
  EXPECT_EQ(note[1][1], "柞水县（611026000000）");
  EXPECT_EQ(audit_count("export.requests"), 1);

  // A status filter narrows it like the list does; the completed one is the only one.
  auto done = get("command", "/api/v1/requests/export.xlsx?status=completed");
  ASSERT_EQ(done.status, 200);
  auto ds = read_sheet(save(done, "done.xlsx"), 1);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[1][subject], "小区门口垃圾堆放多日无人清运");
  EXPECT_EQ(ds[1][status], "已办结");

  // English headers for an English caller.
  auto en = get("command", "/api/v1/requests/export.xlsx", "en");
  ASSERT_EQ(en.status, 200);
  EXPECT_EQ(read_sheet(save(en, "en.xlsx"), 1)[0][0], "ID");
}

TEST_P(Exports, a_village_cadres_export_holds_only_its_village) {
  tickets();
  auto r = get("yingpan_cadre", "/api/v1/requests/export.xlsx");
  ASSERT_EQ(r.status, 200) << r.body;
  auto sheet = read_sheet(save(r, "village.xlsx"), 1);
  ASSERT_EQ(sheet.size(), 3u);  // header + the two requests of 营盘村
  int subject = column_of(sheet, "标题");
  std::set<std::string> got{sheet[1][subject], sheet[2][subject]};
  EXPECT_EQ(got, (std::set<std::string>{"村道路面塌陷需要修补", "村口垃圾没人清运"}));
  // Another area is not there for them: 404 like every scoped read, and no file.
  auto other = get("yingpan_cadre", "/api/v1/requests/export.xlsx?area=611026001001");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(json::parse(other.body)["error"]["code"], "not_found");
}

TEST_P(Exports, bad_parameters_give_a_clear_400_and_write_nothing) {
  tickets();
  for (const char* target :
       {"/api/v1/requests/export.xlsx?status=nonsense", "/api/v1/requests/export.xlsx?from=2025-13",
        "/api/v1/requests/export.xlsx?mine=maybe", "/api/v1/requests/export.xlsx?order=random",
        "/api/v1/requests/export.xlsx?from=2025-12&to=2025-01",
        "/api/v1/metrics/export.xlsx?from=12-2025", "/api/v1/reports/monthly.pdf?month=2025-1",
        "/api/v1/reports/monthly.pdf", "/api/v1/reports/monthly.pdf?month=2025-12&area=61x"}) {
    auto r = get("command", target);
    EXPECT_EQ(r.status, 400) << target << " " << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << target;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty()) << target;
    EXPECT_FALSE(j["error"]["field"].get<std::string>().empty()) << target;
  }
  EXPECT_EQ(audit_count("export.requests"), 0);
  EXPECT_EQ(audit_count("export.metrics"), 0);
  EXPECT_EQ(audit_count("export.monthly_report"), 0);
  // No temporary file is left behind.
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    EXPECT_EQ(e.path().filename().string().rfind("gj_requests_", 0), std::string::npos) << e.path();
}

TEST_P(Exports, the_metric_export_has_the_unit_table_with_percentages_and_the_rankings) {
  tickets();
  auto r = get("command", "/api/v1/metrics/export.xlsx?from=2025-12&to=2025-12");
  ASSERT_EQ(r.status, 200) << r.body;
  auto path = save(r, "metrics.xlsx");
  auto sheet = read_sheet(path, 1);
  ASSERT_GE(sheet.size(), 3u);
  int rate = column_of(sheet, "响应率");
  ASSERT_GE(rate, 0);
  EXPECT_EQ(sheet[1][0], kCounty);  // the area row first
  bool grid_row = false;
  for (size_t i = 1; i < sheet.size(); ++i)
    if (sheet[i][0] == kGrid) {
      grid_row = true;
      // 1 of its 3 requests responded: 33.3 % stored as a fraction, shown as a percentage.
      EXPECT_NEAR(std::stod(sheet[i][rate]), 1.0 / 3, 1e-9);
    }
  EXPECT_TRUE(grid_row);
  // The percentage format is in the styles.
  EXPECT_NE(run("unzip -p '" + path + "' xl/styles.xml").find("0.0%"), std::string::npos);
  auto ranks = read_sheet(path, 2);
  ASSERT_GE(ranks.size(), 2u);
  EXPECT_EQ(ranks[0][1], "名次");
  EXPECT_EQ(audit_count("export.metrics"), 1);
}

TEST_P(Exports, the_monthly_report_is_a_three_page_pdf_with_chinese_text) {
  tickets();
  auto r = get("command", "/api/v1/reports/monthly.pdf?month=2025-12");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/pdf");
  ASSERT_EQ(r.body.substr(0, 5), "%PDF-");
  auto path = save(r, "report.pdf");
  std::string info = run("pdfinfo '" + path + "'");
  auto pages = info.find("Pages:");
  ASSERT_NE(pages, std::string::npos) << info;
  EXPECT_EQ(std::stoi(info.substr(pages + 6)), 3) << info;
  std::string text = run("pdftotext -enc UTF-8 '" + path + "' -");
  EXPECT_NE(text.find("柞水县 2025年12月 接诉即办月度报告"), std::string::npos) << text;
  EXPECT_NE(text.find("响应率"), std::string::npos);
  EXPECT_NE(text.find("热点问题"), std::string::npos);
  std::string fonts = run("pdffonts '" + path + "'");
  EXPECT_NE(fonts.find("WenQuanYi"), std::string::npos) << fonts;
  EXPECT_EQ(fonts.find(" no  "), std::string::npos) << "every font embedded:\n" << fonts;
  EXPECT_EQ(audit_count("export.monthly_report"), 1);

  // The data behind it: 5 received, 1 closed, the 城区 garbage pair as a hot issue.
  app::ReportService svc(*app_);
  auto data = svc.monthly(command_, "", "2025-12", Lang::kZh);
  ASSERT_TRUE(data.ok()) << data.error().detail;
  EXPECT_EQ(data->intake_total, 5);
  EXPECT_EQ(data->closed_total, 1);
  EXPECT_EQ(data->days.size(), 31u);
  EXPECT_EQ(data->days[0].intake, 5);
  ASSERT_EQ(data->kpis.size(), 4u);
  EXPECT_EQ(data->kpis[0].name, "响应率");
  EXPECT_EQ(data->kpis[0].current, std::optional<double>(20.0));  // 1 of 5 responded
  EXPECT_FALSE(data->kpis[0].previous.has_value());
  EXPECT_FALSE(data->hot.empty());
}

TEST_P(Exports, the_cli_exports_write_the_file_and_report_rows) {
  tickets();
  app::ExportService svc(*app_);
  auth::Principal p;
  p.role = auth::Role::kAdmin;
  p.username = "cli";
  p.scope_code = kQianyou;
  std::vector<std::pair<int64_t, int64_t>> seen;
  auto path = (dir_ / "cli.xlsx").string();
  app::RequestExportQuery q;
  q.from = "2025-12";
  q.to = "2025-12";
  auto r = svc.requests_xlsx(p, q, Lang::kZh, path,
                             [&](int64_t done, int64_t total) { seen.emplace_back(done, total); });
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->rows, 3);  // 乾佑街道's three
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().first, 3);
  EXPECT_EQ(read_sheet(path, 1).size(), 4u);
  q.from = "2026-01";
  q.to = "2026-01";
  auto none = svc.requests_xlsx(p, q, Lang::kZh, path);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->rows, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, Exports, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
