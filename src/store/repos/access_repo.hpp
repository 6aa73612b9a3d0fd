// Repository of the 15-minute service circle 15分钟服务圈: facility types, the stored walking
// network, facilities, residences and run results. Typed functions over a Session, run inside
// the caller's transaction (repos.hpp).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gj::store::access_repo {

struct FacilityTypeRow {
  std::string code, name_zh, name_en;
  double minutes = 15, speed_kmh = 4.5;
  bool osm = false;
  int sort = 0;
  double radius_m() const { return speed_kmh * 1000 / 60 * minutes; }
};

struct NetworkRow {
  int64_t id = 0;
  std::string name, division_code, source_file;
  int64_t node_count = 0, edge_count = 0;
  double min_lat = 0, min_lon = 0, max_lat = 0, max_lon = 0;
  int64_t imported_at = 0;
  std::string graph;  // packed + base64 (filled only by insert and graph())
};

struct FacilityRow {
  int64_t id = 0;
  std::string division_code, source, source_ref, type, name;
  double lat = 0, lon = 0;
  std::string opening_hours;
  int64_t updated_at = 0;
};

struct ResidenceRow {
  int64_t id = 0, network_id = 0, osm_id = 0;
  double lat = 0, lon = 0, households = 1;
  std::string unit;
  std::string source = "osm";  // "osm" (buildings) or "household" (registered, grouped)
};

// A registered household 登记住户: address, location and size; no names or ID numbers.
struct HouseholdRow {
  int64_t id = 0;
  std::string grid_code, address;
  double lat = 0, lon = 0;
  int64_t members = 1;
  int64_t updated_at = 0;
};

// A background job (a run started from the page or the CLI) and its progress.
struct JobRow {
  int64_t id = 0;
  std::string kind, division_code, status, stage;  // status: queued, running, done, failed
  int64_t done = 0, total = 0;
  std::string message;
  std::optional<int64_t> run_id;
  std::string created_by;
  int64_t created_at = 0, updated_at = 0;
  std::optional<int64_t> finished_at;
};

struct RunRow {
  int64_t id = 0, network_id = 0, started_at = 0;
  std::optional<int64_t> finished_at;
  std::string status, params, types, message;
  std::string homes = "osm";  // which homes the run counted: "osm" or "household"
};

struct CoverageRow {
  std::string level, unit, type;
  int64_t residences = 0;
  double households = 0;
  std::array<int64_t, 3> residences_within{};
  std::array<double, 3> households_within{};
  double median_m = -1;
  double cutoff_min = 15;  // the type's own minutes
  int64_t residences_within_cutoff = 0;
  double households_within_cutoff = 0;
};

struct GapRow {
  std::string type;
  int64_t cell_x = 0, cell_y = 0;
  double lat = 0, lon = 0;
  int64_t residences = 0;
  double households = 0;
};

struct PointRow {
  int64_t residence_id = 0;
  double lat = 0, lon = 0, households = 0;
  std::string minutes;  // comma-separated per run type, empty = beyond the cutoff
};

struct BBox {
  double min_lat = -90, max_lat = 90, min_lon = -180, max_lon = 180;
};

Result<std::vector<FacilityTypeRow>> list_types(Session& s);
// kNotFound for an unknown code.
Result<FacilityTypeRow> get_type(Session& s, const std::string& code);
// Names and walking minutes (the per-type cut-off) of one type.
Status update_type(Session& s, const FacilityTypeRow& t);

Result<int64_t> insert_network(Session& s, const NetworkRow& n);
// The newest network (without its graph), or kNotFound.
Result<NetworkRow> current_network(Session& s);
Result<std::string> network_graph(Session& s, int64_t network_id);
// After an import: older networks lose their graph and homes.
Status retire_older_networks(Session& s, int64_t keep_id);

Result<int64_t> insert_facility(Session& s, const FacilityRow& f);
Status insert_facilities(Session& s, const std::vector<FacilityRow>& rows);
Status update_facility(Session& s, const FacilityRow& f);
Status delete_facility(Session& s, int64_t id);
Result<FacilityRow> get_facility(Session& s, int64_t id);
Result<std::vector<FacilityRow>> list_facilities(Session& s, const std::string& scope_code,
                                                 const BBox& box, const std::string& type,
                                                 int limit);
Result<std::vector<FacilityRow>> all_facilities(Session& s);
Status delete_osm_facilities(Session& s, const std::string& division_code);

// (grid code, GeoJSON polygon) of the grids inside a scope.
Result<std::vector<std::pair<std::string, std::string>>> grid_polygons(Session& s,
                                                                       const std::string& scope);
Status insert_residences(Session& s, const std::vector<ResidenceRow>& rows);
Result<std::vector<ResidenceRow>> list_residences(Session& s, int64_t network_id,
                                                  const std::string& source = "osm");
Status delete_residences(Session& s, int64_t network_id, const std::string& source);
// Ids stay, so per-home minutes written against the rows keep pointing at them.
Status rename_residence_source(Session& s, int64_t network_id, const std::string& from,
                               const std::string& to);

// Registered households whose grid lies in a scope.
Status insert_households(Session& s, const std::vector<HouseholdRow>& rows);
Result<std::vector<HouseholdRow>> list_households(Session& s, const std::string& scope,
                                                  int64_t limit, int64_t offset = 0);
Result<int64_t> count_households(Session& s, const std::string& scope);
Status delete_households(Session& s, const std::string& scope);
// A household registered again in another grid (a re-division 网格调整 moving it by location).
Status move_household(Session& s, int64_t id, const std::string& grid_code, int64_t at);
Result<std::vector<std::string>> grid_codes(Session& s, const std::string& scope);

Result<int64_t> insert_job(Session& s, const std::string& kind, const std::string& division,
                           const std::string& created_by, int64_t at);
Status job_progress(Session& s, int64_t id, const std::string& stage, int64_t done, int64_t total,
                    int64_t at);
Status finish_job(Session& s, int64_t id, const std::string& status, const std::string& message,
                  std::optional<int64_t> run_id, int64_t at);
Result<JobRow> get_job(Session& s, int64_t id);
Result<JobRow> latest_job(Session& s, const std::string& division);
Status fail_unfinished_jobs(Session& s, const std::string& message, int64_t at);

Result<int64_t> insert_run(Session& s, int64_t network_id, int64_t at, const std::string& params,
                           const std::string& types, const std::string& homes = "osm");
Status finish_run(Session& s, int64_t id, const std::string& status, int64_t at,
                  const std::string& message);
Result<RunRow> latest_done_run(Session& s);
Result<std::vector<RunRow>> list_runs(Session& s, int limit);

// Stores a finished run's results and drops every other run's, in the caller's transaction.
Status replace_results(Session& s, int64_t run_id,
                       const std::vector<std::pair<int64_t, std::string>>& minutes,
                       const std::vector<CoverageRow>& coverage, const std::vector<GapRow>& gaps);
Result<std::vector<CoverageRow>> list_coverage(Session& s, int64_t run_id);
Result<std::vector<GapRow>> list_gaps(Session& s, int64_t run_id, const std::string& type,
                                      int limit);
Result<std::vector<PointRow>> list_points(Session& s, int64_t run_id);

}  // namespace gj::store::access_repo
