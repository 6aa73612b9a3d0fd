// `gongjian report monthly`: the monthly report 月度报告 of an area as a PDF (the same document
// as GET /api/v1/reports/monthly.pdf), for the operator of the machine; audited.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/export_service.hpp"
#include "app/report_service.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"
#include "domain/org/division.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian report monthly --area CODE --month YYYY-MM --out FILE.pdf [--lang zh|en]\n"
    "                               [--db PATH | --postgres URL]\n"
    "\n"
    "Draws the area's monthly report: key indicators with the previous month, daily intake and\n"
    "closures, the category mix, the unit ranking and hot issues (A4, 3 pages, text in a\n"
    "embedded CJK font). The file is written whole or not at all.\n";

int run_report(const Args& args) {
  if (args.empty() || has_flag(args, "--help") || has_flag(args, "-h")) {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "monthly") return usage_error("unknown report '" + args[0] + "'", kUsage);
  const std::string area = flag_value(args, "--area"), month = flag_value(args, "--month"),
                    out = flag_value(args, "--out"), lang_s = flag_value(args, "--lang", "zh");
  if (area.empty() || !org::validate_code(area).ok())
    return usage_error("--area needs a division code, e.g. 611026000000", kUsage);
  if (!app::month_range(month, "month").ok()) return usage_error("--month needs YYYY-MM", kUsage);
  if (out.empty()) return usage_error("--out FILE.pdf is required", kUsage);
  if (lang_s != "zh" && lang_s != "en") return usage_error("--lang is zh or en", kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  app::ReportService svc(a);
  auth::Principal p;
  p.role = auth::Role::kAdmin;
  p.username = "cli";
  p.scope_code = area;
  const std::string part = out + ".part";
  progress("report", 0, 1);
  auto r = svc.monthly_pdf(p, area, month, lang_s == "en" ? Lang::kEn : Lang::kZh, part);
  db->close();
  std::error_code ec;
  if (!r.ok()) {
    std::filesystem::remove(part, ec);
    std::cerr << "gongjian report monthly: " << r.error().message(Lang::kEn)
              << (r.error().field.empty() ? "" : " (" + r.error().field + ")")
              << (r.error().detail.empty() ? "" : ": " + r.error().detail) << "\n";
    return 1;
  }
  progress("report", 1, 1);
  std::filesystem::rename(part, out, ec);
  if (ec) {
    std::cerr << "gongjian report: cannot write " << out << ": " << ec.message() << "\n";
    return 1;
  }
  std::printf("%s: %s %s, %lld received, %lld closed, %zu units, %zu hot issues\n", out.c_str(),
              r->area_name.c_str(), month.c_str(), static_cast<long long>(r->intake_total),
              static_cast<long long>(r->closed_total), r->ranking.size(), r->hot.size());
  return 0;
}

const Registrar kReport("report", "Monthly PDF report of an area (月度报告)", run_report);

}  // namespace
}  // namespace gj::cli
