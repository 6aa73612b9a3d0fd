// The monthly report 月度报告 of one area as a PDF: title, area and period, the KPI table with
// the previous month, a trend chart of daily intake and closures, the category mix, the unit
// ranking and the hot issues. Drawn as vectors with cairo + pango in a CJK font, so the text is
// real, selectable and embedded (subset). Fed by a plain struct the app layer fills; this module
// knows nothing of HTTP, SQL or the services.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace gj::report {

struct Kpi {
  std::string name;                         // 响应率, 解决率, …
  std::optional<double> current, previous;  // percent (0–100); empty: no data this month
};

struct DayPoint {
  std::string label;  // "11-01"
  int64_t intake = 0, closed = 0;
};

struct Bar {
  std::string label;
  int64_t value = 0;
};

struct RankingRow {
  int rank = 0;  // 0: not ranked (no cases)
  std::string unit;
  std::vector<std::optional<double>> values;  // one per MonthlyReport::ranking_columns
};

struct HotRow {
  std::string label, category, trend;
  int64_t current = 0, previous = 0;
};

struct MonthlyReport {
  bool zh = true;     // labels in Chinese (else English)
  std::string title;  // e.g. "柞水县 2026年11月 接诉即办月度报告"
  std::string area_name, area_code, month, previous_month;  // months "2026-11"
  std::string generated_at;                                 // "2026-12-01 08:00"
  std::vector<Kpi> kpis;
  int64_t intake_total = 0, closed_total = 0;
  std::vector<DayPoint> days;   // every day of the month
  std::vector<Bar> categories;  // biggest first
  std::vector<std::string> ranking_columns;
  std::vector<RankingRow> ranking;  // ranked order
  std::vector<HotRow> hot;
  std::string note;  // how the figures were counted, printed small at the end
};

// The report has this many A4 pages: 1 title, KPIs and trend; 2 categories and ranking; 3 hot
// issues and notes.
inline constexpr int kMonthlyReportPages = 3;
// At most this many ranking rows and hot issues are drawn (the xlsx export holds them all).
inline constexpr size_t kMaxRankingRows = 25, kMaxHotRows = 15, kMaxCategoryBars = 12;

// Writes the PDF to `path`; kInternal when cairo cannot.
Status render_monthly_pdf(const MonthlyReport& r, const std::string& path);

// The font family the report asks fontconfig for (a Debian CJK font, see Makefile APT_PACKAGES).
inline constexpr const char* kReportFont = "WenQuanYi Micro Hei";

}  // namespace gj::report
