#include "app/org_import.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "app/requests_service.hpp"
#include "common/text.hpp"
#include "domain/org/division.hpp"
#include "domain/requests/router.hpp"
#include "store/repos/access_repo.hpp"
#include "store/repos/config_repo.hpp"
#include "store/repos/repos.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

namespace rq = gj::requests;
using store::Session;

namespace {

constexpr size_t kPreviewMax = 2000;
constexpr size_t kContextMax = 1000;
constexpr size_t kMaxProblems = 200;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool add_problem(OrgImportReport& r, org::FileProblem p) {
  if (r.problems.size() >= kMaxProblems) {
    r.problems_truncated = true;
    return false;
  }
  r.problems.push_back(std::move(p));
  return true;
}

// Boundaries the router could not use reliably (a ring crossing itself, overlapping parts, a
// misplaced hole) are problems of the file: checked before any transaction, since they need
// no store and a county file has up to 100,000 of them. Returns the shapes of the grids kept,
// in file.grids' order, for the overlap check (parsed once).
std::vector<rq::GridShape> check_geometry(org::GridFile& file) {
  std::vector<org::GridFeature> ok;
  std::vector<rq::GridShape> shapes;
  ok.reserve(file.grids.size());
  shapes.reserve(file.grids.size());
  for (auto& g : file.grids) {
    rq::GridShape shape;
    shape.code = g.code;
    for (const auto& rings : g.parts) {
      auto& part = shape.parts.emplace_back();
      for (size_t i = 0; i < rings.size(); ++i) {
        auto& ring = i == 0 ? part.outer : part.holes.emplace_back();
        ring.reserve(rings[i].size());
        for (const auto& [lon, lat] : rings[i]) ring.push_back({lat, lon});
      }
    }
    std::string_view problem = rq::geometry_problem(shape);
    if (problem.empty()) {
      ok.push_back(std::move(g));
      shapes.push_back(std::move(shape));
    } else if (file.problems.size() < kMaxProblems) {
      file.problems.push_back({g.item, std::string(problem), "geometry", g.code});
    } else {
      file.truncated = true;
    }
  }
  file.grids = std::move(ok);
  return shapes;
}

// Overlaps among the file's grids and between them and the store's other grids of the same
// counties: warnings, not problems (routing stays defined: the smaller grid wins). `layer`
// receives the index of the grids the counties will route by after the import.
Status find_overlaps(Session& s, const org::GridFile& file,
                     const std::vector<rq::GridShape>& file_shapes,
                     const std::set<std::string>& skip, OrgImportReport& r,
                     std::vector<bool>& overlapping, std::optional<rq::GridIndex>& layer) {
  std::vector<rq::GridShape> shapes = file_shapes;
  std::vector<int64_t> item;  // feature number, 0 for a grid of the store
  for (const auto& g : file.grids) item.push_back(g.item);
  std::set<std::string> counties;
  for (const auto& g : file.grids) counties.insert(g.code.substr(0, 6) + "000000");
  // The file's extent, widened by a tenth on each side: stored grids there give the preview
  // its surroundings.
  double x0 = 180, y0 = 90, x1 = -180, y1 = -90;
  for (const auto& g : file.grids) {
    x0 = std::min(x0, g.min_lon), y0 = std::min(y0, g.min_lat);
    x1 = std::max(x1, g.max_lon), y1 = std::max(y1, g.max_lat);
  }
  double dx = (x1 - x0) / 10, dy = (y1 - y0) / 10;
  x0 -= dx, x1 += dx, y0 -= dy, y1 += dy;
  for (const auto& county : counties) {
    auto grids = store::request_config::grids_in(s, county);
    if (!grids.ok()) return grids.error();
    for (const auto& [code, polygon] : *grids) {
      rq::GridShape sh;
      sh.code = code;
      if (skip.count(code) || polygon.empty() || !rq::polygon_from_geojson(polygon, sh)) continue;
      if (r.context.size() < kContextMax) {
        double a0 = 180, b0 = 90, a1 = -180, b1 = -90;  // the stored grid's box
        for (const auto& part : sh.parts)
          for (const auto& p : part.outer) {
            a0 = std::min(a0, p.lon), b0 = std::min(b0, p.lat);
            a1 = std::max(a1, p.lon), b1 = std::max(b1, p.lat);
          }
        if (a0 <= x1 && a1 >= x0 && b0 <= y1 && b1 >= y0)
          r.context.push_back({code, "", "existing", polygon});
      }
      shapes.push_back(std::move(sh));
      item.push_back(0);
    }
  }
  std::map<int64_t, size_t> index_of_item;
  for (size_t i = 0; i < file.grids.size(); ++i) index_of_item[file.grids[i].item] = i;
  overlapping.assign(file.grids.size(), false);
  rq::GridIndex index(std::move(shapes));
  for (const auto& o : index.overlaps()) {
    for (auto [me, other] : {std::pair{o.a, o.b}, std::pair{o.b, o.a}}) {
      if (!item[me]) continue;  // both in the store: not this import's business
      overlapping[index_of_item[item[me]]] = true;
      if (me == o.b && item[o.a]) continue;  // a pair within the file: reported once
      ++r.overlaps;
      if (r.warnings.size() < kMaxProblems) {
        char share[16];
        std::snprintf(share, sizeof share, "%.0f%%", std::max(1.0, o.fraction * 100));
        r.warnings.push_back(
            {item[me], "overlaps", "geometry", index.shapes()[other].code + " " + share});
      }
    }
  }
  std::stable_sort(r.warnings.begin(), r.warnings.end(),
                   [](const auto& a, const auto& b) { return a.item < b.item; });
  layer.emplace(std::move(index));
  return {};
}

// The grids of a file against the store: problems, what would change, and (when `apply`) the
// writes. Runs inside one transaction, so a real import sees exactly what it checked.
Status plan_grids(Session& s, const std::string& scope, const org::GridFile& file,
                  const std::vector<rq::GridShape>& shapes, bool apply, bool retire_missing,
                  int64_t now, OrgImportReport& r, const OrgImportProgress& progress) {
  // Villages first: one lookup each.
  std::map<std::string, bool> village_ok;
  for (const auto& g : file.grids) village_ok.emplace(g.village_code(), false);
  for (auto& [code, ok] : village_ok) {
    auto d = store::divisions::get(s, code);
    if (d.ok())
      ok = d->division.level == org::Level::kVillage;
    else if (d.error().code != ErrorCode::kNotFound)
      return d.error();
  }
  r.villages = static_cast<int64_t>(village_ok.size());
  std::vector<int> status(file.grids.size(), 0);  // 0 unchanged, 1 added, 2 changed
  // What a changed grid keeps from its stored row (the grid worker 网格员, counts the file
  // leaves out), read once here for the write below.
  std::vector<store::GridRow> stored(file.grids.size());
  int64_t done = 0, total = static_cast<int64_t>(file.grids.size());
  for (size_t i = 0; i < file.grids.size(); ++i) {
    const auto& g = file.grids[i];
    if (!scope.empty() && !org::in_scope(g.code, scope)) {
      if (!add_problem(r, {g.item, "out_of_scope", "code", g.code})) break;
      continue;
    }
    if (!village_ok[g.village_code()]) {
      if (!add_problem(r, {g.item, "village_unknown", "code", g.code})) break;
      continue;
    }
    auto d = store::divisions::get(s, g.code);
    if (!d.ok() && d.error().code != ErrorCode::kNotFound) return d.error();
    if (!d.ok()) {
      status[i] = 1;
    } else {
      auto row = store::grids::get(s, g.code);
      if (!row.ok() && row.error().code != ErrorCode::kNotFound) return row.error();
      bool same = row.ok() && d->division.name == g.name && row->polygon == g.polygon &&
                  (!g.households || *g.households == row->households) &&
                  (!g.residents || *g.residents == row->residents) && !d->division.synthetic &&
                  !row->retired_at;
      status[i] = same ? 0 : 2;
      if (!same && row.ok()) {
        stored[i] = std::move(*row);
        stored[i].polygon.clear();     // replaced anyway: not kept for 100,000 grids
        stored[i].retired_at.reset();  // named by the file: in use (again)
      }
    }
    if (progress && ++done % 5000 == 0) progress("check", done, total);
  }
  if (!r.problems.empty()) return {};
  // Grids of the file's villages that the file does not name.
  std::set<std::string> in_file;
  for (const auto& g : file.grids) in_file.insert(g.code);
  std::vector<std::string> missing;
  for (const auto& [v, ok] : village_ok) {
    auto codes = store::grids::codes_under(s, v);
    if (!codes.ok()) return codes.error();
    for (const auto& c : *codes)
      if (!in_file.count(c)) missing.push_back(c);
  }
  r.not_in_file = static_cast<int64_t>(missing.size());
  // Stored grids the overlap check and the preview's surroundings leave out: the file's own,
  // and those it retires (a new layer overlaps the old one by design).
  std::set<std::string> not_stored = in_file;
  if (retire_missing) not_stored.insert(missing.begin(), missing.end());
  std::vector<bool> overlapping;
  std::optional<rq::GridIndex> layer;
  GJ_TRY(find_overlaps(s, file, shapes, not_stored, r, overlapping, layer));
  if (retire_missing) {
    for (const auto& code : missing) {
      ++r.retired;
      if (apply) GJ_TRY(store::grids::retire(s, code, now));
      // Its registered households 登记住户 move to the grid in use their location lies in.
      GJ_ASSIGN_OR_RETURN(auto homes, store::access_repo::list_households(s, code, 1'000'000));
      int64_t moved = 0;
      for (const auto& h : homes) {
        const rq::GridShape* to = layer->locate({h.lat, h.lon});
        if (!to) continue;
        ++moved;
        if (apply) GJ_TRY(store::access_repo::move_household(s, h.id, to->code, now));
      }
      r.households_moved += moved;
      if (r.retiring.size() >= kMaxProblems && r.preview.size() >= kPreviewMax) continue;
      GJ_ASSIGN_OR_RETURN(auto d, store::divisions::get(s, code));
      GJ_ASSIGN_OR_RETURN(auto row, store::grids::get(s, code));
      if (r.retiring.size() < kMaxProblems) {
        GJ_ASSIGN_OR_RETURN(auto open, store::open_requests_held(s, code));
        r.retiring.push_back({code, d.division.name, row.worker_name, open,
                              static_cast<int64_t>(homes.size()), moved});
      }
      if (r.preview.size() < kPreviewMax && !row.polygon.empty())
        r.preview.push_back({code, d.division.name, "retired", std::move(row.polygon), false});
    }
  }
  for (size_t i = 0; i < file.grids.size(); ++i) {
    const auto& g = file.grids[i];
    (status[i] == 1 ? r.added : status[i] == 2 ? r.changed : r.unchanged)++;
    const char* st = status[i] == 1 ? "added" : status[i] == 2 ? "changed" : "unchanged";
    if (r.preview.size() < kPreviewMax)
      r.preview.push_back({g.code, g.name, st, g.polygon, overlapping[i]});
  }
  if (!apply) return {};
  done = 0;
  for (size_t i = 0; i < file.grids.size(); ++i) {
    if (status[i] == 0) continue;
    const auto& g = file.grids[i];
    org::Division d;
    d.code = g.code;
    d.parent_code = g.village_code();
    d.name = g.name;
    d.level = org::Level::kGrid;
    d.kind = org::Kind::kGrid;
    d.synthetic = false;
    auto up = store::divisions::upsert(s, d);
    if (!up.ok()) return up.error();
    store::GridRow& row = stored[i];
    row.code = g.code;
    if (g.households) row.households = *g.households;
    if (g.residents) row.residents = *g.residents;
    row.polygon = g.polygon;
    GJ_TRY(store::grids::upsert(s, row));
    if (progress && ++done % 2000 == 0) progress("write", done, r.added + r.changed);
  }
  if (progress && r.added + r.changed > 0)
    progress("write", r.added + r.changed, r.added + r.changed);
  return {};
}

Status plan_units(Session& s, const std::string& scope, const org::UnitFile& file, bool apply,
                  bool retire_missing, int64_t now, OrgImportReport& r) {
  auto kinds = store::config::unit_kinds(s);
  if (!kinds.ok()) return kinds.error();
  std::set<std::string> known(kinds->begin(), kinds->end());
  std::map<std::string, int> division_ok;  // 0 unknown, 1 ok, 2 wrong level
  std::vector<int> status(file.units.size(), 0);
  for (size_t i = 0; i < file.units.size(); ++i) {
    const auto& u = file.units[i];
    if (!scope.empty() && !org::in_scope(u.division_code, scope)) {
      if (!add_problem(r, {u.item, "out_of_scope", "division_code", u.division_code})) break;
      continue;
    }
    auto [it, fresh] = division_ok.emplace(u.division_code, 0);
    if (fresh) {
      auto d = store::divisions::get(s, u.division_code);
      if (!d.ok() && d.error().code != ErrorCode::kNotFound) return d.error();
      if (d.ok())
        it->second =
            d->division.level >= org::Level::kCounty && d->division.level <= org::Level::kVillage
                ? 1
                : 2;
    }
    if (it->second != 1) {
      if (!add_problem(r, {u.item, it->second == 0 ? "division_unknown" : "division_level",
                           "division_code", u.division_code}))
        break;
      continue;
    }
    auto existing = store::units::find(s, u.division_code, u.name);
    if (!existing.ok()) return existing.error();
    status[i] = !*existing ? 1 : (*existing)->kind != u.kind || (*existing)->retired_at ? 2 : 0;
  }
  if (!r.problems.empty()) return {};
  std::set<std::string> fresh_kinds;
  for (size_t i = 0; i < file.units.size(); ++i) {
    (status[i] == 1 ? r.added : status[i] == 2 ? r.changed : r.unchanged)++;
    if (!known.count(file.units[i].kind)) fresh_kinds.insert(file.units[i].kind);
  }
  r.new_kinds.assign(fresh_kinds.begin(), fresh_kinds.end());
  // The units in use of the file's divisions that it does not name.
  std::map<std::string, std::set<std::string>> named;  // division → names in the file
  for (const auto& u : file.units) named[u.division_code].insert(u.name);
  std::vector<store::UnitRow> missing;
  for (const auto& [division, names] : named) {
    auto units = store::units::of_division(s, division);
    if (!units.ok()) return units.error();
    for (const auto& u : *units)
      if (!u.retired_at && !names.count(u.name)) missing.push_back(u);
  }
  r.not_in_file = static_cast<int64_t>(missing.size());
  if (retire_missing) {
    r.retired = r.not_in_file;
    for (const auto& u : missing) {
      if (r.retiring_units.size() >= 200) break;
      auto h = store::units::holdings(s, u.id);
      if (!h.ok()) return h.error();
      r.retiring_units.push_back(
          {u.id, u.name, u.kind, u.division_code, h->open_requests, h->staff});
    }
  }
  if (!apply) return {};
  for (size_t i = 0; i < file.units.size(); ++i) {
    if (status[i] == 0) continue;
    const auto& u = file.units[i];
    auto id = store::units::upsert(s, {0, u.name, u.kind, u.division_code});
    if (!id.ok()) return id.error();
  }
  if (retire_missing)
    for (const auto& u : missing) GJ_TRY(store::units::retire(s, u.id, now));
  return {};
}

// The importer's scope ("" = the whole store, for the command line) after the permission check.
Result<std::string> importer_scope(App& app, const auth::Principal* who) {
  if (!who) return std::string();
  GJ_TRY(app.require(*who, auth::Permission::kManageOrg));
  return app.db().read_value<std::string>(
      [&](Session& s) -> Result<std::string> { return scope_of(s, *who); });
}

template <typename File, typename Plan>
Result<OrgImportReport> run_import(App& app, const auth::Principal* who, const std::string& scope,
                                   const File& file, bool dry_run, const char* action, Plan plan,
                                   std::chrono::steady_clock::time_point t0) {
  OrgImportReport r;
  r.dry_run = dry_run;
  for (const auto& p : file.problems) add_problem(r, p);
  r.problems_truncated = r.problems_truncated || file.truncated;
  // The usable rows are checked against the store even when the file has problems, so that
  // one report lists them all; the plan writes nothing once any problem is known.
  bool write = !dry_run && r.problems.empty();
  auto body = [&](Session& s) -> Status {
    GJ_TRY(plan(s, scope, write, r));
    if (!write || !r.problems.empty() || r.added + r.changed + r.retired == 0) return {};
    auth::Principal system;
    std::string detail = std::to_string(r.added) + " added, " + std::to_string(r.changed) +
                         " changed, " + std::to_string(r.unchanged) + " unchanged";
    if (r.retired) detail += ", " + std::to_string(r.retired) + " retired";
    auto e = app.audit_entry(who ? *who : system, action, "org", "", detail);
    return store::audit::append(s, e);
  };
  Status st = write ? app.db().write(body) : app.db().read(body);
  if (!st.ok()) return st.error();
  if (!r.problems.empty()) {
    r.added = r.changed = r.unchanged = r.not_in_file = r.retired = r.households_moved = 0;
    r.retiring.clear();
    r.preview.clear();
    r.context.clear();
    r.new_kinds.clear();
    r.warnings.clear();
    r.overlaps = 0;
    std::stable_sort(r.problems.begin(), r.problems.end(),
                     [](const auto& a, const auto& b) { return a.item < b.item; });
  }
  r.seconds = seconds_since(t0);
  return r;
}

}  // namespace

