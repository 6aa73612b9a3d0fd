// gongjian import divisions DIR: the NBS division files (provinces … villages).
// gongjian import osm FILE: the walking network, facilities and homes of an OSM extract.
// gongjian import grids FILE.geojson / units FILE.csv: the county's own grids and units.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/access_service.hpp"
#include "app/app.hpp"
#include "app/org_import.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian import divisions DIR [--db PATH | --postgres URL]\n"
    "       gongjian import osm FILE --division CODE [--name NAME] [--types FILE]\n"
    "                               [--db PATH | --postgres URL]\n"
    "Imports NBS division codes from DIR/{provinces,cities,counties,townships,villages}.csv\n"
    "(columns code,name,parent_code; 12-digit codes). Idempotent: a re-import changes only\n"
    "rows that differ. The files are checked completely before anything is written.\n"
    "osm: reads the walking network, facilities (by the type mapping of --types, lines\n"
    "  `TYPE key=value|value`) and residential buildings of FILE (.osm or .osm.pbf) and stores\n"
    "  them in one transaction as the current network of the area CODE (a division in the\n"
    "  store); facilities from an earlier OSM import of that area are replaced, registered ones\n"
    "  kept. Then run `gongjian access run`. A bad file changes nothing.\n"
    "  --homes nodes: every network node is one home (stress test) instead of the buildings.\n"
    "       gongjian import grids FILE.geojson [--dry-run] [--retire-missing]\n"
    "                             [--db PATH | --postgres URL]\n"
    "grids: the county's grid boundaries 网格边界, a GeoJSON FeatureCollection of Polygon (or,\n"
    "  for a grid in several parts, MultiPolygon) features in lon/lat (WGS-84 / CGCS2000) with\n"
    "  properties code (15 digits: the village's 12-digit code and a grid number, GB/T 30428),\n"
    "  name, and optionally households and residents. The villages must be imported first\n"
    "  (import divisions). --retire-missing: the file is the new grid layer of the villages it\n"
    "  covers (a re-division 网格调整); their grids it does not name are retired: they keep\n"
    "  their history but route no request and leave the maps; their registered households\n"
    "  move to the grid in use their location lies in. Each is listed with the unfinished\n"
    "  requests it holds and its households.\n"
    "       gongjian import units FILE.csv [--dry-run] [--retire-missing] [--db PATH | --postgres "
    "URL]\n"
    "units: departments and other units 部门/单位, CSV columns name,kind,division_code; the\n"
    "  responsibility matrix 责任清单 names a unit by its kind. --retire-missing: the file lists\n"
    "  every unit of the divisions it covers (after a reform 机构改革); their units it does not\n"
    "  name are withdrawn: they keep their history and finish what they hold, but get no new\n"
    "  request and can no longer be dispatched to or given to an account.\n"
    "grids and units: the whole file is checked first and every problem is listed; with any\n"
    "  problem nothing is written. A re-import changes only what differs. --dry-run only\n"
    "  reports what would change. Running servers pick the change up within seconds.\n";

// Prints the report of a grids/units import; returns the exit status.
int report_org_import(const char* what, const Result<app::OrgImportReport>& r) {
  if (!r.ok()) {
    std::cerr << "gongjian import " << what << ": " << r.error().message(Lang::kEn) << ": "
              << r.error().detail << "\nnothing was imported\n";
    return 1;
  }
  if (!r->ok()) {
    for (const auto& p : r->problems) {
      std::cerr << (p.item ? (std::string(what[0] == 'g' ? "feature " : "line ") +
                              std::to_string(p.item) + ": ")
                           : std::string());
      if (!p.field.empty()) std::cerr << p.field << ": ";
      std::cerr << org::file_reason_text(p.reason, Lang::kEn);
      if (!p.value.empty()) std::cerr << " (" << p.value << ")";
      std::cerr << "\n";
    }
    if (r->problems_truncated) std::cerr << "(more problems not shown)\n";
    std::cerr << "gongjian import " << what << ": " << r->problems.size()
              << (r->problems_truncated ? "+" : "") << " problems; nothing was imported\n";
    return 1;
  }
  std::printf("%s%lld %s read: %lld new, %lld changed, %lld unchanged",
              r->dry_run ? "dry run (nothing written): " : "", (long long)r->read, what,
              (long long)r->added, (long long)r->changed, (long long)r->unchanged);
  if (what[0] == 'g' && r->retired == 0)
    std::printf("; %lld villages, %.2f km², %lld grids of those villages not in the file (kept)",
                (long long)r->villages, r->area_km2, (long long)r->not_in_file);
  else if (what[0] == 'g')
    std::printf("; %lld villages, %.2f km², %lld grids of those villages not in the file %s",
                (long long)r->villages, r->area_km2, (long long)r->retired,
                r->dry_run ? "(would be retired)" : "retired");
  else if (r->retired == 0 && r->not_in_file > 0)
    std::printf("; %lld units of those divisions not in the file (kept)",
                (long long)r->not_in_file);
  else if (r->retired > 0)
    std::printf("; %lld units of those divisions not in the file %s", (long long)r->retired,
                r->dry_run ? "(would be withdrawn)" : "withdrawn");
  for (size_t i = 0; i < r->new_kinds.size(); ++i)
    std::printf("%s%s", i ? ", " : "; new unit kinds: ", r->new_kinds[i].c_str());
  std::printf(" (%.2f s)\n", r->seconds);
  if (r->overlaps > 0) {
    std::printf("warning: %lld overlaps between grids (requests there go to the smaller grid):\n",
                (long long)r->overlaps);
    for (size_t i = 0; i < r->warnings.size() && i < 20; ++i)
      std::printf("  feature %lld overlaps %s\n", (long long)r->warnings[i].item,
                  r->warnings[i].value.c_str());
    if (r->warnings.size() > 20) std::printf("  …\n");
  }
  for (const auto& g : r->retiring)
    if (g.open_requests || g.households)
      std::printf(
          "note: retired grid %s %s: %lld unfinished requests (its grid worker %s goes on "
          "with them); %lld registered households, %lld %s by their location to grids in "
          "use, %lld outside them (register those again)\n",
          g.code.c_str(), g.name.c_str(), (long long)g.open_requests,
          g.worker_name.empty() ? "-" : g.worker_name.c_str(), (long long)g.households,
          (long long)g.households_moved, r->dry_run ? "would move" : "moved",
          (long long)(g.households - g.households_moved));
  for (const auto& u : r->retiring_units)
    if (u.open_requests || u.staff)
      std::printf(
          "note: withdrawn unit %s (%s, %s): %lld unfinished requests, %lld active staff (move "
          "them to the unit that took over)\n",
          u.name.c_str(), u.kind.c_str(), u.division_code.c_str(), (long long)u.open_requests,
          (long long)u.staff);
  return 0;
}

