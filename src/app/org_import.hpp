// Loading a county's own organisation data 组织数据导入: grid boundaries 网格边界 (GeoJSON) and
// units 部门/单位 (CSV), from `gongjian import grids|units` and from the 组织架构 page. A file is
// checked completely first (org_files.hpp, then against the store: the villages exist and lie in
// the importer's scope); with any problem nothing is written and every problem is reported. A
// dry run reports what an import would change. Imports are idempotent: a re-import changes only
// rows that differ, and the routing cache of every node sees the change (grids_version).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/app.hpp"
#include "domain/org/org_files.hpp"

namespace gj::app {

struct OrgImportReport {
  bool dry_run = false;
  int64_t read = 0;     // usable rows in the file
  int64_t added = 0;    // new grids or units
  int64_t changed = 0;  // existing rows that differ
  int64_t unchanged = 0;
  std::vector<org::FileProblem> problems;  // non-empty: nothing was (or would be) written
  bool problems_truncated = false;
  // Not in the way of an import, but worth a look: grids that overlap another grid of the file
  // or of the store (reason "overlaps", value = the other grid's code and the share).
  std::vector<org::FileProblem> warnings;
  int64_t overlaps = 0;
  // Grids: the villages the file covers, and grids of those villages in use in the store that
  // the file does not name (kept, unless the import retires them).
  int64_t villages = 0, not_in_file = 0;
  // Grids: with retire_missing (a re-division 网格调整), the grids not in the file are retired:
  // they stop routing and leave the maps. Each is listed (up to 200) with what still refers to
  // it: requests it holds that are not finished (its grid worker goes on with them) and
  // households registered in it. A household whose location lies in a grid in use after the
  // import is moved there (households_moved); the others stay with the retired grid until they
  // are registered again.
  struct Retiring {
    std::string code, name, worker_name;
    int64_t open_requests = 0, households = 0, households_moved = 0;
  };
  int64_t retired = 0, households_moved = 0;
  std::vector<Retiring> retiring;
  double area_km2 = 0;
  double min_lon = 0, min_lat = 0, max_lon = 0, max_lat = 0;
  // Grids: up to 2,000 of the file's grids for the preview map ([code, name, status, polygon]),
  // and the grids it retires.
  struct Preview {
    std::string code, name, status;  // status: added | changed | unchanged | retired
    std::string polygon;
    bool overlaps = false;
  };
  std::vector<Preview> preview;
  // Grids already stored (not in the file) around the file's grids, for the preview map's
  // context (status "existing"; up to 1,000).
  std::vector<Preview> context;
  // Units: kinds the store did not have before (the matrix can name them after the import).
  std::vector<std::string> new_kinds;
  // Units: with retire_missing (an institutional reform 机构改革), the units of the file's
  // divisions that it does not name are retired (not_in_file counts them either way): each is
  // listed (up to 200) with the requests it holds unfinished and its active staff, who keep
  // both until moved.
  struct RetiringUnit {
    int64_t id = 0;
    std::string name, kind, division_code;
    int64_t open_requests = 0, staff = 0;
  };
  std::vector<RetiringUnit> retiring_units;
  double seconds = 0;
  bool ok() const { return problems.empty(); }
};

// stage: "parse" | "check" | "write"; total 0 when unknown.
using OrgImportProgress =
    std::function<void(const std::string& stage, int64_t done, int64_t total)>;

class OrgImportService {
 public:
  explicit OrgImportService(App& app) : app_(app) {}

  // `who` = nullptr: the command line (the whole store, audited as "system"). Otherwise the
  // caller needs kManageOrg and every row must lie in their scope.
  // `retire_missing`: the file is the whole new layer of the villages it covers; their grids it
  // does not name are retired (see OrgImportReport::retiring). A retired grid named by a later
  // file is in use again.
  Result<OrgImportReport> import_grids(const auth::Principal* who, std::string_view geojson,
                                       bool dry_run, const OrgImportProgress& progress = {},
                                       bool retire_missing = false);
  // `retire_missing`: the file lists every unit of the divisions it covers; the others there are
  // retired (see OrgImportReport::retiring_units). A retired unit named again is in use again.
  Result<OrgImportReport> import_units(const auth::Principal* who, std::string_view csv,
                                       bool dry_run, const OrgImportProgress& progress = {},
                                       bool retire_missing = false);

  // The grids with a boundary under `scope_code` (default: the caller's scope) as a GeoJSON
  // FeatureCollection that import_grids reads back unchanged: edit it in QGIS, import again.
  Result<std::string> export_grids(const auth::Principal& who, const std::string& scope_code);

 private:
  App& app_;
};

}  // namespace gj::app
