// The 15-minute service circle 15分钟服务圈 as a product (docs/access.md): import an OSM extract
// into the store, keep the facility registry, run the engine (src/domain/access) over what is
// stored, and serve coverage, gaps, per-home minutes and site suggestions. Reads need
// kBrowseOrg and see the network area only when it overlaps the caller's scope; facility
// writes need admin, command or township and a division inside the caller's scope, and are
// audited in the same transaction.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/app.hpp"
#include "domain/access/access.hpp"
#include "store/repos/access_repo.hpp"

namespace gj::app {

namespace ar = store::access_repo;

struct OsmImportOptions {
  std::string types_file;         // tag → type mapping (osm_reader.hpp); default the built-in one
  std::string name;               // shown name of the area; default the file name
  std::string division_code;      // the area's division (scope); must exist
  double cell_m = 500;            // synthetic unit cells when the area has no grids
  bool homes_from_nodes = false;  // stress test: every network node is one home
};

struct OsmImportStats {
  int64_t network_id = 0;
  int64_t nodes = 0, edges = 0, facilities = 0, residences = 0;
  int64_t facilities_skipped = 0;   // of a type not in access_facility_types
  int64_t residences_in_grids = 0;  // inside a registered grid boundary (the rest: cells)
  double seconds = 0;
};

struct RunOptions {
  double cutoff_min = 15;  // the last coverage threshold; 5 and 10 come before it
  double speed_kmh = 4.5;
  double max_snap_m = 300;
  unsigned threads = 0;
};

struct RunStats {
  int64_t run_id = 0;
  int64_t residences = 0, unplaced = 0, types = 0, coverage_rows = 0, gaps = 0;
  int64_t households = 0;  // registered households counted (0 when the homes are OSM buildings)
  std::string homes;       // "osm" or "household"
  double seconds = 0;
};

// A run's progress as steps over the whole run: load, one search per type, coverage, store.
using RunProgress = std::function<void(const std::string& stage, int64_t done, int64_t total)>;

struct HouseholdImportStats {
  int64_t inserted = 0, replaced = 0;
};

struct FacilityInput {
  std::string type, name, opening_hours, division_code;
  double lat = 0, lon = 0;
};

// An edit of one facility type: each field optional (absent = unchanged).
struct TypeInput {
  std::optional<std::string> name_zh, name_en;
  std::optional<double> minutes;  // the type's walking-minute target (its cut-off), 1–60
};

struct CsvImportStats {
  int64_t inserted = 0;
};

struct SiteRequest {
  std::string type;
  int k = 5;
  std::vector<access::GeoPoint> candidates;
};

struct AccessOverview {
  std::optional<ar::NetworkRow> network;
  std::optional<ar::RunRow> run;
  std::vector<ar::FacilityTypeRow> types;
};

using StageProgress = std::function<void(const std::string& stage, double fraction)>;

class AccessService {
 public:
  explicit AccessService(App& app) : app_(app) {}

  // ---- batch work (CLI; the operator of the machine) ----
  // Reads the file, then stores network, OSM facilities and homes in one transaction.
  Result<OsmImportStats> import_osm(const std::string& path, const OsmImportOptions& options,
                                    const StageProgress& progress = {});
  // Runs the engine over the stored data; replaces the previous results atomically. Homes are
  // the registered households of the network's area when it has any, else OSM buildings.
  Result<RunStats> run(const RunOptions& options, const RunProgress& progress = {});
  // The same as a job row (access_jobs) with its progress: refused with kConflict while another
  // job of the area is queued or running. For the CLI (synchronous).
  Result<RunStats> run_as_job(const RunOptions& options, const std::string& created_by,
                              const RunProgress& progress = {});
  // Registered households from CSV (grid_code,address,lat,lon,members), all rows or none; each
  // grid must be registered. `replace`: first delete the households of the grids in scope.
  // An empty scope is the whole store (the CLI).
  Result<HouseholdImportStats> import_households(const std::string& scope, const std::string& text,
                                                 bool replace, const std::string& actor);
  // The demo's OSM area: 四川省/成都市 divisions (real codes and names), a demo user for it,
  // the import and a run. See docs/access.md.
  Result<RunStats> create_demo_area(const std::string& osm_path, const StageProgress& progress);

