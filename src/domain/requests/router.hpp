// Routing down the command chain 指挥链: location → grid (point in polygon, or the village /
// community named in the address), category → responsible unit type and level through a
// versioned responsibility matrix 责任清单 (派单目录). Every decision explains itself.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/requests/lifecycle.hpp"
#include "domain/requests/sla.hpp"
#include "domain/requests/types.hpp"

namespace gj::requests {

struct DivisionInfo {
  std::string code, name, parent_code;
  Level level = Level::kCounty;
};

// One part of a grid's boundary: an outer ring and its holes, in WGS-84.
struct GridPart {
  std::vector<GeoPoint> outer;
  std::vector<std::vector<GeoPoint>> holes;
};

// A grid 网格 boundary: one part, or several (a GeoJSON MultiPolygon: a community on both banks
// of a river, a housing estate with a detached block, an enclave 飞地).
struct GridShape {
  std::string code, name;
  std::string village_code;  // parent division
  std::vector<GridPart> parts;
};

// What routing needs from the organisation store. The integrator implements it over the
// store (org module); tests implement it over plain maps.
class HierarchyView {
 public:
  virtual ~HierarchyView() = default;
  // Any division, grids included (a grid's parent is its village/community).
  virtual std::optional<DivisionInfo> division(std::string_view code) const = 0;
  // All descendants of `code` at `level` (townships or villages of a county).
  virtual std::vector<DivisionInfo> divisions_under(std::string_view code, Level level) const = 0;
  // Every grid with a polygon under a county.
  virtual std::vector<GridShape> grids_under(std::string_view county_code) const = 0;
  // Units of a type in a division: "command_centre" of a county, "township_platform" of a
  // township, "village_committee", "grid", or a department type ("housing", "water" …).
  virtual std::vector<UnitRef> units(std::string_view division_code,
                                     std::string_view unit_type) const = 0;
};

// The chain unit that stands for a division at its level (指挥中心 / 平台 / 村委会 / 网格).
std::string_view chain_unit_type(Level level);

// Up and down the chain over a HierarchyView.
class CommandChain {
 public:
  explicit CommandChain(const HierarchyView& view) : view_(view) {}
  // The chain unit of a division (county → command centre, township → platform, …).
  Result<UnitRef> chain_unit(std::string_view division_code) const;
  // One level up: a department → its division's platform; grid → village; village → township;
  // township → county command centre. kNotFound at the top (the county command centre).
  Result<UnitRef> parent(const UnitRef& unit) const;
  // The action the scheduler applies for a kEscalate deadline event (system actor).
  Result<ActionRequest> escalation_request(const DeadlineEvent& event) const;

 private:
  const HierarchyView& view_;
};

struct Category {
  std::string code;  // path code, levels separated by '/': "城乡建设/道路/路面破损"
  std::string name_zh, name_en;
};

// One row of the responsibility matrix: which unit type at which level handles a category,
// and the SLA tier it gets.
struct Responsibility {
  std::string category;  // "" for the default row
  std::string unit_type;
  Level level = Level::kTownship;
  std::string sla_tier;  // empty = the policy default
};

class ResponsibilityMatrix {
 public:
  ResponsibilityMatrix(std::string version, std::vector<Category> categories,
                       std::vector<Responsibility> rows, Responsibility default_row);
  // CSV with header category,name_zh,name_en,unit_type,level,sla_tier; a row with an empty
  // unit_type only declares a category (it inherits its parent's or the default rule);
  // category "*" is the default row.
  static Result<ResponsibilityMatrix> parse_csv(std::string version, std::string_view csv_text);

  const std::string& version() const { return version_; }
  // kInvalidInput when the category is not in the catalogue.
  Result<const Category*> category(std::string_view code) const;
  // The most specific row: the category, then its parents ("a/b/c" → "a/b" → "a"), then default.
  const Responsibility& lookup(std::string_view category_code) const;
  bool is_default(const Responsibility& r) const { return &r == &default_row_; }
  // Display names of unit types for explanations ("water" → "水务部门"); the chain's own types
  // have built-in names, a department type without a name shows its code.
  void set_unit_type_name(std::string type, std::string zh, std::string en);
  std::string unit_type_name(std::string_view type, Lang lang) const;