int run_org(const Args& args, const std::string& what, const std::string& file) {
  auto text = read_input("import " + what, file);
  if (!text) return 1;
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  app::OrgImportService svc(a);
  bool dry = has_flag(args, "--dry-run");
  auto r =
      what == "grids"
          ? svc.import_grids(nullptr, *text, dry, progress, has_flag(args, "--retire-missing"))
          : svc.import_units(nullptr, *text, dry, progress, has_flag(args, "--retire-missing"));
  std::cerr << "\n";
  db->close();
  return report_org_import(what.c_str(), r);
}

int run_osm(const Args& args, const std::string& file) {
  if (flag_value(args, "--division").empty())
    return usage_error("import osm: --division CODE is required (the area's division)", kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  app::AccessService svc(a);
  app::OsmImportOptions o;
  o.types_file = flag_value(args, "--types");
  o.name = flag_value(args, "--name");
  o.division_code = flag_value(args, "--division");
  o.homes_from_nodes = flag_value(args, "--homes") == "nodes";
  std::string last;
  int last_step = -1;
  auto stats = svc.import_osm(file, o, [&](const std::string& stage, double f) {
    int step = static_cast<int>(f * 10);
    if (stage == last && step == last_step) return;
    last = stage;
    last_step = step;
    std::fprintf(stderr, "gongjian import osm: %s %d%%\n", stage.c_str(), step * 10);
  });
  db->close();
  if (!stats.ok()) {
    std::cerr << "gongjian import osm: " << stats.error().message(Lang::kEn) << ": "
              << stats.error().detail << "\nnothing was imported\n";
    return 1;
  }
  std::printf(
      "network %lld: %lld nodes, %lld edges; %lld facilities (%lld of unknown types skipped), "
      "%lld homes, %lld in registered grids (%.2f s)\n",
      (long long)stats->network_id, (long long)stats->nodes, (long long)stats->edges,
      (long long)stats->facilities, (long long)stats->facilities_skipped,
      (long long)stats->residences, (long long)stats->residences_in_grids, stats->seconds);
  return 0;
}

int run(const Args& args) {
  auto pos = positional(args, {"--db", "--postgres", "--division", "--name", "--types", "--homes"});
  if (has_flag(args, "--help") || pos.empty()) {
    std::cout << kUsage << kStoreUsage;
    return pos.empty() && !has_flag(args, "--help") ? 2 : 0;
  }
  if (pos.size() == 2 && pos[0] == "osm") return run_osm(args, pos[1]);
  if (pos.size() == 2 && (pos[0] == "grids" || pos[0] == "units"))
    return run_org(args, pos[0], pos[1]);
  if (pos[0] != "divisions" || pos.size() != 2)
    return usage_error(
        "import: expected `import divisions DIR`, `import osm FILE`, `import grids FILE` or "
        "`import units FILE`",
        kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  auto t0 = std::chrono::steady_clock::now();
  auto stats = a.import_divisions(pos[1], app::ImportProgress{progress});
  std::cerr << "\n";
  db->close();
  if (!stats.ok()) {
    std::cerr << "gongjian import: " << stats.error().message(Lang::kEn) << ": "
              << stats.error().detail << "\nnothing was imported\n";
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "read " << stats->read << " divisions: " << stats->changed << " new or changed, "
            << stats->unchanged << " unchanged (" << secs << " s)\n";
  for (auto [level, n] : stats->by_level) std::cout << "  level " << level << ": " << n << "\n";
  return 0;
}

const Registrar kReg{"import",
                     "import reference data (divisions, grids, units, OSM walking network)", run};
}  // namespace
}  // namespace gj::cli
