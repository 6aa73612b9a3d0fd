#include "report/monthly.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gj::report {

namespace {

constexpr double kPageW = 595.276, kPageH = 841.89;  // A4 in points
constexpr double kMargin = 48;
constexpr double kContentW = kPageW - 2 * kMargin;

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk{0.13, 0.13, 0.13}, kGrey{0.45, 0.45, 0.45}, kRule{0.8, 0.8, 0.8},
    kRed{0.75, 0.11, 0.11}, kBlue{0.16, 0.38, 0.67}, kGreen{0.2, 0.55, 0.3},
    kBand{0.96, 0.94, 0.92};

void colour(cairo_t* cr, Rgb c) {
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

enum class Align { kLeft, kCenter, kRight };

// Draws `text` with its top-left (or centre/right per `align`) at x, y inside `width` (0: no
// wrap); returns the height used.
double text(cairo_t* cr, const std::string& s, double x, double y, double size, Rgb c,
            bool bold = false, Align align = Align::kLeft, double width = 0, bool wrap = false) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* fd = pango_font_description_new();
  pango_font_description_set_family(fd, kReportFont);
  pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
  pango_layout_set_font_description(layout, fd);
  if (width > 0) {
    pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    if (wrap)
      pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    else
      pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment(layout, align == Align::kRight    ? PANGO_ALIGN_RIGHT
                                       : align == Align::kCenter ? PANGO_ALIGN_CENTER
                                                                 : PANGO_ALIGN_LEFT);
  }
  pango_layout_set_text(layout, s.c_str(), -1);
  int w = 0, h = 0;
  pango_layout_get_pixel_size(layout, &w, &h);
  double x0 = x;
  if (width <= 0 && align == Align::kRight) x0 = x - w;
  if (width <= 0 && align == Align::kCenter) x0 = x - w / 2.0;
  colour(cr, c);
  cairo_move_to(cr, x0, y);
  pango_cairo_show_layout(cr, layout);
  pango_font_description_free(fd);
  g_object_unref(layout);
  return h;
}

void line(cairo_t* cr, double x0, double y0, double x1, double y1, Rgb c, double w = 0.6) {
  colour(cr, c);
  cairo_set_line_width(cr, w);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
}

std::string pct(const std::optional<double>& v) {
  if (!v) return "—";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", *v);
  return b;
}

std::string delta(const std::optional<double>& cur, const std::optional<double>& prev) {
  if (!cur || !prev) return "—";
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f", *cur - *prev);
  return b;
}

// A "nice" axis maximum ≥ v (1, 2, 5 × 10^k).
double nice_max(double v) {
  if (v <= 0) return 1;
  double e = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * e >= v) return m * e;
  return 10 * e;
}

double heading(cairo_t* cr, const std::string& s, double y) {
  colour(cr, kRed);
  cairo_rectangle(cr, kMargin, y + 3, 4, 14);
  cairo_fill(cr);
  text(cr, s, kMargin + 10, y, 13, kInk, true);
  return y + 26;
}

void footer(cairo_t* cr, const MonthlyReport& r, int page) {
  line(cr, kMargin, kPageH - 40, kPageW - kMargin, kPageH - 40, kRule);
  text(cr, r.title, kMargin, kPageH - 34, 8, kGrey);
  char b[64];
  std::snprintf(b, sizeof b, r.zh ? "第 %d 页 / 共 %d 页" : "Page %d of %d", page,
                kMonthlyReportPages);
  text(cr, b, kPageW - kMargin, kPageH - 34, 8, kGrey, false, Align::kRight);
}

// A table: header row, zebra rows; columns by relative width. Returns the y after it.
double table(cairo_t* cr, double y, const std::vector<std::string>& head,
             const std::vector<double>& widths, const std::vector<std::vector<std::string>>& rows,
             double row_h = 18, double size = 9, size_t left_cols = 1) {
  double total = 0;
  for (double w : widths) total += w;
  std::vector<double> xs{kMargin};
  for (double w : widths) xs.push_back(xs.back() + w / total * kContentW);
  colour(cr, kBand);
  cairo_rectangle(cr, kMargin, y, kContentW, row_h);
  cairo_fill(cr);
  for (size_t c = 0; c < head.size(); ++c)
    text(cr, head[c], xs[c] + 4, y + 3, size, kInk, true,
         c < left_cols ? Align::kLeft : Align::kRight, xs[c + 1] - xs[c] - 8);
  y += row_h;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t c = 0; c < rows[i].size() && c < head.size(); ++c)
      text(cr, rows[i][c], xs[c] + 4, y + 3, size, kInk, false,
           c < left_cols ? Align::kLeft : Align::kRight, xs[c + 1] - xs[c] - 8);
    y += row_h;
    line(cr, kMargin, y, kPageW - kMargin, y, kRule, 0.4);
  }
  return y + 8;
}