 private:
  std::string version_;
  std::map<std::string, Category, std::less<>> categories_;
  std::map<std::string, Responsibility, std::less<>> rows_;
  Responsibility default_row_;
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> type_names_;
};

// A GeoJSON Polygon or MultiPolygon ([lon, lat] pairs) into g.parts; false unless the text is
// one of them and every part has an outer ring of at least 3 points.
bool polygon_from_geojson(std::string_view geojson, GridShape& g);

// Why a boundary cannot route reliably, or "" when it can: "self_intersection" (a ring crosses
// itself), "parts_overlap" (parts of a MultiPolygon overlap or share an edge), "hole_invalid"
// (a hole outside its part, inside another hole, or cutting the part in two). Orientation,
// closure, repeated points and spikes are corrected, not refused.
std::string_view geometry_problem(const GridShape& g);

// Whether a point lies in a grid (any part, outside its holes; the boundary counts), as routing
// decides it.
bool covers(const GridShape& g, const GeoPoint& p);

// Point → grid with an R-tree over the grid bounding boxes, then exact point-in-polygon.
class GridIndex {
 public:
  explicit GridIndex(std::vector<GridShape> grids);
  ~GridIndex();
  GridIndex(GridIndex&&) noexcept;
  GridIndex& operator=(GridIndex&&) noexcept;
  // The grid containing the point (boundary counts as inside); with overlapping grids the
  // smallest, then the lowest code, so the answer never depends on insertion order.
  const GridShape* locate(const GeoPoint& p) const;
  size_t size() const;
  // The grids as given (their order), for drawing them.
  const std::vector<GridShape>& shapes() const;
  // Where a map of the area opens: the centre of its lowest-coded grid (NBS numbering puts the
  // county seat's township first); none without grids.
  std::optional<GeoPoint> centre() const;

  // Pairs of grids whose areas overlap (sharing an edge is not overlapping), each with the
  // overlap as a fraction of the smaller grid; pairs under min_fraction (digitising slivers)
  // are left out. A point in an overlap goes to the smaller grid (locate), so a boundary file
  // with overlaps routes, but not as its authors may think: imports report them.
  struct Overlap {
    size_t a = 0, b = 0;  // indexes into the grids given, a < b
    double fraction = 0;
  };
  std::vector<Overlap> overlaps(double min_fraction = 0.001) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

enum class LocateMethod { kPointInPolygon, kAddressName, kNone };
std::string_view locate_method_code(LocateMethod m);

struct RouteInput {
  std::string category;
  std::optional<GeoPoint> location;
  std::string address;
};

struct RouteDecision {
  UnitRef unit;                  // who gets the ticket
  bool manual_dispatch = false;  // the command centre must decide by hand
  LocateMethod method = LocateMethod::kNone;
  std::string grid_code;      // when located in a grid
  std::string division_code;  // the deepest division located (grid, village or township)
  std::string category;
  Responsibility rule;
  bool default_rule = false;
  std::string sla_tier;
  std::string matrix_version;
  std::vector<std::string> steps_zh, steps_en;  // why it went where it went
  std::string explanation(Lang lang) const;
};

struct RouterOptions {
  // A valid location outside every grid: the command centre dispatches by hand (default), or
  // the request is refused with 400 (for channels that must report inside a grid, e.g. a grid
  // worker's own patrol report).
  bool reject_outside_grids = false;
};

class RequestRouter {
 public:
  // Loads the county's grids into the R-tree and its township/village names for address
  // matching. kNotFound when the county or its command centre is missing.
  static Result<RequestRouter> create(const HierarchyView& view, std::string county_code,
                                      ResponsibilityMatrix matrix, RouterOptions options = {});

  // kInvalidInput for an unknown category or invalid coordinates; never drops a request.
  Result<RouteDecision> route(const RouteInput& input) const;

  const ResponsibilityMatrix& matrix() const { return matrix_; }
  const GridIndex& grids() const { return *grids_; }

 private:
  RequestRouter(const HierarchyView& view, std::string county, ResponsibilityMatrix matrix,
                RouterOptions options)
      : view_(&view), county_(std::move(county)), matrix_(std::move(matrix)), options_(options) {}

  struct NamedPlace {
    std::string alias;
    DivisionInfo division;
    std::string township_code;  // for villages
  };
  std::vector<const NamedPlace*> match_address(std::string_view address) const;

  const HierarchyView* view_;
  std::string county_;
  ResponsibilityMatrix matrix_;
  RouterOptions options_;
  std::unique_ptr<GridIndex> grids_;
  std::vector<NamedPlace> places_;  // longest alias first
  UnitRef command_centre_;
  DivisionInfo county_info_;
};

}  // namespace gj::requests