Result<OrgImportReport> OrgImportService::import_grids(const auth::Principal* who,
                                                       std::string_view geojson, bool dry_run,
                                                       const OrgImportProgress& progress,
                                                       bool retire_missing) {
  auto t0 = std::chrono::steady_clock::now();
  auto scope = importer_scope(app_, who);
  if (!scope.ok()) return scope.error();
  if (progress) progress("parse", 0, 0);
  org::GridFile file = org::parse_grid_geojson(geojson, {100'000, kMaxProblems});
  std::vector<rq::GridShape> shapes = check_geometry(file);
  if (progress) progress("parse", static_cast<int64_t>(file.grids.size()), 0);
  auto r = run_import(
      app_, who, *scope, file, dry_run, "org.grids.import",
      [&](Session& s, const std::string& scope, bool apply, OrgImportReport& rep) {
        return plan_grids(s, scope, file, shapes, apply, retire_missing, app_.clock().now_ms(), rep,
                          progress);
      },
      t0);
  if (!r.ok()) return r;
  r->read = static_cast<int64_t>(file.grids.size());
  if (!file.grids.empty() && r->ok()) {
    r->min_lon = r->max_lon = file.grids[0].min_lon;
    r->min_lat = r->max_lat = file.grids[0].min_lat;
    for (const auto& g : file.grids) {
      r->min_lon = std::min(r->min_lon, g.min_lon);
      r->min_lat = std::min(r->min_lat, g.min_lat);
      r->max_lon = std::max(r->max_lon, g.max_lon);
      r->max_lat = std::max(r->max_lat, g.max_lat);
      r->area_km2 += g.area_m2 / 1e6;
    }
  }
  if (!dry_run && r->ok() && r->added + r->changed + r->retired > 0)
    app_.requests().invalidate_routing();
  return r;
}

Result<OrgImportReport> OrgImportService::import_units(const auth::Principal* who,
                                                       std::string_view csv, bool dry_run,
                                                       const OrgImportProgress& progress,
                                                       bool retire_missing) {
  auto t0 = std::chrono::steady_clock::now();
  auto scope = importer_scope(app_, who);
  if (!scope.ok()) return scope.error();
  if (progress) progress("parse", 0, 0);
  org::UnitFile file = org::parse_units_csv(csv, {10'000, kMaxProblems});
  auto r = run_import(
      app_, who, *scope, file, dry_run, "org.units.import",
      [&](Session& s, const std::string& scope, bool apply, OrgImportReport& rep) {
        return plan_units(s, scope, file, apply, retire_missing, app_.clock().now_ms(), rep);
      },
      t0);
  if (!r.ok()) return r;
  r->read = static_cast<int64_t>(file.units.size());
  if (!dry_run && r->ok() && r->added + r->changed + r->retired > 0) {
    app_.requests().invalidate_routing();
    if (progress) progress("write", r->added + r->changed, r->added + r->changed);
  }
  return r;
}

Result<std::string> OrgImportService::export_grids(const auth::Principal& who,
                                                   const std::string& scope_code) {
  GJ_TRY(app_.require(who, auth::Permission::kBrowseOrg));
  return app_.db().read_value<std::string>([&](Session& s) -> Result<std::string> {
    std::string scope = scope_of(s, who);
    std::string code = scope_code.empty() ? scope : scope_code;
    // Outside the caller's scope looks like absent (404), as everywhere in the org API.
    if (!org::validate_code(code).ok() || !org::in_scope(code, scope))
      return make_error(ErrorCode::kNotFound, "outside scope", "scope");
    auto rows = store::grids::features_under(s, code);
    if (!rows.ok()) return rows.error();
    std::string out =
        "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{"
        "\"name\":\"urn:ogc:def:crs:OGC:1.3:CRS84\"}},\"features\":[";
    bool first = true;
    for (const auto& g : *rows) {
      if (!first) out += ",\n";
      first = false;
      out += "{\"type\":\"Feature\",\"properties\":{\"code\":\"" + g.code +
             "\",\"name\":" + json_quote(g.name) +
             ",\"households\":" + std::to_string(g.households) +
             ",\"residents\":" + std::to_string(g.residents) + "},\"geometry\":" + g.polygon + "}";
    }
    return out + "]}\n";
  });
}

}  // namespace gj::app
