#include "store/repos/access_repo.hpp"

#include <algorithm>

#include "domain/org/division.hpp"
#include "store/repos/access_sql.hpp"

namespace gj::store::access_repo {
namespace {

// Multi-row INSERT in batches of at most kMaxParams parameters: few PostgreSQL round trips,
// and SQLite resolves `$n` names by a linear scan per parameter, so much larger statements turn
// quadratic (5 200 parameters per statement made a 9 585-home run 15× slower).
constexpr size_t kMaxParams = 400;

Status bulk_insert(Session& s, const char* prefix, size_t columns,
                   const std::vector<Params>& rows) {
  const size_t batch = std::max<size_t>(1, kMaxParams / columns);
  for (size_t b = 0; b < rows.size(); b += batch) {
    const size_t e = std::min(rows.size(), b + batch);
    std::string text = prefix;
    Params params;
    params.reserve((e - b) * columns);
    int n = 1;
    for (size_t i = b; i < e; ++i) {
      text += i == b ? " (" : ",(";
      for (size_t c = 0; c < columns; ++c) {
        if (c) text += ',';
        text += '$' + std::to_string(n++);
      }
      text += ')';
      params.insert(params.end(), rows[i].begin(), rows[i].end());
    }
    auto r = s.exec(text, params);
    if (!r.ok()) return r.error();
  }
  return {};
}

FacilityRow to_facility(const Row& r) {
  return {r.i64(0), r.str(1), r.str(2), r.str(3), r.str(4),
          r.str(5), r.f64(6), r.f64(7), r.str(8), r.i64(9)};
}

RunRow to_run(const Row& r) {
  RunRow x;
  x.id = r.i64(0);
  x.network_id = r.i64(1);
  x.started_at = r.i64(2);
  if (!r.is_null(3)) x.finished_at = r.i64(3);
  x.status = r.str(4);
  x.params = r.str(5);
  x.types = r.str(6);
  x.message = r.str(7);
  x.homes = r.str(8);
  return x;
}

JobRow to_job(const Row& r) {
  JobRow j;
  j.id = r.i64(0);
  j.kind = r.str(1);
  j.division_code = r.str(2);
  j.status = r.str(3);
  j.stage = r.str(4);
  j.done = r.i64(5);
  j.total = r.i64(6);
  j.message = r.str(7);
  if (!r.is_null(8)) j.run_id = r.i64(8);
  j.created_by = r.str(9);
  j.created_at = r.i64(10);
  j.updated_at = r.i64(11);
  if (!r.is_null(12)) j.finished_at = r.i64(12);
  return j;
}

template <typename T, typename F>
Result<std::vector<T>> map_rows(Result<std::vector<Row>> rows, F f) {
  if (!rows.ok()) return rows.error();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(f(r));
  return out;
}

// An empty scope means every code (the CLI, acting for the whole store).
std::pair<std::string, std::string> range_of(const std::string& scope) {
  if (scope.empty()) return {"", "~"};
  return org::scope_range(scope);
}

Status done(Result<int64_t> r) {
  if (!r.ok()) return r.error();
  return {};
}

}  // namespace

Result<std::vector<FacilityTypeRow>> list_types(Session& s) {
  return map_rows<FacilityTypeRow>(s.query(sql::kAccessTypeList), [](const Row& r) {
    return FacilityTypeRow{r.str(0),
                           r.str(1),
                           r.str(2),
                           r.f64(3),
                           r.f64(4),
                           r.i64(5) != 0,
                           static_cast<int>(r.i64(6))};
  });
}

Result<FacilityTypeRow> get_type(Session& s, const std::string& code) {
  auto r = s.query_one(sql::kAccessTypeGet, {code});
  if (!r.ok()) return r.error();
  return FacilityTypeRow{r->str(0),
                         r->str(1),
                         r->str(2),
                         r->f64(3),
                         r->f64(4),
                         r->i64(5) != 0,
                         static_cast<int>(r->i64(6))};
}

Status update_type(Session& s, const FacilityTypeRow& t) {
  return done(s.exec(sql::kAccessTypeUpdate, {t.code, t.name_zh, t.name_en, t.minutes}));
}

Result<int64_t> insert_network(Session& s, const NetworkRow& n) {
  auto r = s.query_one(sql::kAccessNetworkInsert,
                       {n.name, n.division_code, n.source_file, n.node_count, n.edge_count,
                        n.min_lat, n.min_lon, n.max_lat, n.max_lon, n.imported_at, n.graph});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<NetworkRow> current_network(Session& s) {
  auto r = s.query_one(sql::kAccessNetworkCurrent);
  if (!r.ok()) return r.error();
  NetworkRow n;
  n.id = r->i64(0);
  n.name = r->str(1);
  n.division_code = r->str(2);
  n.source_file = r->str(3);
  n.node_count = r->i64(4);
  n.edge_count = r->i64(5);
  n.min_lat = r->f64(6);
  n.min_lon = r->f64(7);
  n.max_lat = r->f64(8);
  n.max_lon = r->f64(9);
  n.imported_at = r->i64(10);
  return n;
}

Result<std::string> network_graph(Session& s, int64_t network_id) {
  auto r = s.query_one(sql::kAccessNetworkGraph, {network_id});
  if (!r.ok()) return r.error();
  return r->str(0);
}

Status retire_older_networks(Session& s, int64_t keep_id) {
  GJ_TRY(done(s.exec(sql::kAccessResidencesDropOld, {keep_id})));
  return done(s.exec(sql::kAccessNetworkDropOldGraphs, {keep_id}));
}

namespace {
Params facility_params(const FacilityRow& f) {
  return {f.division_code, f.source, f.source_ref,    f.type,      f.name,
          f.lat,           f.lon,    f.opening_hours, f.updated_at};
}
}  // namespace

Result<int64_t> insert_facility(Session& s, const FacilityRow& f) {
  auto r = s.query_one(sql::kAccessFacilityInsert, facility_params(f));
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Status insert_facilities(Session& s, const std::vector<FacilityRow>& rows) {
  std::vector<Params> p;
  p.reserve(rows.size());
  for (const auto& f : rows) p.push_back(facility_params(f));
  return bulk_insert(s, sql::kAccessFacilityBulkPrefix, 9, p);
}

Status update_facility(Session& s, const FacilityRow& f) {
  return done(s.exec(sql::kAccessFacilityUpdate,
                     {f.id, f.type, f.name, f.lat, f.lon, f.opening_hours, f.updated_at}));
}

Status delete_facility(Session& s, int64_t id) {
  return done(s.exec(sql::kAccessFacilityDelete, {id}));
}

Result<FacilityRow> get_facility(Session& s, int64_t id) {
  auto r = s.query_one(sql::kAccessFacilityGet, {id});
  if (!r.ok()) return r.error();
  return to_facility(*r);
}

Result<std::vector<FacilityRow>> list_facilities(Session& s, const std::string& scope_code,
                                                 const BBox& box, const std::string& type,
                                                 int limit) {
  auto [lo, hi] = org::scope_range(scope_code);
  return map_rows<FacilityRow>(
      s.query(sql::kAccessFacilityList,
              {lo, hi, box.min_lat, box.max_lat, box.min_lon, box.max_lon, type, int64_t(limit)}),
      to_facility);
}

Result<std::vector<FacilityRow>> all_facilities(Session& s) {
  return map_rows<FacilityRow>(s.query(sql::kAccessFacilityAll), to_facility);
}

Status delete_osm_facilities(Session& s, const std::string& division_code) {
  return done(s.exec(sql::kAccessFacilityDeleteOsm, {division_code}));
}

Result<std::vector<std::pair<std::string, std::string>>> grid_polygons(Session& s,
                                                                       const std::string& scope) {
  auto [lo, hi] = org::scope_range(scope);
  return map_rows<std::pair<std::string, std::string>>(
      s.query(sql::kAccessGridPolygons, {lo, hi}),
      [](const Row& r) { return std::pair<std::string, std::string>(r.str(0), r.str(1)); });
}

Status insert_residences(Session& s, const std::vector<ResidenceRow>& rows) {
  std::vector<Params> p;
  p.reserve(rows.size());
  for (const auto& r : rows)
    p.push_back({r.network_id, r.osm_id, r.lat, r.lon, r.households, r.unit, r.source});
  return bulk_insert(s, sql::kAccessResidenceBulkPrefix, 7, p);
}

Result<std::vector<ResidenceRow>> list_residences(Session& s, int64_t network_id,
                                                  const std::string& source) {
  return map_rows<ResidenceRow>(s.query(sql::kAccessResidenceList, {network_id, source}),
                                [](const Row& r) {
                                  return ResidenceRow{r.i64(0), r.i64(1), r.i64(2), r.f64(3),
                                                      r.f64(4), r.f64(5), r.str(6), r.str(7)};
                                });
}

Status delete_residences(Session& s, int64_t network_id, const std::string& source) {
  return done(s.exec(sql::kAccessResidenceDropSource, {network_id, source}));
}

Status rename_residence_source(Session& s, int64_t network_id, const std::string& from,
                               const std::string& to) {
  return done(s.exec(sql::kAccessResidenceRenameSource, {network_id, from, to}));
}

Status insert_households(Session& s, const std::vector<HouseholdRow>& rows) {
  std::vector<Params> p;
  p.reserve(rows.size());
  for (const auto& h : rows)
    p.push_back({h.grid_code, h.address, h.lat, h.lon, h.members, h.updated_at});
  return bulk_insert(s, sql::kAccessHouseholdBulkPrefix, 6, p);
}

Result<std::vector<HouseholdRow>> list_households(Session& s, const std::string& scope,
                                                  int64_t limit, int64_t offset) {
  auto [lo, hi] = range_of(scope);
  return map_rows<HouseholdRow>(
      s.query(sql::kAccessHouseholdList, {lo, hi, limit, offset}), [](const Row& r) {
        return HouseholdRow{r.i64(0), r.str(1), r.str(2), r.f64(3), r.f64(4), r.i64(5), r.i64(6)};
      });
}

Status move_household(Session& s, int64_t id, const std::string& grid_code, int64_t at) {
  auto n = s.exec(sql::kAccessHouseholdMove, {id, grid_code, at});
  if (!n.ok()) return n.error();
  return {};
}

Result<int64_t> count_households(Session& s, const std::string& scope) {
  auto [lo, hi] = range_of(scope);
  auto r = s.query_one(sql::kAccessHouseholdCount, {lo, hi});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Status delete_households(Session& s, const std::string& scope) {
  auto [lo, hi] = range_of(scope);
  return done(s.exec(sql::kAccessHouseholdDeleteScope, {lo, hi}));
}

Result<std::vector<std::string>> grid_codes(Session& s, const std::string& scope) {
  auto [lo, hi] = range_of(scope);
  return map_rows<std::string>(s.query(sql::kAccessGridCodes, {lo, hi}),
                               [](const Row& r) { return r.str(0); });
}

Result<int64_t> insert_job(Session& s, const std::string& kind, const std::string& division,
                           const std::string& created_by, int64_t at) {
  auto r = s.query_one(sql::kAccessJobInsert, {kind, division, created_by, at});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Status job_progress(Session& s, int64_t id, const std::string& stage, int64_t done_n, int64_t total,
                    int64_t at) {
  return done(s.exec(sql::kAccessJobProgress, {id, stage, done_n, total, at}));
}

Status finish_job(Session& s, int64_t id, const std::string& status, const std::string& message,
                  std::optional<int64_t> run_id, int64_t at) {
  Params p{id, status, message, nullptr, at};
  if (run_id) p[3] = *run_id;
  return done(s.exec(sql::kAccessJobFinish, p));
}

Result<JobRow> get_job(Session& s, int64_t id) {
  auto r = s.query_one(sql::kAccessJobGet, {id});
  if (!r.ok()) return r.error();
  return to_job(*r);
}

Result<JobRow> latest_job(Session& s, const std::string& division) {
  auto r = s.query_one(sql::kAccessJobLatest, {division});
  if (!r.ok()) return r.error();
  return to_job(*r);
}

Status fail_unfinished_jobs(Session& s, const std::string& message, int64_t at) {
  return done(s.exec(sql::kAccessJobFailUnfinished, {message, at}));
}

Result<int64_t> insert_run(Session& s, int64_t network_id, int64_t at, const std::string& params,
                           const std::string& types, const std::string& homes) {
  auto r = s.query_one(sql::kAccessRunInsert, {network_id, at, params, types, homes});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Status finish_run(Session& s, int64_t id, const std::string& status, int64_t at,
                  const std::string& message) {
  return done(s.exec(sql::kAccessRunFinish, {id, status, at, message}));
}

Result<RunRow> latest_done_run(Session& s) {
  auto r = s.query_one(sql::kAccessRunLatestDone);
  if (!r.ok()) return r.error();
  return to_run(*r);
}

Result<std::vector<RunRow>> list_runs(Session& s, int limit) {
  return map_rows<RunRow>(s.query(sql::kAccessRunList, {int64_t(limit)}), to_run);
}

Status replace_results(Session& s, int64_t run_id,
                       const std::vector<std::pair<int64_t, std::string>>& minutes,
                       const std::vector<CoverageRow>& coverage, const std::vector<GapRow>& gaps) {
  GJ_TRY(done(s.exec(sql::kAccessMinutesDropOthers, {run_id})));
  GJ_TRY(done(s.exec(sql::kAccessCoverageDropOthers, {run_id})));
  GJ_TRY(done(s.exec(sql::kAccessGapsDropOthers, {run_id})));
  std::vector<Params> p;
  p.reserve(minutes.size());
  for (const auto& [id, m] : minutes) p.push_back({run_id, id, m});
  GJ_TRY(bulk_insert(s, sql::kAccessMinutesBulkPrefix, 3, p));
  p.clear();
  for (const auto& c : coverage)
    p.push_back({run_id, c.level, c.unit, c.type, c.residences, c.households,
                 c.residences_within[0], c.residences_within[1], c.residences_within[2],
                 c.households_within[0], c.households_within[1], c.households_within[2], c.median_m,
                 c.cutoff_min, c.residences_within_cutoff, c.households_within_cutoff});
  GJ_TRY(bulk_insert(s, sql::kAccessCoverageBulkPrefix, 16, p));
  p.clear();
  for (const auto& g : gaps)
    p.push_back({run_id, g.type, g.cell_x, g.cell_y, g.lat, g.lon, g.residences, g.households});
  return bulk_insert(s, sql::kAccessGapBulkPrefix, 8, p);
}

Result<std::vector<CoverageRow>> list_coverage(Session& s, int64_t run_id) {
  return map_rows<CoverageRow>(s.query(sql::kAccessCoverageList, {run_id}), [](const Row& r) {
    CoverageRow c;
    c.level = r.str(0);
    c.unit = r.str(1);
    c.type = r.str(2);
    c.residences = r.i64(3);
    c.households = r.f64(4);
    for (int i = 0; i < 3; ++i) {
      c.residences_within[i] = r.i64(5 + i);
      c.households_within[i] = r.f64(8 + i);
    }
    c.median_m = r.f64(11);
    c.cutoff_min = r.f64(12);
    c.residences_within_cutoff = r.i64(13);
    c.households_within_cutoff = r.f64(14);
    return c;
  });
}

Result<std::vector<GapRow>> list_gaps(Session& s, int64_t run_id, const std::string& type,
                                      int limit) {
  return map_rows<GapRow>(
      s.query(sql::kAccessGapList, {run_id, type, int64_t(limit)}), [](const Row& r) {
        return GapRow{r.str(0), r.i64(1), r.i64(2), r.f64(3), r.f64(4), r.i64(5), r.f64(6)};
      });
}

Result<std::vector<PointRow>> list_points(Session& s, int64_t run_id) {
  return map_rows<PointRow>(s.query(sql::kAccessPoints, {run_id}), [](const Row& r) {
    return PointRow{r.i64(0), r.f64(1), r.f64(2), r.f64(3), r.str(4)};
  });
}

}  // namespace gj::store::access_repo