// Daily intake (bars) and closures (line) over the month.
double trend_chart(cairo_t* cr, const MonthlyReport& r, double y) {
  const double h = 200, left = kMargin + 30, right = kPageW - kMargin, top = y + 20,
               bottom = y + h - 24;
  int64_t mx = 0;
  for (const auto& d : r.days) mx = std::max({mx, d.intake, d.closed});
  double ymax = nice_max(static_cast<double>(mx));
  for (int i = 0; i <= 4; ++i) {
    double v = ymax * i / 4, py = bottom - (bottom - top) * i / 4;
    line(cr, left, py, right, py, kRule, 0.4);
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    text(cr, b, left - 4, py - 6, 7, kGrey, false, Align::kRight);
  }
  size_t n = std::max<size_t>(r.days.size(), 1);
  double slot = (right - left) / n;
  for (size_t i = 0; i < r.days.size(); ++i) {
    double bh = (bottom - top) * r.days[i].intake / ymax;
    colour(cr, kBlue);
    cairo_rectangle(cr, left + i * slot + slot * 0.15, bottom - bh, slot * 0.7, bh);
    cairo_fill(cr);
    if (i % 5 == 0 || i + 1 == r.days.size())
      text(cr, r.days[i].label, left + (i + 0.5) * slot, bottom + 3, 7, kGrey, false,
           Align::kCenter);
  }
  colour(cr, kRed);
  cairo_set_line_width(cr, 1.4);
  for (size_t i = 0; i < r.days.size(); ++i) {
    double px = left + (i + 0.5) * slot, py = bottom - (bottom - top) * r.days[i].closed / ymax;
    if (i == 0)
      cairo_move_to(cr, px, py);
    else
      cairo_line_to(cr, px, py);
  }
  cairo_stroke(cr);
  line(cr, left, bottom, right, bottom, kGrey, 0.8);
  // Legend.
  colour(cr, kBlue);
  cairo_rectangle(cr, left, y + 2, 10, 8);
  cairo_fill(cr);
  text(cr, r.zh ? "每日受理" : "Received per day", left + 14, y, 8, kInk);
  line(cr, left + 110, y + 6, left + 124, y + 6, kRed, 1.4);
  text(cr, r.zh ? "每日办结" : "Closed per day", left + 128, y, 8, kInk);
  return y + h;
}

// Horizontal bars, one per category, biggest first.
double category_chart(cairo_t* cr, const MonthlyReport& r, double y) {
  const double label_w = 150, left = kMargin + label_w, right = kPageW - kMargin - 40, bar_h = 14,
               gap = 6;
  size_t n = std::min(r.categories.size(), kMaxCategoryBars);
  if (n == 0) {
    text(cr, r.zh ? "本月无受理诉求" : "No requests this month", kMargin, y, 9, kGrey);
    return y + 24;
  }
  int64_t mx = 1;
  for (size_t i = 0; i < n; ++i) mx = std::max(mx, r.categories[i].value);
  for (size_t i = 0; i < n; ++i) {
    const auto& b = r.categories[i];
    double py = y + i * (bar_h + gap);
    text(cr, b.label, kMargin, py + 1, 8.5, kInk, false, Align::kLeft, label_w - 8);
    double w = (right - left) * b.value / mx;
    colour(cr, kBlue);
    cairo_rectangle(cr, left, py, w, bar_h);
    cairo_fill(cr);
    text(cr, std::to_string(b.value), left + w + 4, py + 1, 8.5, kInk);
  }
  return y + n * (bar_h + gap) + 10;
}

}  // namespace

