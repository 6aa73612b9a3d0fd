// The export module on its own (no store, no HTTP): the Excel writer's sheet structure and the
// monthly PDF drawn from a plain struct, read back with unzip and poppler-utils.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "report/monthly.hpp"
#include "report/xlsx.hpp"

using namespace gj;

namespace {

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

struct TempPath {
  std::string path;
  explicit TempPath(const char* suffix) : path(*report::temp_path("gj_report_test", suffix)) {}
  ~TempPath() { std::remove(path.c_str()); }
};

int pages(const std::string& pdf) {
  std::string info = run("pdfinfo '" + pdf + "'");
  auto p = info.find("Pages:");
  return p == std::string::npos ? -1 : std::stoi(info.substr(p + 6));
}

TEST(XlsxWriter, a_sheet_has_a_frozen_bold_header_widths_percentages_and_empty_cells_for_no_data) {
  TempPath t(".xlsx");
  report::XlsxWriter xw(t.path);
  ASSERT_TRUE(xw.ok());
  xw.sheet("指标/排名?", {{"单位", 20},
                          {"响应率", 10, report::CellKind::kPercent},
                          {"受理时间", 17, report::CellKind::kDateTime}});
  xw.row(
      {report::Cell::of("城区社区"), report::Cell::of(0.953), report::Cell::of(1764547200000.0)});
  xw.row({report::Cell::of("营盘村"), report::Cell::empty(), report::Cell::empty()});
  xw.note_sheet("说明", {{"地区", "柞水县"}});
  EXPECT_EQ(xw.rows_written(), 2);
  ASSERT_TRUE(xw.close().ok());
  std::string workbook = run("unzip -p '" + t.path + "' xl/workbook.xml");
  EXPECT_NE(workbook.find("name=\"指标_排名_\""), std::string::npos) << workbook;  // no [/?]
  std::string sheet = run("unzip -p '" + t.path + "' xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(sheet.find("<v>0.953</v>"), std::string::npos);
  // 2025-12-01T00:00Z is 08:00 in China: Excel serial 45992 + 1/3.
  EXPECT_NE(sheet.find("<v>45992.33333"), std::string::npos) << sheet;
  EXPECT_EQ(sheet.find("<c r=\"B3\""), std::string::npos);  // no value, no cell (not 0)
  EXPECT_NE(run("unzip -p '" + t.path + "' xl/styles.xml").find("0.0%"), std::string::npos);
}

TEST(MonthlyReport, an_empty_month_still_draws_three_pages_with_its_title) {
  report::MonthlyReport r;
  r.zh = false;
  r.title = "Citizen requests monthly report: 柞水县, 2026-02";
  r.area_name = "柞水县";
  r.area_code = "611026000000";
  r.month = "2026-02";
  r.previous_month = "2026-01";
  r.generated_at = "2026-03-01 08:00";
  r.days.resize(28);
  TempPath t(".pdf");
  ASSERT_TRUE(report::render_monthly_pdf(r, t.path).ok());
  EXPECT_EQ(pages(t.path), report::kMonthlyReportPages);
  std::string text = run("pdftotext -enc UTF-8 '" + t.path + "' -");
  EXPECT_NE(text.find("No requests this month"), std::string::npos) << text;
  EXPECT_NE(text.find("No hot issue this month"), std::string::npos);
}

TEST(MonthlyReport, a_long_ranking_is_cut_with_a_note_and_values_print_as_percentages) {
  report::MonthlyReport r;
  r.title = "柞水县 2026年11月 接诉即办月度报告";
  r.area_name = "柞水县";
  r.month = "2026-11";
  r.previous_month = "2026-10";
  r.days.resize(30);
  r.days[3] = {"11-04", 7, 2};
  r.kpis = {{"响应率", 95.26, 90.0}, {"满意率", std::nullopt, 80.0}};
  r.ranking_columns = {"响应率"};
  for (int i = 0; i < 40; ++i)
    r.ranking.push_back({i + 1, "第" + std::to_string(i + 1) + "网格", {100.0 - i}});
  TempPath t(".pdf");
  ASSERT_TRUE(report::render_monthly_pdf(r, t.path).ok());
  EXPECT_EQ(pages(t.path), 3);
  std::string text = run("pdftotext -enc UTF-8 '" + t.path + "' -");
  EXPECT_NE(text.find("95.3%"), std::string::npos) << text;
  EXPECT_NE(text.find("+5.3"), std::string::npos);
  EXPECT_NE(text.find("第25网格"), std::string::npos);
  EXPECT_EQ(text.find("第26网格"), std::string::npos);
  EXPECT_NE(text.find("仅列前 25 名，共 40 个单位"), std::string::npos);
}

TEST(MonthlyReport, an_unwritable_path_is_an_error_not_a_crash) {
  report::MonthlyReport r;
  r.days.resize(30);
  auto st = report::render_monthly_pdf(r, "/nonexistent-dir/report.pdf");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
}

}  // namespace
