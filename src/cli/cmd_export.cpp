// `gongjian export requests|metrics`: the command centre's Excel exports 导出 from the command
// line, for the operator of the machine (scoped to --area, audited as an export by "cli").
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/export_service.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"
#include "domain/org/division.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian export requests --area CODE [--from YYYY-MM] [--to YYYY-MM] [--status S]\n"
    "                                --out FILE.xlsx [--lang zh|en] [--db PATH | --postgres URL]\n"
    "       gongjian export metrics --area CODE [--from YYYY-MM] [--to YYYY-MM] --out FILE.xlsx\n"
    "                                [--lang zh|en] [--db PATH | --postgres URL]\n"
    "\n"
    "requests: every request held in (or passed through) the area, received in the months\n"
    "  from..to (default: all), requester names and phones masked, one row each.\n"
    "metrics: the metric table of the area per unit and the rankings for the months from..to\n"
    "  (default: this month), as the metrics page shows them.\n"
    "The file is written whole or not at all; rows written are reported on stderr.\n"
    "\n"
    "options:\n"
    "  --area CODE    a 12-digit division code (the scope of the export)\n"
    "  --lang zh|en   header language (default zh)\n"
    "  --status S     requests: only this status code (e.g. dispatched, completed)\n";

int run_export(const Args& args) {
  if (args.empty() || has_flag(args, "--help") || has_flag(args, "-h")) {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string what = args[0];
  if (what != "requests" && what != "metrics")
    return usage_error("unknown export '" + what + "' (requests or metrics)", kUsage);
  const std::string area = flag_value(args, "--area"), out = flag_value(args, "--out"),
                    from = flag_value(args, "--from"), to = flag_value(args, "--to"),
                    lang_s = flag_value(args, "--lang", "zh");
  if (area.empty() || !org::validate_code(area).ok())
    return usage_error("--area needs a division code, e.g. 611026000000", kUsage);
  if (out.empty()) return usage_error("--out FILE.xlsx is required", kUsage);
  if (lang_s != "zh" && lang_s != "en") return usage_error("--lang is zh or en", kUsage);
  for (const auto& [name, v] : {std::pair{"--from", from}, std::pair{"--to", to}})
    if (!v.empty() && !app::month_range(v, name).ok())
      return usage_error(std::string(name) + " needs YYYY-MM", kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  app::ExportService svc(a);
  // The machine's operator, bound to the area (what a county administrator would see).
  auth::Principal p;
  p.role = auth::Role::kAdmin;
  p.username = "cli";
  p.scope_code = area;
  const Lang lang = lang_s == "en" ? Lang::kEn : Lang::kZh;
  const std::string part = out + ".part";
  auto report = [](int64_t done, int64_t total) { progress("rows written", done, total); };
  Result<app::ExportResult> r = app::ExportResult{};
  if (what == "requests") {
    app::RequestExportQuery q;
    q.from = from;
    q.to = to;
    q.status = flag_value(args, "--status");
    r = svc.requests_xlsx(p, q, lang, part, report);
  } else {
    r = svc.metrics_xlsx(p, area, from, to, lang, part, report);
  }
  db->close();
  std::error_code ec;
  if (!r.ok()) {
    std::filesystem::remove(part, ec);
    std::cerr << "gongjian export " << what << ": " << r.error().message(Lang::kEn)
              << (r.error().field.empty() ? "" : " (" + r.error().field + ")")
              << (r.error().detail.empty() ? "" : ": " + r.error().detail) << "\n";
    return 1;
  }
  std::filesystem::rename(part, out, ec);
  if (ec) {
    std::cerr << "gongjian export: cannot write " << out << ": " << ec.message() << "\n";
    return 1;
  }
  std::printf("%s: %lld rows\n", out.c_str(), static_cast<long long>(r->rows));
  return 0;
}

const Registrar kExport("export", "Excel exports of the request list and the metric table",
                        run_export);

}  // namespace
}  // namespace gj::cli
