#include "domain/requests/router.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "common/csv.hpp"
#include "common/text.hpp"

namespace gj::requests {

namespace bg = boost::geometry;
using nlohmann::json;
namespace bgi = boost::geometry::index;

namespace {

// Grids are small (hundreds of metres), so planar lon/lat is exact enough for containment.
using Pt = bg::model::d2::point_xy<double>;
using Box = bg::model::box<Pt>;
using Poly = bg::model::polygon<Pt>;  // clockwise, closed (corrected on load)
using MultiPoly = bg::model::multi_polygon<Poly>;
using Entry = std::pair<Box, size_t>;

std::string str(std::string_view s) {
  return std::string(s);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// NBS names carry the committee's full title; addresses say "营盘村" or "东街社区".
std::vector<std::string> aliases_for(const DivisionInfo& d) {
  std::vector<std::string> out{d.name};
  auto strip = [&](std::string_view suffix, std::string_view add) {
    if (ends_with(d.name, suffix) && d.name.size() > suffix.size()) {
      std::string base = d.name.substr(0, d.name.size() - suffix.size());
      if (!ends_with(base, add)) base += add;
      out.push_back(base);
    }
  };
  strip("村民委员会", "村");
  strip("村委会", "村");
  strip("居民委员会", "社区");
  strip("居委会", "社区");
  strip("办事处", "");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

// ---------------------------------------------------------------- chain

std::string_view chain_unit_type(Level level) {
  switch (level) {
    case Level::kProvince:
    case Level::kPrefecture:
    case Level::kCounty:
      return kUnitCommandCentre;
    case Level::kTownship:
      return kUnitTownshipPlatform;
    case Level::kVillage:
      return kUnitVillageCommittee;
    case Level::kGrid:
      return kUnitGrid;
  }
  return kUnitCommandCentre;
}

Result<UnitRef> CommandChain::chain_unit(std::string_view division_code) const {
  auto div = view_.division(division_code);
  if (!div)
    return make_error(ErrorCode::kNotFound, "unknown division " + str(division_code), "division");
  auto units = view_.units(div->code, chain_unit_type(div->level));
  if (units.empty())
    return make_error(ErrorCode::kNotFound,
                      "division " + div->code + " has no " + str(chain_unit_type(div->level)),
                      "unit");
  std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return units.front();
}

Result<UnitRef> CommandChain::parent(const UnitRef& unit) const {
  if (unit.is_department()) return chain_unit(unit.division_code);
  if (static_cast<int>(unit.level) <= static_cast<int>(Level::kCounty))
    return make_error(ErrorCode::kNotFound, "the county command centre is the top of the chain",
                      "unit");
  auto div = view_.division(unit.division_code);
  if (!div || div->parent_code.empty())
    return make_error(ErrorCode::kNotFound, "no parent division for " + unit.division_code,
                      "division");
  return chain_unit(div->parent_code);
}

Result<ActionRequest> CommandChain::escalation_request(const DeadlineEvent& event) const {
  if (event.kind != DeadlineEventKind::kEscalate)
    return make_error(ErrorCode::kInvalidInput, "not an escalation event");
  GJ_ASSIGN_OR_RETURN(UnitRef up, parent(event.unit));
  ActionRequest req;
  req.action = Action::kEscalate;
  req.target = up;
  req.expected_holder_id = event.unit.id;
  req.note = event.timer_kind == TimerKind::kResponse
                 ? "超时未签收，自动升级 (response limit passed)"
                 : "超时未办结，自动升级 (resolution limit passed)";
  return req;
}

// ---------------------------------------------------------------- matrix

ResponsibilityMatrix::ResponsibilityMatrix(std::string version, std::vector<Category> categories,
                                           std::vector<Responsibility> rows,
                                           Responsibility default_row)
    : version_(std::move(version)), default_row_(std::move(default_row)) {
  for (auto& c : categories) categories_.emplace(c.code, std::move(c));
  for (auto& r : rows) {
    std::string key = r.category;
    rows_.emplace(std::move(key), std::move(r));
  }
  default_row_.category.clear();
}

Result<ResponsibilityMatrix> ResponsibilityMatrix::parse_csv(std::string version,
                                                             std::string_view csv_text) {
  std::istringstream in{std::string(csv_text)};
  GJ_ASSIGN_OR_RETURN(csv::Table table, csv::read_stream(in));
  int c_cat = table.column("category"), c_zh = table.column("name_zh"),
      c_en = table.column("name_en"), c_type = table.column("unit_type"),
      c_level = table.column("level"), c_tier = table.column("sla_tier");
  if (c_cat < 0 || c_type < 0 || c_level < 0)
    return make_error(ErrorCode::kInvalidInput,
                      "responsibility matrix needs columns category, unit_type, level", "matrix");
  std::vector<Category> cats;
  std::vector<Responsibility> rows;
  std::optional<Responsibility> def;
  auto cell = [](const csv::Record& r, int i) {
    return i >= 0 && size_t(i) < r.size() ? trim(r[i]) : std::string();
  };
  size_t line = 1;
  for (const auto& rec : table.rows) {
    ++line;
    std::string code = cell(rec, c_cat), type = cell(rec, c_type), lv = cell(rec, c_level);
    if (code.empty())
      return make_error(ErrorCode::kInvalidInput,
                        "row " + std::to_string(line) + ": empty category", "matrix");
    Responsibility r{code == "*" ? "" : code, type, Level::kTownship, cell(rec, c_tier)};
    if (!type.empty()) {
      int level = lv.size() == 1 && lv[0] >= '3' && lv[0] <= '6' ? lv[0] - '0' : 0;
      if (level == 0)
        return make_error(ErrorCode::kInvalidInput,
                          "row " + std::to_string(line) + ": level must be 3 (county) … 6 (grid)",
                          "matrix");
      r.level = static_cast<Level>(level);
    }
    if (code == "*") {
      if (type.empty())
        return make_error(ErrorCode::kInvalidInput, "the default row needs a unit_type", "matrix");
      def = r;
      continue;
    }
    cats.push_back({code, cell(rec, c_zh), cell(rec, c_en)});
    if (!type.empty()) rows.push_back(r);
  }
  if (!def)
    return make_error(ErrorCode::kInvalidInput, "the matrix needs a default row (category *)",
                      "matrix");
  return ResponsibilityMatrix(std::move(version), std::move(cats), std::move(rows), *def);
}

void ResponsibilityMatrix::set_unit_type_name(std::string type, std::string zh, std::string en) {
  type_names_[std::move(type)] = {std::move(zh), std::move(en)};
}

std::string ResponsibilityMatrix::unit_type_name(std::string_view type, Lang lang) const {
  if (auto it = type_names_.find(type); it != type_names_.end())
    return lang == Lang::kZh ? it->second.first : it->second.second;
  if (type == kUnitCommandCentre) return lang == Lang::kZh ? "指挥中心" : "command centre";
  if (type == kUnitTownshipPlatform) return lang == Lang::kZh ? "综合指挥平台" : "command platform";
  if (type == kUnitVillageCommittee)
    return lang == Lang::kZh ? "村（居）委会" : "village/community committee";
  if (type == kUnitGrid) return lang == Lang::kZh ? "网格" : "grid";
  return std::string(type);  // a department type without a configured name
}

Result<const Category*> ResponsibilityMatrix::category(std::string_view code) const {
  auto it = categories_.find(code);
  if (it == categories_.end())
    return make_error(ErrorCode::kInvalidInput, "unknown category '" + str(code) + "'", "category");
  return &it->second;
}

const Responsibility& ResponsibilityMatrix::lookup(std::string_view code) const {
  std::string_view c = code;
  while (!c.empty()) {
    if (auto it = rows_.find(c); it != rows_.end()) return it->second;
    size_t slash = c.rfind('/');
    if (slash == std::string_view::npos) break;
    c = c.substr(0, slash);
  }
  return default_row_;
}

// ---------------------------------------------------------------- grid index

namespace {

// A grid's parts as one multi-polygon, rings closed and oriented.
MultiPoly to_multi(const GridShape& g) {
  MultiPoly poly;
  for (const auto& part : g.parts) {
    if (part.outer.size() < 3) continue;
    Poly& pp = poly.emplace_back();
    for (const auto& p : part.outer) bg::append(pp.outer(), Pt(p.lon, p.lat));
    pp.inners().resize(part.holes.size());
    for (size_t h = 0; h < part.holes.size(); ++h)
      for (const auto& p : part.holes[h]) bg::append(pp.inners()[h], Pt(p.lon, p.lat));
  }
  bg::correct(poly);  // close rings, fix orientation
  return poly;
}

}  // namespace

bool covers(const GridShape& g, const GeoPoint& p) {
  return bg::covered_by(Pt(p.lon, p.lat), to_multi(g));
}

std::string_view geometry_problem(const GridShape& g) {
  MultiPoly poly = to_multi(g);
  bg::remove_spikes(poly);  // a vertex that doubles back changes no area: not worth a refusal
  bg::validity_failure_type failure;
  if (bg::is_valid(poly, failure)) return {};
  auto crosses_itself = [](const Poly& part) {
    bg::validity_failure_type f;
    return !bg::is_valid(part, f) &&
           (f == bg::failure_self_intersections || f == bg::failure_wrong_orientation);
  };
  switch (failure) {
    case bg::failure_wrong_orientation:  // correct() could not orient it: a figure of eight
      return "self_intersection";
    case bg::failure_self_intersections:  // within a part, or where two parts cross
      if (poly.size() > 1 && std::none_of(poly.begin(), poly.end(), crosses_itself))
        return "parts_overlap";
      return "self_intersection";
    case bg::failure_intersecting_interiors:
      return "parts_overlap";
    case bg::failure_interior_rings_outside:
    case bg::failure_nested_interior_rings:
    case bg::failure_disconnected_interior:
      return "hole_invalid";
    default:
      return {};  // orientation, closure, repeated points: corrected on load
  }
}

struct GridIndex::Impl {
  std::vector<GridShape> shapes;
  std::vector<MultiPoly> polys;
  std::vector<double> areas;
  bgi::rtree<Entry, bgi::rstar<16>> tree;
  std::optional<GeoPoint> centre;  // of the lowest-coded grid's envelope
};

GridIndex::GridIndex(std::vector<GridShape> grids) : impl_(std::make_unique<Impl>()) {
  impl_->shapes = std::move(grids);
  std::vector<Entry> entries;
  entries.reserve(impl_->shapes.size());
  const std::string* first = nullptr;  // the lowest grid code so far
  impl_->polys.reserve(impl_->shapes.size());
  for (size_t i = 0; i < impl_->shapes.size(); ++i) {
    const GridShape& g = impl_->shapes[i];
    MultiPoly poly = to_multi(g);
    impl_->areas.push_back(std::abs(bg::area(poly)));
    if (!poly.empty()) {
      Box box = bg::return_envelope<Box>(poly);
      entries.emplace_back(box, i);
      if (!first || g.code < *first) {
        first = &g.code;
        impl_->centre = GeoPoint{(box.min_corner().y() + box.max_corner().y()) / 2,
                                 (box.min_corner().x() + box.max_corner().x()) / 2};
      }
    }
    impl_->polys.push_back(std::move(poly));
  }
  // Bulk loading (packing) builds a better tree than repeated inserts, and is faster.
  impl_->tree = bgi::rtree<Entry, bgi::rstar<16>>(entries.begin(), entries.end());
}
GridIndex::~GridIndex() = default;
GridIndex::GridIndex(GridIndex&&) noexcept = default;
GridIndex& GridIndex::operator=(GridIndex&&) noexcept = default;
size_t GridIndex::size() const {
  return impl_->shapes.size();
}

const std::vector<GridShape>& GridIndex::shapes() const {
  return impl_->shapes;
}

std::optional<GeoPoint> GridIndex::centre() const {
  return impl_->centre;
}

const GridShape* GridIndex::locate(const GeoPoint& p) const {
  Pt q(p.lon, p.lat);
  const GridShape* best = nullptr;
  double best_area = 0;
  for (auto it = impl_->tree.qbegin(bgi::intersects(q)); it != impl_->tree.qend(); ++it) {
    size_t i = it->second;
    if (!bg::covered_by(q, impl_->polys[i])) continue;
    const GridShape& g = impl_->shapes[i];
    double a = impl_->areas[i];
    if (!best || a < best_area || (a == best_area && g.code < best->code)) {
      best = &g;
      best_area = a;
    }
  }
  return best;
}

namespace {

// One GeoJSON polygon's rings: the first is the outer ring, the rest are holes.
bool part_from_json(const json& rings, GridPart& part) {
  if (!rings.is_array() || rings.empty()) return false;
  for (size_t i = 0; i < rings.size(); ++i) {
    std::vector<GeoPoint> ring;
    if (!rings[i].is_array()) return false;
    for (const auto& pt : rings[i]) {
      if (!pt.is_array() || pt.size() < 2 || !pt[0].is_number() || !pt[1].is_number()) return false;
      ring.push_back({pt[1].get<double>(), pt[0].get<double>()});
    }
    if (i == 0)
      part.outer = std::move(ring);
    else
      part.holes.push_back(std::move(ring));
  }
  return part.outer.size() >= 3;
}

}  // namespace

bool polygon_from_geojson(std::string_view text, GridShape& g) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_object() || !j.contains("coordinates")) return false;
  std::string type = j.value("type", "");
  const auto& coords = j["coordinates"];
  std::vector<GridPart> parts;
  if (type == "Polygon") {
    if (!part_from_json(coords, parts.emplace_back())) return false;
  } else if (type == "MultiPolygon" && coords.is_array() && !coords.empty()) {
    for (const auto& rings : coords)
      if (!part_from_json(rings, parts.emplace_back())) return false;
  } else {
    return false;
  }
  g.parts = std::move(parts);
  return true;
}

std::vector<GridIndex::Overlap> GridIndex::overlaps(double min_fraction) const {
  std::vector<Overlap> out;
  const auto& polys = impl_->polys;
  for (const auto& [box, i] : impl_->tree) {
    for (auto it = impl_->tree.qbegin(bgi::intersects(box)); it != impl_->tree.qend(); ++it) {
      size_t j = it->second;
      if (j <= i) continue;
      // Cheap first: grids that only touch (the usual neighbours) have no interior in common.
      if (!bg::intersects(polys[i], polys[j]) || bg::touches(polys[i], polys[j])) continue;
      MultiPoly common;
      bg::intersection(polys[i], polys[j], common);
      double smaller = std::min(impl_->areas[i], impl_->areas[j]);
      double f = smaller > 0 ? std::abs(bg::area(common)) / smaller : 0;
      if (f >= min_fraction) out.push_back({i, j, f});
    }
  }
  std::sort(out.begin(), out.end(), [](const Overlap& x, const Overlap& y) {
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  return out;
}

std::string_view locate_method_code(LocateMethod m) {
  switch (m) {
    case LocateMethod::kPointInPolygon:
      return "point_in_polygon";
    case LocateMethod::kAddressName:
      return "address_name";
    case LocateMethod::kNone:
      return "none";
  }
  return "none";
}

std::string RouteDecision::explanation(Lang lang) const {
  const auto& steps = lang == Lang::kZh ? steps_zh : steps_en;
  std::string out;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i) out += lang == Lang::kZh ? "；" : "; ";
    out += steps[i];
  }
  return out;
}

// ---------------------------------------------------------------- router

Result<RequestRouter> RequestRouter::create(const HierarchyView& view, std::string county_code,
                                            ResponsibilityMatrix matrix, RouterOptions options) {
  auto county = view.division(county_code);
  if (!county)
    return make_error(ErrorCode::kNotFound, "unknown county " + county_code, "county_code");
  RequestRouter r(view, county_code, std::move(matrix), options);
  r.county_info_ = *county;
  CommandChain chain(view);
  GJ_ASSIGN_OR_RETURN(r.command_centre_, chain.chain_unit(county_code));
  r.grids_ = std::make_unique<GridIndex>(view.grids_under(county_code));
  std::map<std::string, std::string> township_of;
  for (const auto& t : view.divisions_under(county_code, Level::kTownship)) {
    for (auto& a : aliases_for(t)) r.places_.push_back({a, t, t.code});
  }
  for (const auto& v : view.divisions_under(county_code, Level::kVillage)) {
    for (auto& a : aliases_for(v)) r.places_.push_back({a, v, v.parent_code});
  }
  // Longest alias first, then deeper level, then code: matching is deterministic.
  std::sort(r.places_.begin(), r.places_.end(), [](const NamedPlace& a, const NamedPlace& b) {
    if (a.alias.size() != b.alias.size()) return a.alias.size() > b.alias.size();
    if (a.division.level != b.division.level) return a.division.level > b.division.level;
    return a.division.code < b.division.code;
  });
  return r;
}

std::vector<const RequestRouter::NamedPlace*> RequestRouter::match_address(
    std::string_view address) const {
  std::vector<const NamedPlace*> towns, villages;
  for (const auto& p : places_) {
    if (address.find(p.alias) == std::string_view::npos) continue;
    (p.division.level == Level::kVillage ? villages : towns).push_back(&p);
  }
  auto dedupe = [](std::vector<const NamedPlace*>& v) {
    std::vector<const NamedPlace*> out;
    for (auto* p : v)
      if (std::none_of(out.begin(), out.end(),
                       [&](auto* q) { return q->division.code == p->division.code; }))
        out.push_back(p);
    v = std::move(out);
  };
  dedupe(towns);
  dedupe(villages);
  // A village name shared by two townships is settled by the township named in the address.
  if (villages.size() > 1 && !towns.empty()) {
    std::vector<const NamedPlace*> in_town;
    for (auto* v : villages)
      for (auto* t : towns)
        if (v->township_code == t->division.code) in_town.push_back(v);
    if (!in_town.empty()) villages = in_town;
  }
  if (villages.size() > 1) {
    // Keep only the longest names ("东关社区" over "东关村" when both occur is not decidable;
    // but "新庄村" inside "上新庄村" is): drop aliases contained in another match.
    std::vector<const NamedPlace*> kept;
    for (auto* v : villages) {
      bool inside = false;
      for (auto* w : villages)
        if (w != v && w->alias.size() > v->alias.size() &&
            w->alias.find(v->alias) != std::string::npos)
          inside = true;
      if (!inside) kept.push_back(v);
    }
    villages = kept;
  }
  if (!villages.empty()) return villages;
  return towns;
}

Result<RouteDecision> RequestRouter::route(const RouteInput& in) const {
  GJ_ASSIGN_OR_RETURN(const Category* cat, matrix_.category(in.category));
  if (in.location && !is_valid_point(*in.location))
    return make_error(ErrorCode::kInvalidInput, "location is not a valid WGS-84 point", "location");
  if (!is_valid_utf8(in.address))
    return make_error(ErrorCode::kInvalidUtf8, "address is not UTF-8", "address");

  RouteDecision d;
  d.category = cat->code;
  d.matrix_version = matrix_.version();
  const Responsibility& rule = matrix_.lookup(cat->code);
  d.rule = rule;
  d.default_rule = matrix_.is_default(rule);
  d.sla_tier = rule.sla_tier;
  CommandChain chain(*view_);

  auto manual = [&](std::string why_zh, std::string why_en) {
    d.unit = command_centre_;
    d.manual_dispatch = true;
    d.steps_zh.push_back(std::move(why_zh));
    d.steps_en.push_back(std::move(why_en));
    d.steps_zh.push_back("转 " + command_centre_.name + " 人工派单");
    d.steps_en.push_back("sent to " + command_centre_.name + " for manual dispatch");
    return d;
  };

  // 1. Where is it?
  std::optional<DivisionInfo> located;
  if (in.location) {
    if (const GridShape* g = grids_->locate(*in.location)) {
      d.method = LocateMethod::kPointInPolygon;
      d.grid_code = g->code;
      located = view_->division(g->code);
      if (!located) located = DivisionInfo{g->code, g->name, g->village_code, Level::kGrid};
      d.steps_zh.push_back("位于网格 " + g->name + "（" + g->code + "，点在多边形内）");
      d.steps_en.push_back("inside grid " + g->name + " (" + g->code + ", point in polygon)");
    } else if (options_.reject_outside_grids) {
      return make_error(ErrorCode::kInvalidInput,
                        "the location is outside every grid of " + county_info_.name, "location");
    } else {
      d.steps_zh.push_back("坐标不在本县任何网格内");
      d.steps_en.push_back("the point lies outside every grid of the county");
    }
  }
  if (!located && !trim(in.address).empty()) {
    auto matches = match_address(in.address);
    if (matches.size() == 1) {
      const NamedPlace* p = matches.front();
      located = p->division;
      d.method = LocateMethod::kAddressName;
      d.steps_zh.push_back("地址中提到“" + p->alias + "”，定位到 " + p->division.name);
      d.steps_en.push_back("the address names \"" + p->alias + "\", located in " +
                           p->division.name);
    } else if (matches.size() > 1) {
      std::string names;
      for (auto* m : matches) names += (names.empty() ? "" : "、") + m->division.name;
      return manual("地址中的地名不唯一（" + names + "）",
                    "the address names more than one place (" + names + ")");
    }
  }
  if (!located) {
    if (!in.location && trim(in.address).empty())
      return manual("没有坐标也没有地址", "no location and no address");
    return manual("无法定位到本县的网格或村（社区）",
                  "could not place it in a grid, village or community of the county");
  }
  d.division_code = located->code;

  // 2. Who is responsible? Walk up from the located division to the matrix's level.
  std::string rule_desc_zh = d.default_rule ? "默认规则" : "责任清单";
  std::string rule_desc_en = d.default_rule ? "default rule" : "responsibility matrix";
  DivisionInfo at = *located;
  int guard = 0;
  while (static_cast<int>(at.level) > static_cast<int>(rule.level) && guard++ < 8) {
    auto parent = view_->division(at.parent_code);
    if (!parent)
      return manual("区划 " + at.code + " 缺少上级", "division " + at.code + " has no parent");
    at = *parent;
  }
  std::string want_type = rule.unit_type;
  d.steps_zh.push_back("类别 " + cat->name_zh + "（" + cat->code + "）按" + rule_desc_zh + "（" +
                       matrix_.version() + "）由" + str(level_name(rule.level, Lang::kZh)) + "级" +
                       matrix_.unit_type_name(rule.unit_type, Lang::kZh) + "办理");
  d.steps_en.push_back("category " + (cat->name_en.empty() ? cat->code : cat->name_en) +
                       " goes by the " + rule_desc_en + " (" + matrix_.version() + ") to the " +
                       matrix_.unit_type_name(rule.unit_type, Lang::kEn) + " at " +
                       str(level_name(rule.level, Lang::kEn)) + " level");
  if (static_cast<int>(at.level) < static_cast<int>(rule.level)) {
    // Located less precisely than the rule needs (e.g. only the township is known).
    d.steps_zh.push_back("位置只精确到" + str(level_name(at.level, Lang::kZh)) + "，由其平台分派");
    d.steps_en.push_back("location known only to the " + str(level_name(at.level, Lang::kEn)) +
                         ", its platform dispatches further");
    want_type = str(chain_unit_type(at.level));
  }
  auto units = view_->units(at.code, want_type);
  std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  const std::string want_zh = matrix_.unit_type_name(want_type, Lang::kZh),
                    want_en = matrix_.unit_type_name(want_type, Lang::kEn);
  if (units.empty()) {
    auto platform = chain.chain_unit(at.code);
    if (!platform.ok())
      return manual(at.name + " 没有" + want_zh, at.name + " has no " + want_en + " unit");
    d.steps_zh.push_back(at.name + " 没有" + want_zh + "，交由 " + platform->name);
    d.steps_en.push_back(at.name + " has no " + want_en + " unit, so " + platform->name +
                         " takes it");
    d.unit = *platform;
  } else {
    d.unit = units.front();
    d.steps_zh.push_back("派往 " + d.unit.name);
    d.steps_en.push_back("dispatched to " + d.unit.name);
  }
  return d;
}

}  // namespace gj::requests