Status render_monthly_pdf(const MonthlyReport& r, const std::string& path) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), kPageW, kPageH);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    return make_error(ErrorCode::kInternal, "cannot create the PDF " + path);
  }
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, r.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Gongjian 共建");
  cairo_t* cr = cairo_create(surface);

  // ---- page 1: title, KPIs, trend
  double y = kMargin;
  colour(cr, kRed);
  cairo_rectangle(cr, 0, 0, kPageW, 8);
  cairo_fill(cr);
  y += text(cr, r.title, kMargin, y, 20, kInk, true, Align::kLeft, kContentW, true) + 6;
  std::string sub = (r.zh ? "地区：" : "Area: ") + r.area_name + "（" + r.area_code + "）    " +
                    (r.zh ? "统计期：" : "Period: ") + r.month + "    " +
                    (r.zh ? "生成时间：" : "Generated: ") + r.generated_at;
  y += text(cr, sub, kMargin, y, 9, kGrey, false, Align::kLeft, kContentW) + 4;
  line(cr, kMargin, y, kPageW - kMargin, y, kRed, 1);
  y += 14;
  char totals[160];
  std::snprintf(totals, sizeof totals,
                r.zh ? "本月受理诉求 %lld 件，办结 %lld 件。"
                     : "%lld requests received, %lld closed this month.",
                static_cast<long long>(r.intake_total), static_cast<long long>(r.closed_total));
  y += text(cr, totals, kMargin, y, 10.5, kInk) + 12;

  y = heading(cr, r.zh ? "一、关键指标" : "1. Key indicators", y);
  std::vector<std::vector<std::string>> kpi_rows;
  for (const auto& k : r.kpis)
    kpi_rows.push_back({k.name, pct(k.current), pct(k.previous), delta(k.current, k.previous)});
  y = table(cr, y,
            {r.zh ? "指标" : "Indicator", r.zh ? ("本月 " + r.month) : ("This month " + r.month),
             r.zh ? ("上月 " + r.previous_month) : ("Previous " + r.previous_month),
             r.zh ? "环比（百分点）" : "Change (points)"},
            {3, 2, 2, 2}, kpi_rows, 20, 10);
  y += 10;
  y = heading(cr, r.zh ? "二、每日受理与办结趋势" : "2. Daily intake and closures", y);
  trend_chart(cr, r, y);
  footer(cr, r, 1);
  cairo_show_page(cr);

  // ---- page 2: categories, ranking
  y = kMargin;
  y = heading(cr, r.zh ? "三、诉求类别构成" : "3. Requests by category", y);
  y = category_chart(cr, r, y);
  y += 6;
  y = heading(cr, r.zh ? "四、单位排名" : "4. Unit ranking", y);
  std::vector<std::string> head{r.zh ? "名次" : "Rank", r.zh ? "单位" : "Unit"};
  std::vector<double> widths{1, 4};
  for (const auto& c : r.ranking_columns) {
    head.push_back(c);
    widths.push_back(1.8);
  }
  std::vector<std::vector<std::string>> rank_rows;
  for (size_t i = 0; i < r.ranking.size() && i < kMaxRankingRows; ++i) {
    const auto& x = r.ranking[i];
    std::vector<std::string> row{x.rank > 0 ? std::to_string(x.rank) : "—", x.unit};
    for (const auto& v : x.values) row.push_back(pct(v));
    rank_rows.push_back(std::move(row));
  }
  if (rank_rows.empty()) {
    text(cr, r.zh ? "本期无单位数据" : "No unit data in this period", kMargin, y, 9, kGrey);
  } else {
    y = table(cr, y, head, widths, rank_rows, 17, 8.5, 2);
    if (r.ranking.size() > kMaxRankingRows) {
      char b[96];
      std::snprintf(b, sizeof b,
                    r.zh ? "仅列前 %zu 名，共 %zu 个单位（完整排名见 Excel 导出）"
                         : "Top %zu of %zu units (the Excel export has them all)",
                    kMaxRankingRows, r.ranking.size());
      text(cr, b, kMargin, y, 8, kGrey);
    }
  }
  footer(cr, r, 2);
  cairo_show_page(cr);

  // ---- page 3: hot issues, notes
  y = kMargin;
  y = heading(cr, r.zh ? "五、热点问题" : "5. Hot issues", y);
  std::vector<std::vector<std::string>> hot_rows;
  for (size_t i = 0; i < r.hot.size() && i < kMaxHotRows; ++i) {
    const auto& h = r.hot[i];
    hot_rows.push_back({std::to_string(i + 1) + ". " + h.label, h.category,
                        std::to_string(h.current), std::to_string(h.previous), h.trend});
  }
  if (hot_rows.empty()) {
    y += text(cr,
              r.zh ? "本月未形成热点问题（同类诉求少于 2 件）"
                   : "No hot issue this month (fewer than 2 similar requests)",
              kMargin, y, 9, kGrey) +
         10;
  } else {
    y = table(cr, y,
              {r.zh ? "问题" : "Issue", r.zh ? "类别" : "Category", r.zh ? "本月" : "This month",
               r.zh ? "上月" : "Previous", r.zh ? "趋势" : "Trend"},
              {6, 2.5, 1.2, 1.2, 1.2}, hot_rows, 18, 8.5, 2);
  }
  y += 10;
  y = heading(cr, r.zh ? "六、数据说明" : "6. Notes", y);
  text(cr, r.note, kMargin, y, 8.5, kGrey, false, Align::kLeft, kContentW, true);
  footer(cr, r, 3);
  cairo_show_page(cr);

  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS)
    return make_error(ErrorCode::kInternal,
                      std::string("cannot write the PDF: ") + cairo_status_to_string(st));
  return {};
}

}  // namespace gj::report