  // ---- principals ----
  Result<AccessOverview> overview(const auth::Principal& p);
  // `division` (optional) narrows to one unit's code range inside the caller's view.
  Result<std::vector<ar::FacilityRow>> facilities(const auth::Principal& p, const ar::BBox& box,
                                                  const std::string& type, int limit,
                                                  const std::string& division = "");
  Result<ar::FacilityRow> create_facility(const auth::Principal& p, const FacilityInput& in);
  Result<ar::FacilityRow> update_facility(const auth::Principal& p, int64_t id,
                                          const FacilityInput& in);
  Status delete_facility(const auth::Principal& p, int64_t id);
  // RFC 4180 text with a header: name,type,lat,lon,opening_hours. All rows or none.
  Result<CsvImportStats> import_facilities_csv(const auth::Principal& p, const std::string& text);
  Result<HouseholdImportStats> import_households_csv(const auth::Principal& p,
                                                     const std::string& text, bool replace);
  struct Households {
    int64_t total = 0;
    std::vector<ar::HouseholdRow> items;
  };
  // Paged; `division` (optional) narrows to one grid or community code inside the caller's scope.
  Result<Households> households(const auth::Principal& p, int limit, int64_t offset = 0,
                                const std::string& division = "");

  // Facility types 设施类型: anyone who may browse reads one; admin and command edit names and
  // minutes (audited; bad input changes nothing). The next run uses the new minutes.
  Result<ar::FacilityTypeRow> facility_type(const auth::Principal& p, const std::string& code);
  Result<ar::FacilityTypeRow> update_facility_type(const auth::Principal& p,
                                                   const std::string& code, const TypeInput& in);

  // Runs from the page: a job row and a background thread of the server. Roles admin and
  // command; kConflict while a job of the area is queued or running.
  Result<ar::JobRow> start_run_job(const auth::Principal& p, const RunOptions& options);
  Result<ar::JobRow> job(const auth::Principal& p, int64_t id);
  // The newest job of the current network's area (kNotFound when there is none).
  Result<ar::JobRow> latest_job(const auth::Principal& p);
  // At server start: jobs of an earlier process can no longer finish; mark them failed.
  Status fail_interrupted_jobs();
  // Waits for the background jobs (tests; the destructor does it too).
  void wait_for_jobs();
  ~AccessService();

  Result<std::vector<ar::CoverageRow>> coverage(const auth::Principal& p);
  Result<std::vector<ar::GapRow>> gaps(const auth::Principal& p, const std::string& type,
                                       int limit);
  struct Points {
    std::vector<std::string> types;
    std::vector<ar::PointRow> rows;
  };
  Result<Points> points(const auth::Principal& p);
  Result<access::SitingResult> suggest_sites(const auth::Principal& p, const SiteRequest& req);
  // The walking network as GeoJSON MultiLineString coordinates (chains of degree-2 nodes joined).
  Result<std::string> network_geojson(const auth::Principal& p);

  // Engine state rebuilt from the store. The graph and homes change only with a new network
  // and are cached per network; facilities and types are read afresh (a few hundred rows).
  struct NetworkData {
    int64_t network_id = 0;
    access::WalkGraph graph;
    std::vector<access::Residence> residences;
    std::vector<int64_t> residence_ids;
    std::string homes;
    uint64_t generation = 0;
  };
  struct Loaded {
    std::shared_ptr<const NetworkData> net;
    int64_t network_id = 0;
    std::vector<access::Facility> facilities;
    std::vector<std::string> types;
    std::vector<double> type_minutes;  // each type's own cut-off (access_facility_types.minutes)
  };
  // `homes`: "osm" or "household"; empty = the homes of the newest finished run (else "osm").
  Result<std::shared_ptr<const Loaded>> load(const std::string& homes = "");

 private:
  Status require_read(store::Session& s, const auth::Principal& p, ar::NetworkRow* out);
  Status require_write(const auth::Principal& p);
  Result<ar::FacilityRow> validated(store::Session& s, const auth::Principal& p,
                                    const FacilityInput& in, const std::string& source);

  Result<RunStats> run_job_body(int64_t job_id, const RunOptions& options,
                                const RunProgress& progress);
  // Homes from registered households: one row per location, rebuilt in the run's transaction.
  Result<std::string> sync_household_homes(store::Session& s, const ar::NetworkRow& net,
                                           int64_t* households);

  App& app_;
  std::mutex mu_;
  std::shared_ptr<const NetworkData> cache_;
  uint64_t homes_generation_ = 0;  // bumped whenever household homes are rebuilt
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::mutex workers_mu_;
  std::list<Worker> workers_;
  std::string geojson_cache_;
  int64_t geojson_network_ = 0;
};

// Packs the graph's nodes and edges (little-endian, base64) and back: the stored form.
std::string pack_graph(const access::WalkGraph& g);
Result<access::WalkGraph> unpack_graph(const std::string& text);

}  // namespace gj::app
