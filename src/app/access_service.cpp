#include "app/access_service.hpp"
#include "app/demo.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "domain/org/division.hpp"
#include "domain/requests/router.hpp"
#include "import/osm/osm_reader.hpp"
#include "store/repos/repos.hpp"

namespace gj::app {

using store::Session;

namespace {

using SteadyClock = std::chrono::steady_clock;
double since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// ---- packed graph: "GJW1", u32 nodes, u32 edges, nodes (i64 id, f64 lat, f64 lon), edges
// (u32 a, u32 b with a < b); base64 so it fits a TEXT column on both backends.
template <typename T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
T get(const std::string& s, size_t& at) {
  T v;
  std::memcpy(&v, s.data() + at, sizeof v);
  at += sizeof v;
  return v;
}

// Synthetic unit cell 合成方格 of a point: a label like "E03N07" on a metre grid anchored at the
// network's south-west corner. Used as the unit when the area has no grids 网格.
std::string cell_label(double lat, double lon, double lat0, double lon0, double cell_m) {
  const double my = 111320.0, mx = 111320.0 * std::cos(lat0 * M_PI / 180);
  long x = static_cast<long>(std::floor((lon - lon0) * mx / cell_m));
  long y = static_cast<long>(std::floor((lat - lat0) * my / cell_m));
  char buf[32];
  std::snprintf(buf, sizeof buf, "E%02ldN%02ld", x, y);
  return buf;
}

// Grid boundaries 网格边界 for assigning homes to grids: the router's own index, so a home is in
// the grid a request from its door would be routed to (holes, several parts, the smaller of two
// overlapping grids). A boundary that does not parse is skipped: its homes fall back to cells.
requests::GridIndex grid_index(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::vector<requests::GridShape> shapes;
  for (const auto& [code, text] : rows) {
    requests::GridShape g;
    g.code = code;
    if (requests::polygon_from_geojson(text, g)) shapes.push_back(std::move(g));
  }
  return requests::GridIndex(std::move(shapes));
}

// OSM's opening_hours as written, cut at 100 characters (the registry's limit) on a UTF-8
// boundary; shown and editable, not interpreted.
std::string clip_hours(const std::string& h) {
  if (!is_valid_utf8(h)) return "";
  std::string t = trim(h);
  if (utf8_length(t) <= 100) return t;
  size_t n = 0, i = 0;
  for (; i < t.size() && n < 100; ++n) {
    const auto c = static_cast<unsigned char>(t[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  }
  return t.substr(0, i);
}

// access_residences.source of household homes written by a run that has not finished yet.
constexpr const char* kPendingHomes = "household-pending";

bool is_grid_code(const std::string& unit) {
  return unit.size() == 15 &&
         std::all_of(unit.begin(), unit.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool can_write(auth::Role r) {
  return r == auth::Role::kAdmin || r == auth::Role::kCommand || r == auth::Role::kTownship;
}

// The network area is visible when it and the caller's scope overlap (either contains the other).
bool overlaps(const std::string& area, const std::string& scope) {
  return org::in_scope(area, scope) || org::in_scope(scope, area);
}

std::string minutes_text(const float* d, size_t n, double speed_kmh) {
  std::string out;
  char buf[32];
  for (size_t t = 0; t < n; ++t) {
    if (t) out.push_back(',');
    if (d[t] == access::kUnreached) continue;
    std::snprintf(buf, sizeof buf, "%.1f", d[t] / (speed_kmh * 1000 / 60));
    out += buf;
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t b = 0;
  while (true) {
    size_t e = s.find(',', b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

}  // namespace

std::string pack_graph(const access::WalkGraph& g) {
  std::string raw = "GJW1";
  const uint32_t n = g.node_count();
  put<uint32_t>(raw, n);
  put<uint32_t>(raw, static_cast<uint32_t>(g.edge_count()));
  raw.reserve(raw.size() + n * 24 + g.edge_count() * 8);
  for (uint32_t v = 0; v < n; ++v) {
    put<int64_t>(raw, g.osm_id(v));
    put<double>(raw, g.coord(v).lat);
    put<double>(raw, g.coord(v).lon);
  }
  for (uint32_t v = 0; v < n; ++v)
    for (const auto& a : g.arcs(v))
      if (a.to > v) {
        put<uint32_t>(raw, v);
        put<uint32_t>(raw, a.to);
      }
  return base64_encode(raw);
}

Result<access::WalkGraph> unpack_graph(const std::string& text) {
  std::string raw;
  if (!base64_decode(text, raw) || raw.size() < 12 || raw.compare(0, 4, "GJW1") != 0)
    return make_error(ErrorCode::kInternal, "stored walking network is damaged");
  size_t at = 4;
  const uint32_t n = get<uint32_t>(raw, at), m = get<uint32_t>(raw, at);
  if (raw.size() != 12 + size_t(n) * 24 + size_t(m) * 8)
    return make_error(ErrorCode::kInternal, "stored walking network has the wrong size");
  access::NetworkSource src;
  src.node_ids.resize(n);
  src.node_coords.resize(n);
  for (uint32_t v = 0; v < n; ++v) {
    src.node_ids[v] = get<int64_t>(raw, at);
    src.node_coords[v].lat = get<double>(raw, at);
    src.node_coords[v].lon = get<double>(raw, at);
  }
  // Each edge as a two-node way: build() recomputes the same great-circle lengths, and node
  // indices stay those of the original graph.
  src.way_refs.resize(size_t(m) * 2);
  src.way_offsets.resize(size_t(m) + 1);
  for (uint32_t e = 0; e < m; ++e) {
    src.way_refs[2 * e] = get<uint32_t>(raw, at);
    src.way_refs[2 * e + 1] = get<uint32_t>(raw, at);
    src.way_offsets[e + 1] = 2 * (e + 1);
  }
  return access::WalkGraph::build(std::move(src));
}

// ---------------------------------------------------------------- import

Result<OsmImportStats> AccessService::import_osm(const std::string& path,
                                                 const OsmImportOptions& options,
                                                 const StageProgress& progress) {
  const auto t0 = SteadyClock::now();
  osm::TypeMapping mapping = osm::TypeMapping::defaults();
  if (!options.types_file.empty()) {
    GJ_ASSIGN_OR_RETURN(mapping, osm::TypeMapping::load(options.types_file));
  }
  const std::string file = std::filesystem::path(path).filename().string();
  auto ex = osm::read_osm(path, mapping, [&](double f) {
    if (progress) progress("reading " + file, f);
  });
  if (!ex.ok()) return ex.error();
  if (progress) progress("building the walking graph", 0);
  auto graph = access::WalkGraph::build(std::move(ex->network));
  if (!graph.ok()) return make_error(graph.error().code, path + ": " + graph.error().detail);
  if (graph->edge_count() == 0)
    return make_error(ErrorCode::kInvalidInput, path + ": no walkable ways");

  ar::NetworkRow net;
  net.name = options.name.empty() ? file : options.name;
  net.division_code = options.division_code;
  net.source_file = file;
  net.node_count = graph->node_count();
  net.edge_count = static_cast<int64_t>(graph->edge_count());
  net.min_lat = 90, net.min_lon = 180, net.max_lat = -90, net.max_lon = -180;
  for (uint32_t v = 0; v < graph->node_count(); ++v) {
    auto c = graph->coord(v);
    net.min_lat = std::min(net.min_lat, c.lat);
    net.max_lat = std::max(net.max_lat, c.lat);
    net.min_lon = std::min(net.min_lon, c.lon);
    net.max_lon = std::max(net.max_lon, c.lon);
  }
  net.imported_at = app_.clock().now_ms();
  net.graph = pack_graph(*graph);

  OsmImportStats stats;
  stats.nodes = net.node_count;
  stats.edges = net.edge_count;
  if (progress) progress("storing", 0);
  Status st = app_.db().write([&](Session& s) -> Status {
    if (!store::divisions::get(s, options.division_code).ok())
      return make_error(ErrorCode::kInvalidInput,
                        "division " + options.division_code + " is not in the store", "division");
    GJ_ASSIGN_OR_RETURN(auto types, ar::list_types(s));
    GJ_ASSIGN_OR_RETURN(net.id, ar::insert_network(s, net));
    GJ_TRY(ar::retire_older_networks(s, net.id));
    GJ_TRY(ar::delete_osm_facilities(s, options.division_code));
    std::vector<ar::FacilityRow> fac;
    for (const auto& f : ex->facilities) {
      bool known =
          std::any_of(types.begin(), types.end(), [&](const auto& t) { return t.code == f.type; });
      if (!known) {
        ++stats.facilities_skipped;
        continue;
      }
      fac.push_back({0, options.division_code, "osm",
                     (f.network_node >= 0 ? "node/" : "") + std::to_string(f.source_id), f.type,
                     f.name, f.point.lat, f.point.lon, clip_hours(f.opening_hours),
                     net.imported_at});
    }
    GJ_TRY(ar::insert_facilities(s, fac));
    stats.facilities = static_cast<int64_t>(fac.size());
    std::vector<ar::ResidenceRow> homes;
    if (options.homes_from_nodes) {
      ex->residences.clear();
      for (uint32_t v = 0; v < graph->node_count(); ++v) {
        access::Residence r;
        r.id = graph->osm_id(v);
        r.point = graph->coord(v);
        ex->residences.push_back(r);
      }
    }
    homes.reserve(ex->residences.size());
    // A home inside a registered grid belongs to it; elsewhere to a synthetic cell.
    GJ_ASSIGN_OR_RETURN(auto polygons, ar::grid_polygons(s, options.division_code));
    const auto grids = grid_index(polygons);
    for (const auto& r : ex->residences) {
      std::string unit;
      if (const auto* g = grids.locate({r.point.lat, r.point.lon})) {
        unit = g->code;
        ++stats.residences_in_grids;
      }
      if (unit.empty())
        unit = cell_label(r.point.lat, r.point.lon, net.min_lat, net.min_lon, options.cell_m);
      homes.push_back({0, net.id, r.id, r.point.lat, r.point.lon, r.households, unit});
    }
    GJ_TRY(ar::insert_residences(s, homes));
    stats.residences = static_cast<int64_t>(homes.size());
    auth::Principal system;
    char detail[160];
    std::snprintf(detail, sizeof detail, "%lld nodes, %lld edges, %lld facilities, %lld homes",
                  (long long)stats.nodes, (long long)stats.edges, (long long)stats.facilities,
                  (long long)stats.residences);
    store::AuditEntry e;
    e.at = net.imported_at;
    e.actor_name = "system";
    e.action = "access.import_osm";
    e.target_type = "access_network";
    e.target_id = std::to_string(net.id);
    e.detail = file + ": " + detail;
    return store::audit::append(s, e);
  });
  if (!st.ok()) return st.error();
  stats.network_id = net.id;
  stats.seconds = since(t0);
  std::lock_guard lock(mu_);
  cache_.reset();
  return stats;
}

// ---------------------------------------------------------------- run

Result<std::shared_ptr<const AccessService::Loaded>> AccessService::load(
    const std::string& homes_in) {
  auto out = std::make_shared<Loaded>();
  std::vector<ar::FacilityRow> facilities;
  std::vector<ar::FacilityTypeRow> types;
  std::shared_ptr<const NetworkData> cached;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    cached = cache_;
    generation = homes_generation_;
  }
  auto data = std::make_shared<NetworkData>();
  std::string packed, homes_source = homes_in;
  std::vector<ar::ResidenceRow> homes;
  Status st = app_.db().read([&](Session& s) -> Status {
    auto net = ar::current_network(s);
    if (!net.ok())
      return make_error(ErrorCode::kNotFound, "no walking network: run `gongjian import osm`");
    out->network_id = net->id;
    if (homes_source.empty()) {
      // The homes the coverage on show was computed over.
      auto run = ar::latest_done_run(s);
      homes_source = run.ok() && run->network_id == net->id ? run->homes : "osm";
    }
    GJ_ASSIGN_OR_RETURN(facilities, ar::all_facilities(s));
    GJ_ASSIGN_OR_RETURN(types, ar::list_types(s));
    if (cached && cached->network_id == net->id && cached->homes == homes_source &&
        cached->generation == generation)
      return {};
    data->network_id = net->id;
    GJ_ASSIGN_OR_RETURN(packed, ar::network_graph(s, net->id));
    GJ_ASSIGN_OR_RETURN(homes, ar::list_residences(s, net->id, homes_source));
    return {};
  });
  if (!st.ok()) return st.error();
  if (cached && cached->network_id == out->network_id && cached->homes == homes_source &&
      cached->generation == generation) {
    out->net = cached;
  } else {
    GJ_ASSIGN_OR_RETURN(data->graph, unpack_graph(packed));
    data->homes = homes_source;
    data->generation = generation;
    for (const auto& h : homes) {
      access::Residence r;
      r.id = h.osm_id;
      r.point = {h.lat, h.lon};
      r.households = h.households;
      r.grid = h.unit;
      if (is_grid_code(h.unit)) {  // grid → its community 社区 (12 digits) and street 街道
        r.community = h.unit.substr(0, 12);
        r.street = h.unit.substr(0, 9) + "000";
      }
      data->residences.push_back(std::move(r));
      data->residence_ids.push_back(h.id);
    }
    out->net = data;
    std::lock_guard lock(mu_);
    if (homes_generation_ == generation) cache_ = data;
  }
  for (const auto& t : types) {
    out->types.push_back(t.code);
    out->type_minutes.push_back(t.minutes);
  }
  for (const auto& f : facilities) {
    access::Facility x;
    x.type = f.type;
    x.point = {f.lat, f.lon};
    x.source_id = f.id;
    if (f.source == "osm" && f.source_ref.rfind("node/", 0) == 0)
      x.network_node = std::stoll(f.source_ref.substr(5));
    x.name = f.name;
    out->facilities.push_back(std::move(x));
  }
  return std::shared_ptr<const Loaded>(out);
}

Result<std::string> AccessService::sync_household_homes(Session& s, const ar::NetworkRow& net,
                                                        int64_t* households) {
  GJ_ASSIGN_OR_RETURN(auto rows, ar::list_households(s, net.division_code, 10'000'000));
  // New homes are written as pending: the previous run's homes (and its per-home minutes) stay
  // until this run's results replace them, or for good when this run fails.
  GJ_TRY(ar::delete_residences(s, net.id, kPendingHomes));
  *households = static_cast<int64_t>(rows.size());
  if (rows.empty()) return std::string("osm");
  // One home per grid and location (to 1e-6°, about 10 cm): a building's registered
  // households share a point; the home counts them as its households 户数.
  std::map<std::tuple<std::string, int64_t, int64_t>, ar::ResidenceRow> by_place;
  for (const auto& h : rows) {
    auto key = std::make_tuple(h.grid_code, std::llround(h.lat * 1e6), std::llround(h.lon * 1e6));
    auto [it, fresh] = by_place.try_emplace(key);
    auto& r = it->second;
    if (fresh) {
      r.network_id = net.id;
      r.osm_id = h.id;  // the first household registered there
      r.lat = h.lat;
      r.lon = h.lon;
      r.households = 0;
      r.unit = h.grid_code;
      r.source = kPendingHomes;
    }
    r.households += 1;
  }
  std::vector<ar::ResidenceRow> homes;
  homes.reserve(by_place.size());
  for (auto& [k, r] : by_place) homes.push_back(std::move(r));
  GJ_TRY(ar::insert_residences(s, homes));
  return std::string("household");
}

// The results of a run over household homes take over its pending homes; a run over OSM
// buildings drops the household homes of earlier runs. In the results' transaction.
static Status promote_homes(Session& s, int64_t network_id, const std::string& homes) {
  GJ_TRY(ar::delete_residences(s, network_id, "household"));
  if (homes != "household") return {};
  return ar::rename_residence_source(s, network_id, kPendingHomes, "household");
}

Result<RunStats> AccessService::run(const RunOptions& options, const RunProgress& progress) {
  return run_job_body(0, options, progress);
}

Result<RunStats> AccessService::run_job_body(int64_t job_id, const RunOptions& options,
                                             const RunProgress& progress) {
  if (!(options.cutoff_min > 0 && options.cutoff_min <= 120) || !(options.speed_kmh > 0))
    return make_error(ErrorCode::kInvalidInput, "cutoff must be 1–120 minutes", "cutoff_min");
  const auto t0 = SteadyClock::now();
  int64_t total = 4;  // load, (one per type), coverage, store; fixed once the types are known
  auto report = [&](const std::string& stage, int64_t done) {
    if (progress) progress(stage, done, total);
  };
  report("loading", 0);
  // The run row and, when the area has registered households, their homes: one transaction.
  char params[200];
  std::snprintf(params, sizeof params,
                "{\"cutoff_min\":%g,\"speed_kmh\":%g,\"max_snap_m\":%g,\"minutes\":[%g,%g,%g]}",
                options.cutoff_min, options.speed_kmh, options.max_snap_m, options.cutoff_min / 3,
                options.cutoff_min * 2 / 3, options.cutoff_min);
  const int64_t started = app_.clock().now_ms();
  int64_t run_id = 0, households = 0, network_id = 0;
  std::string homes;
  Status st = app_.db().write([&](Session& s) -> Status {
    auto net = ar::current_network(s);
    if (!net.ok())
      return make_error(ErrorCode::kNotFound, "no walking network: run `gongjian import osm`");
    network_id = net->id;
    GJ_ASSIGN_OR_RETURN(homes, sync_household_homes(s, *net, &households));
    GJ_ASSIGN_OR_RETURN(auto types, ar::list_types(s));
    std::vector<std::string> codes;
    for (const auto& t : types) codes.push_back(t.code);
    GJ_ASSIGN_OR_RETURN(run_id, ar::insert_run(s, net->id, started, params, join(codes), homes));
    return {};
  });
  if (!st.ok()) return st.error();
  {
    std::lock_guard lock(mu_);
    ++homes_generation_;  // household homes were rebuilt (or removed)
  }
  auto fail = [&](const Error& e) -> Error {
    (void)app_.db().write([&](Session& s) -> Status {
      GJ_TRY(ar::delete_residences(s, network_id, kPendingHomes));
      return ar::finish_run(s, run_id, "failed", app_.clock().now_ms(), e.detail);
    });
    return e;
  };
  auto L = load(homes == "household" ? std::string(kPendingHomes) : homes);
  if (!L.ok()) return fail(L.error());
  const auto& graph = (*L)->net->graph;
  const auto& residences = (*L)->net->residences;
  const auto& types = (*L)->types;
  const size_t nt = types.size();
  total = 3 + static_cast<int64_t>(nt);
  report("loading", 1);
  access::CoverageParams cov;
  cov.walk_speed_kmh = options.speed_kmh;
  cov.minutes = {options.cutoff_min / 3, options.cutoff_min * 2 / 3, options.cutoff_min};
  cov.max_snap_m = options.max_snap_m;
  cov.type_minutes = (*L)->type_minutes;  // each type's own cut-off (access_facility_types)
  double longest_min = options.cutoff_min;
  for (double m : cov.type_minutes) longest_min = std::max(longest_min, m);
  const double cutoff_m = options.speed_kmh * 1000 / 60 * longest_min;
  auto seeds = access::place_facilities(graph, (*L)->facilities, types, options.max_snap_m);
  std::mutex report_mu;
  auto dist = access::nearest_facility_distances(graph, seeds, cutoff_m, options.threads,
                                                 [&](const std::string& what, double f) {
                                                   std::lock_guard lock(report_mu);
                                                   report(what, 1 + std::llround(f * nt));
                                                 });
  report("coverage", 1 + static_cast<int64_t>(nt));
  auto rep = access::compute_coverage(graph, residences, dist, cov);
  if (!rep.ok()) return fail(rep.error());

  std::vector<std::pair<int64_t, std::string>> minutes;
  minutes.reserve(residences.size());
  const auto& ids = (*L)->net->residence_ids;
  for (size_t r = 0; r < residences.size(); ++r)
    minutes.emplace_back(ids[r],
                         minutes_text(&rep->residence_dist_m[r * nt], nt, options.speed_kmh));
  std::vector<ar::CoverageRow> coverage;
  for (const auto& c : rep->coverage) {
    if (c.level != "all" && c.unit.empty()) continue;  // homes without that level of unit
    ar::CoverageRow x;
    // A home's unit is a registered grid, or a synthetic 500 m cell (import_osm).
    x.level = c.level == "grid" && !is_grid_code(c.unit) ? "cell" : c.level;
    x.unit = c.unit;
    x.type = c.type;
    x.residences = static_cast<int64_t>(c.residences);
    x.households = c.households;
    for (int i = 0; i < 3; ++i) {
      x.residences_within[i] = static_cast<int64_t>(c.residences_within[i]);
      x.households_within[i] = c.households_within[i];
    }
    x.median_m = c.median_distance_m;
    x.cutoff_min = c.type_minutes;
    x.residences_within_cutoff = static_cast<int64_t>(c.residences_within_type);
    x.households_within_cutoff = c.households_within_type;
    coverage.push_back(std::move(x));
  }
  std::vector<ar::GapRow> gaps;
  for (const auto& g : rep->gaps)
    gaps.push_back({g.type, g.cell_x, g.cell_y, g.centre.lat, g.centre.lon,
                    static_cast<int64_t>(g.residences), g.households});
  report("storing", 2 + static_cast<int64_t>(nt));
  RunStats stats;
  stats.run_id = run_id;
  stats.residences = static_cast<int64_t>(residences.size());
  stats.unplaced = static_cast<int64_t>(rep->residences_unplaced);
  stats.types = static_cast<int64_t>(nt);
  stats.coverage_rows = static_cast<int64_t>(coverage.size());
  stats.gaps = static_cast<int64_t>(gaps.size());
  stats.households = households;
  stats.homes = homes;
  st = app_.db().write([&](Session& s) -> Status {
    GJ_TRY(promote_homes(s, network_id, homes));
    GJ_TRY(ar::replace_results(s, run_id, minutes, coverage, gaps));
    GJ_TRY(ar::finish_run(s, run_id, "done", app_.clock().now_ms(), ""));
    store::AuditEntry e;
    e.at = app_.clock().now_ms();
    e.actor_name = "system";
    e.action = "access.run";
    e.target_type = "access_run";
    e.target_id = std::to_string(run_id);
    e.detail = std::string(params) + " homes=" + homes +
               (job_id ? " job=" + std::to_string(job_id) : std::string());
    return store::audit::append(s, e);
  });
  if (!st.ok()) return fail(st.error());
  report("done", total);
  stats.seconds = since(t0);
  return stats;
}

// ---------------------------------------------------------------- jobs

namespace {
// Progress rows at most every 200 ms (and at every stage change): a run of a second writes a
// handful of rows, not one per type.
class JobReporter {
 public:
  JobReporter(App& app, int64_t job_id, RunProgress also)
      : app_(app), id_(job_id), also_(std::move(also)) {}
  void operator()(const std::string& stage, int64_t done, int64_t total) {
    if (also_) also_(stage, done, total);
    const auto now = SteadyClock::now();
    if (stage == stage_ && now - last_ < std::chrono::milliseconds(200)) return;
    stage_ = stage;
    last_ = now;
    (void)app_.db().write([&](Session& s) {
      return ar::job_progress(s, id_, stage, done, total, app_.clock().now_ms());
    });
  }

 private:
  App& app_;
  int64_t id_;
  RunProgress also_;
  std::string stage_;
  SteadyClock::time_point last_{};
};

// Inserts a queued job, or kConflict naming the job already queued or running for the area.
// The partial unique index decides under a race; a PostgreSQL transaction cannot query after
// the violation, so the running job is looked up first.
Result<int64_t> insert_job_once(Session& s, const std::string& division,
                                const std::string& created_by, int64_t at) {
  auto conflict = [](const std::string& which) {
    return make_error(ErrorCode::kConflict, "a run of this area is already in progress" + which,
                      "job");
  };
  auto j = ar::latest_job(s, division);
  if (j.ok() && (j->status == "queued" || j->status == "running"))
    return conflict(" (job " + std::to_string(j->id) + ")");
  auto id = ar::insert_job(s, "run", division, created_by, at);
  if (!id.ok() && id.error().code == ErrorCode::kAlreadyExists) return conflict("");
  return id;
}

std::string error_text(const Error& e) {
  std::string m = e.message(Lang::kZh);
  if (!e.detail.empty()) m += ": " + e.detail;
  return m;
}
}  // namespace

Result<RunStats> AccessService::run_as_job(const RunOptions& options, const std::string& created_by,
                                           const RunProgress& progress) {
  auto job_id = app_.db().write_value<int64_t>([&](Session& s) -> Result<int64_t> {
    auto net = ar::current_network(s);
    if (!net.ok())
      return make_error(ErrorCode::kNotFound, "no walking network: run `gongjian import osm`");
    return insert_job_once(s, net->division_code, created_by, app_.clock().now_ms());
  });
  if (!job_id.ok()) return job_id.error();
  JobReporter reporter(app_, *job_id, progress);
  auto stats = run_job_body(*job_id, options, std::ref(reporter));
  (void)app_.db().write([&](Session& s) {
    return stats.ok() ? ar::finish_job(s, *job_id, "done", "", stats->run_id, app_.clock().now_ms())
                      : ar::finish_job(s, *job_id, "failed", error_text(stats.error()),
                                       std::nullopt, app_.clock().now_ms());
  });
  return stats;
}

Result<ar::JobRow> AccessService::start_run_job(const auth::Principal& p,
                                                const RunOptions& options) {
  if (p.role != auth::Role::kAdmin && p.role != auth::Role::kCommand)
    return make_error(ErrorCode::kForbidden);
  if (!(options.cutoff_min > 0 && options.cutoff_min <= 120) || !(options.speed_kmh > 0))
    return make_error(ErrorCode::kInvalidInput, "cutoff must be 1–120 minutes", "cutoff_min");
  auto job = app_.db().write_value<ar::JobRow>([&](Session& s) -> Result<ar::JobRow> {
    ar::NetworkRow net;
    GJ_TRY(require_read(s, p, &net));
    auto id = insert_job_once(s, net.division_code, p.username, app_.clock().now_ms());
    if (!id.ok()) return id.error();
    store::AuditEntry e;
    e.at = app_.clock().now_ms();
    e.actor_id = p.user_id;
    e.actor_name = p.username;
    e.action = "access.job.start";
    e.target_type = "access_job";
    e.target_id = std::to_string(*id);
    e.detail = "run of " + net.division_code;
    e.ip = p.ip;
    e.request_id = p.request_id;
    GJ_TRY(store::audit::append(s, e));
    return ar::get_job(s, *id);
  });
  if (!job.ok()) return job.error();
  std::lock_guard lock(workers_mu_);
  for (auto it = workers_.begin(); it != workers_.end();) {  // reap finished workers
    if (it->finished->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  auto finished = std::make_shared<std::atomic<bool>>(false);
  const int64_t id = job->id;
  RunOptions o = options;
  // One search thread: the server's requests keep the other core.
  if (o.threads == 0) o.threads = 1;
  workers_.push_back({std::thread([this, id, o, finished] {
                        JobReporter reporter(app_, id, {});
                        auto stats = run_job_body(id, o, std::ref(reporter));
                        (void)app_.db().write([&](Session& s) {
                          return stats.ok()
                                     ? ar::finish_job(s, id, "done", "", stats->run_id,
                                                      app_.clock().now_ms())
                                     : ar::finish_job(s, id, "failed", error_text(stats.error()),
                                                      std::nullopt, app_.clock().now_ms());
                        });
                        finished->store(true);
                      }),
                      finished});
  return job;
}

Result<ar::JobRow> AccessService::job(const auth::Principal& p, int64_t id) {
  if (!auth::has_permission(p.role, auth::Permission::kBrowseOrg))
    return make_error(ErrorCode::kForbidden);
  return app_.db().read_value<ar::JobRow>([&](Session& s) -> Result<ar::JobRow> {
    auto j = ar::get_job(s, id);
    if (!j.ok() || !overlaps(j->division_code, scope_of(s, p)))
      return make_error(ErrorCode::kNotFound, "no such job");
    return j;
  });
}

Result<ar::JobRow> AccessService::latest_job(const auth::Principal& p) {
  return app_.db().read_value<ar::JobRow>([&](Session& s) -> Result<ar::JobRow> {
    ar::NetworkRow net;
    GJ_TRY(require_read(s, p, &net));
    auto j = ar::latest_job(s, net.division_code);
    if (!j.ok()) return make_error(ErrorCode::kNotFound, "no job yet");
    return j;
  });
}

Status AccessService::fail_interrupted_jobs() {
  return app_.db().write([&](Session& s) {
    return ar::fail_unfinished_jobs(s, "interrupted: the server stopped during the run",
                                    app_.clock().now_ms());
  });
}

void AccessService::wait_for_jobs() {
  std::list<Worker> all;
  {
    std::lock_guard lock(workers_mu_);
    all.swap(workers_);
  }
  for (auto& w : all) w.thread.join();
}

AccessService::~AccessService() {
  wait_for_jobs();
}

// ---------------------------------------------------------------- households

Result<HouseholdImportStats> AccessService::import_households(const std::string& scope,
                                                              const std::string& text, bool replace,
                                                              const std::string& actor) {
  std::istringstream in(text);
  GJ_ASSIGN_OR_RETURN(auto table, csv::read_stream(in));
  const int cg = table.column("grid_code"), ca = table.column("address"), cla = table.column("lat"),
            clo = table.column("lon"), cm = table.column("members");
  if (cg < 0 || ca < 0 || cla < 0 || clo < 0 || cm < 0)
    return make_error(ErrorCode::kInvalidInput,
                      "CSV needs columns grid_code,address,lat,lon,members");
  if (table.rows.empty() || table.rows.size() > 1'000'000)
    return make_error(ErrorCode::kInvalidInput, "CSV needs 1–1000000 rows");
  return app_.db().write_value<HouseholdImportStats>(
      [&](Session& s) -> Result<HouseholdImportStats> {
        GJ_ASSIGN_OR_RETURN(auto grids, ar::grid_codes(s, scope));
        std::sort(grids.begin(), grids.end());
        std::vector<ar::HouseholdRow> rows;
        rows.reserve(table.rows.size());
        const int64_t now = app_.clock().now_ms();
        for (size_t i = 0; i < table.rows.size(); ++i) {
          const auto& r = table.rows[i];
          auto cell = [&](int c) { return c < int(r.size()) ? trim(r[c]) : std::string(); };
          const std::string where = "row " + std::to_string(i + 2) + ": ";
          ar::HouseholdRow h;
          h.grid_code = cell(cg);
          if (!std::binary_search(grids.begin(), grids.end(), h.grid_code))
            return make_error(ErrorCode::kInvalidInput,
                              where + "grid '" + h.grid_code + "' is not a registered grid in use" +
                                  (scope.empty() ? std::string() : std::string(" in your scope")),
                              "grid_code");
          h.address = cell(ca);
          if (!is_valid_utf8(h.address) || h.address.empty() || utf8_length(h.address) > 200)
            return make_error(ErrorCode::kInvalidInput, where + "address: 1–200 characters",
                              "address");
          std::string la = cell(cla), lo = cell(clo), mb = cell(cm);
          char* end = nullptr;
          h.lat = std::strtod(la.c_str(), &end);
          bool ok = !la.empty() && *end == 0 && h.lat >= -90 && h.lat <= 90;
          h.lon = std::strtod(lo.c_str(), &end);
          ok = ok && !lo.empty() && *end == 0 && h.lon >= -180 && h.lon <= 180;
          if (!ok)
            return make_error(ErrorCode::kInvalidInput, where + "lat/lon: decimal degrees", "lat");
          long long m = std::strtoll(mb.c_str(), &end, 10);
          if (mb.empty() || *end != 0 || m < 1 || m > 99)
            return make_error(ErrorCode::kInvalidInput, where + "members: a whole number 1–99",
                              "members");
          h.members = m;
          h.updated_at = now;
          rows.push_back(std::move(h));
        }
        HouseholdImportStats stats;
        if (replace) {
          GJ_ASSIGN_OR_RETURN(stats.replaced, ar::count_households(s, scope));
          GJ_TRY(ar::delete_households(s, scope));
        }
        GJ_TRY(ar::insert_households(s, rows));
        stats.inserted = static_cast<int64_t>(rows.size());
        store::AuditEntry e;
        e.at = now;
        e.actor_name = actor;
        e.action = "access.household.import_csv";
        e.target_type = "household";
        e.detail = std::to_string(rows.size()) + " rows" +
                   (replace ? ", replaced " + std::to_string(stats.replaced) : std::string());
        GJ_TRY(store::audit::append(s, e));
        return stats;
      });
}

Result<HouseholdImportStats> AccessService::import_households_csv(const auth::Principal& p,
                                                                  const std::string& text,
                                                                  bool replace) {
  GJ_TRY(require_write(p));
  std::string scope;
  Status st = app_.db().read([&](Session& s) -> Status {
    scope = scope_of(s, p);
    return {};
  });
  if (!st.ok()) return st.error();
  if (scope.empty()) return make_error(ErrorCode::kForbidden);
  return import_households(scope, text, replace, p.username);
}

Result<AccessService::Households> AccessService::households(const auth::Principal& p, int limit,
                                                            int64_t offset,
                                                            const std::string& division) {
  GJ_TRY(require_write(p));  // addresses: only for those who keep the registry
  return app_.db().read_value<Households>([&](Session& s) -> Result<Households> {
    std::string scope = scope_of(s, p);
    if (scope.empty()) return make_error(ErrorCode::kForbidden);
    if (!division.empty()) {
      if (!org::in_scope(division, scope))
        return make_error(ErrorCode::kNotFound, "division outside your scope", "division");
      scope = division;
    }
    Households out;
    GJ_ASSIGN_OR_RETURN(out.total, ar::count_households(s, scope));
    GJ_ASSIGN_OR_RETURN(out.items,
                        ar::list_households(s, scope, limit, std::max<int64_t>(0, offset)));
    return out;
  });
}

// ---------------------------------------------------------------- facility types

Result<ar::FacilityTypeRow> AccessService::facility_type(const auth::Principal& p,
                                                         const std::string& code) {
  if (!auth::has_permission(p.role, auth::Permission::kBrowseOrg))
    return make_error(ErrorCode::kForbidden);
  return app_.db().read_value<ar::FacilityTypeRow>([&](Session& s) -> Result<ar::FacilityTypeRow> {
    auto t = ar::get_type(s, code);
    if (!t.ok() && t.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kNotFound, "unknown facility type '" + code + "'");
    return t;
  });
}

Result<ar::FacilityTypeRow> AccessService::update_facility_type(const auth::Principal& p,
                                                                const std::string& code,
                                                                const TypeInput& in) {
  // Minutes change every area's coverage: the roles that may start runs, not township.
  if (p.role != auth::Role::kAdmin && p.role != auth::Role::kCommand)
    return make_error(ErrorCode::kForbidden);
  auto name_ok = [](const std::optional<std::string>& v) {
    return !v || (is_valid_utf8(*v) && !trim(*v).empty() && utf8_length(*v) <= 50);
  };
  if (!name_ok(in.name_zh))
    return make_error(ErrorCode::kInvalidInput, "name_zh: 1–50 characters", "name_zh");
  if (!name_ok(in.name_en))
    return make_error(ErrorCode::kInvalidInput, "name_en: 1–50 characters", "name_en");
  if (in.minutes && !(*in.minutes >= 1 && *in.minutes <= 60))
    return make_error(ErrorCode::kInvalidInput, "minutes: 1–60", "minutes");
  return app_.db().write_value<ar::FacilityTypeRow>([&](Session& s) -> Result<ar::FacilityTypeRow> {
    auto old = ar::get_type(s, code);
    if (!old.ok() && old.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kNotFound, "unknown facility type '" + code + "'");
    if (!old.ok()) return old.error();
    ar::FacilityTypeRow t = *old;
    if (in.name_zh) t.name_zh = trim(*in.name_zh);
    if (in.name_en) t.name_en = trim(*in.name_en);
    if (in.minutes) t.minutes = *in.minutes;
    GJ_TRY(ar::update_type(s, t));
    auto num = [](double v) {
      std::ostringstream o;
      o << v;
      return o.str();
    };
    store::AuditEntry e;
    e.at = app_.clock().now_ms();
    e.actor_id = p.user_id;
    e.actor_name = p.username;
    e.action = "access.type.update";
    e.target_type = "facility_type";
    e.target_id = code;
    e.detail = "minutes " + num(old->minutes) + "→" + num(t.minutes) + "; " + t.name_zh + " / " +
               t.name_en;
    e.ip = p.ip;
    e.request_id = p.request_id;
    GJ_TRY(store::audit::append(s, e));
    return t;
  });
}
Result<RunStats> AccessService::create_demo_area(const std::string& osm_path,
                                                 const StageProgress& progress) {
  // Real codes and names (国家统计局): the extract lies in central Chengdu, so its area hangs
  // under 成都市, never under a Shaanxi division.
  Status st = app_.db().write([&](Session& s) -> Status {
    org::Division sc{"510000000000", "", "四川省", org::Level::kProvince, org::Kind::kOther, false};
    org::Division cd{"510100000000",    "510000000000",    "成都市",
                     org::Level::kCity, org::Kind::kOther, false};
    for (const auto& d : {sc, cd})
      if (auto r = store::divisions::upsert(s, d); !r.ok()) return r.error();
    return {};
  });
  if (!st.ok()) return st.error();
  OsmImportOptions o;
  o.name = "成都市中心城区（OSM 演示路网）";
  o.division_code = "510100000000";
  GJ_ASSIGN_OR_RETURN(auto imp, import_osm(osm_path, o, progress));
  (void)imp;
  const DemoLogin& login = osm_demo_login();
  NewUser u;
  u.username = login.username;
  u.display_name = "成都 OSM 演示路网 指挥中心";
  u.password = login.password;
  u.role = login.role;
  u.scope_code = login.scope_code;
  auto added = app_.cli_add_user(u);
  if (!added.ok() && added.error().code != ErrorCode::kAlreadyExists) return added.error();
  return run(RunOptions{}, [&](const std::string& stage, int64_t done, int64_t total) {
    if (progress) progress(stage, total > 0 ? static_cast<double>(done) / total : 0);
  });
}

// ---------------------------------------------------------------- principals

Status AccessService::require_read(Session& s, const auth::Principal& p, ar::NetworkRow* out) {
  if (!auth::has_permission(p.role, auth::Permission::kBrowseOrg))
    return make_error(ErrorCode::kForbidden);
  auto net = ar::current_network(s);
  if (!net.ok()) return make_error(ErrorCode::kNotFound, "no walking network imported");
  if (!overlaps(net->division_code, scope_of(s, p)))
    return make_error(ErrorCode::kNotFound, "the network area is outside your scope");
  if (out) *out = std::move(*net);
  return {};
}

Status AccessService::require_write(const auth::Principal& p) {
  if (!can_write(p.role)) return make_error(ErrorCode::kForbidden);
  return {};
}

Result<AccessOverview> AccessService::overview(const auth::Principal& p) {
  if (!auth::has_permission(p.role, auth::Permission::kBrowseOrg))
    return make_error(ErrorCode::kForbidden);
  return app_.db().read_value<AccessOverview>([&](Session& s) -> Result<AccessOverview> {
    AccessOverview o;
    GJ_ASSIGN_OR_RETURN(o.types, ar::list_types(s));
    ar::NetworkRow net;
    if (require_read(s, p, &net).ok()) {
      o.network = net;
      auto run = ar::latest_done_run(s);
      if (run.ok() && run->network_id == net.id) o.run = *run;
    }
    return o;
  });
}

Result<std::vector<ar::FacilityRow>> AccessService::facilities(const auth::Principal& p,
                                                               const ar::BBox& box,
                                                               const std::string& type, int limit,
                                                               const std::string& division) {
  if (!auth::has_permission(p.role, auth::Permission::kBrowseOrg))
    return make_error(ErrorCode::kForbidden);
  return app_.db().read_value<std::vector<ar::FacilityRow>>(
      [&](Session& s) -> Result<std::vector<ar::FacilityRow>> {
        std::string scope = scope_of(s, p);
        // A caller inside the area (a district of 成都市) sees the area's facilities too.
        auto net = ar::current_network(s);
        if (net.ok() && org::in_scope(scope, net->division_code) && scope != net->division_code)
          scope = net->division_code;
        if (!division.empty()) {
          if (!org::in_scope(division, scope))
            return make_error(ErrorCode::kNotFound, "division outside your scope", "division");
          scope = division;
        }
        return ar::list_facilities(s, scope, box, type, limit);
      });
}

Result<ar::FacilityRow> AccessService::validated(Session& s, const auth::Principal& p,
                                                 const FacilityInput& in,
                                                 const std::string& source) {
  GJ_ASSIGN_OR_RETURN(auto types, ar::list_types(s));
  if (!std::any_of(types.begin(), types.end(), [&](const auto& t) { return t.code == in.type; }))
    return make_error(ErrorCode::kInvalidInput, "unknown facility type '" + in.type + "'", "type");
  if (!is_valid_utf8(in.name) || trim(in.name).empty())
    return make_error(ErrorCode::kMissingField, "", "name");
  if (utf8_length(in.name) > 100) return make_error(ErrorCode::kTooLong, "", "name");
  if (!is_valid_utf8(in.opening_hours) || utf8_length(in.opening_hours) > 100)
    return make_error(ErrorCode::kTooLong, "", "opening_hours");
  if (!(in.lat >= -90 && in.lat <= 90)) return make_error(ErrorCode::kInvalidInput, "", "lat");
  if (!(in.lon >= -180 && in.lon <= 180)) return make_error(ErrorCode::kInvalidInput, "", "lon");
  const std::string scope = scope_of(s, p);
  std::string division = in.division_code;
  if (division.empty()) {
    // Default: the network area when the caller's scope covers it, else the caller's scope.
    auto net = ar::current_network(s);
    division = net.ok() && org::in_scope(net->division_code, scope) ? net->division_code : scope;
  }
  if (!org::in_scope(division, scope) || !store::divisions::get(s, division).ok())
    return make_error(ErrorCode::kNotFound, "division outside your scope", "division_code");
  ar::FacilityRow f;
  f.division_code = division;
  f.source = source;
  f.type = in.type;
  f.name = trim(in.name);
  f.lat = in.lat;
  f.lon = in.lon;
  f.opening_hours = trim(in.opening_hours);
  f.updated_at = app_.clock().now_ms();
  return f;
}

Result<ar::FacilityRow> AccessService::create_facility(const auth::Principal& p,
                                                       const FacilityInput& in) {
  GJ_TRY(require_write(p));
  return app_.db().write_value<ar::FacilityRow>([&](Session& s) -> Result<ar::FacilityRow> {
    GJ_ASSIGN_OR_RETURN(auto f, validated(s, p, in, "manual"));
    GJ_ASSIGN_OR_RETURN(f.id, ar::insert_facility(s, f));
    store::AuditEntry e;
    e.at = f.updated_at;
    e.actor_id = p.user_id;
    e.actor_name = p.username;
    e.action = "access.facility.create";
    e.target_type = "facility";
    e.target_id = std::to_string(f.id);
    e.detail = f.type + " " + f.name;
    e.ip = p.ip;
    e.request_id = p.request_id;
    GJ_TRY(store::audit::append(s, e));
    return f;
  });
}

Result<ar::FacilityRow> AccessService::update_facility(const auth::Principal& p, int64_t id,
                                                       const FacilityInput& in) {
  GJ_TRY(require_write(p));
  return app_.db().write_value<ar::FacilityRow>([&](Session& s) -> Result<ar::FacilityRow> {
    GJ_ASSIGN_OR_RETURN(auto old, ar::get_facility(s, id));
    if (!org::in_scope(old.division_code, scope_of(s, p)))
      return make_error(ErrorCode::kNotFound, "outside scope");
    FacilityInput keep = in;
    keep.division_code = old.division_code;
    GJ_ASSIGN_OR_RETURN(auto f, validated(s, p, keep, old.source));
    f.id = id;
    f.source_ref = old.source_ref;
    GJ_TRY(ar::update_facility(s, f));
    store::AuditEntry e;
    e.at = f.updated_at;
    e.actor_id = p.user_id;
    e.actor_name = p.username;
    e.action = "access.facility.update";
    e.target_type = "facility";
    e.target_id = std::to_string(id);
    e.detail = f.type + " " + f.name;
    e.ip = p.ip;
    e.request_id = p.request_id;
    GJ_TRY(store::audit::append(s, e));
    return f;
  });
}

Status AccessService::delete_facility(const auth::Principal& p, int64_t id) {
  GJ_TRY(require_write(p));
  return app_.db().write([&](Session& s) -> Status {
    GJ_ASSIGN_OR_RETURN(auto old, ar::get_facility(s, id));
    if (!org::in_scope(old.division_code, scope_of(s, p)))
      return make_error(ErrorCode::kNotFound, "outside scope");
    GJ_TRY(ar::delete_facility(s, id));
    store::AuditEntry e;
    e.at = app_.clock().now_ms();
    e.actor_id = p.user_id;
    e.actor_name = p.username;
    e.action = "access.facility.delete";
    e.target_type = "facility";
    e.target_id = std::to_string(id);
    e.detail = old.type + " " + old.name;
    e.ip = p.ip;
    e.request_id = p.request_id;
    return store::audit::append(s, e);
  });
}

Result<CsvImportStats> AccessService::import_facilities_csv(const auth::Principal& p,
                                                            const std::string& text) {
  GJ_TRY(require_write(p));
  std::istringstream in(text);
  GJ_ASSIGN_OR_RETURN(auto table, csv::read_stream(in));
  const int cn = table.column("name"), ct = table.column("type"), cla = table.column("lat"),
            clo = table.column("lon"), ch = table.column("opening_hours");
  if (cn < 0 || ct < 0 || cla < 0 || clo < 0)
    return make_error(ErrorCode::kInvalidInput, "CSV needs columns name,type,lat,lon");
  if (table.rows.empty() || table.rows.size() > 10000)
    return make_error(ErrorCode::kInvalidInput, "CSV needs 1–10000 rows");
  return app_.db().write_value<CsvImportStats>([&](Session& s) -> Result<CsvImportStats> {
    std::vector<ar::FacilityRow> rows;
    for (size_t i = 0; i < table.rows.size(); ++i) {
      const auto& r = table.rows[i];
      auto cell = [&](int c) { return c >= 0 && c < int(r.size()) ? r[c] : std::string(); };
      FacilityInput fi;
      fi.name = cell(cn);
      fi.type = trim(cell(ct));
      fi.opening_hours = cell(ch);
      char* end = nullptr;
      std::string la = trim(cell(cla)), lo = trim(cell(clo));
      fi.lat = std::strtod(la.c_str(), &end);
      bool ok = !la.empty() && end && *end == 0;
      fi.lon = std::strtod(lo.c_str(), &end);
      ok = ok && !lo.empty() && end && *end == 0;
      const std::string where = "row " + std::to_string(i + 2);
      if (!ok) return make_error(ErrorCode::kInvalidInput, where + ": lat/lon", "lat");
      auto f = validated(s, p, fi, "csv");
      if (!f.ok()) {
        Error e = f.error();
        e.detail = where + (e.detail.empty() ? "" : ": " + e.detail);
        return e;
      }
      rows.push_back(std::move(*f));
    }
    GJ_TRY(ar::insert_facilities(s, rows));
    store::AuditEntry e;
    e.at = app_.clock().now_ms();
    e.actor_id = p.user_id;
    e.actor_name = p.username;
    e.action = "access.facility.import_csv";
    e.target_type = "facility";
    e.detail = std::to_string(rows.size()) + " rows";
    e.ip = p.ip;
    e.request_id = p.request_id;
    GJ_TRY(store::audit::append(s, e));
    return CsvImportStats{static_cast<int64_t>(rows.size())};
  });
}

Result<std::vector<ar::CoverageRow>> AccessService::coverage(const auth::Principal& p) {
  return app_.db().read_value<std::vector<ar::CoverageRow>>(
      [&](Session& s) -> Result<std::vector<ar::CoverageRow>> {
        ar::NetworkRow net;
        GJ_TRY(require_read(s, p, &net));
        auto run = ar::latest_done_run(s);
        if (!run.ok() || run->network_id != net.id) return std::vector<ar::CoverageRow>{};
        return ar::list_coverage(s, run->id);
      });
}

Result<std::vector<ar::GapRow>> AccessService::gaps(const auth::Principal& p,
                                                    const std::string& type, int limit) {
  return app_.db().read_value<std::vector<ar::GapRow>>(
      [&](Session& s) -> Result<std::vector<ar::GapRow>> {
        ar::NetworkRow net;
        GJ_TRY(require_read(s, p, &net));
        auto run = ar::latest_done_run(s);
        if (!run.ok() || run->network_id != net.id) return std::vector<ar::GapRow>{};
        return ar::list_gaps(s, run->id, type, limit);
      });
}

Result<AccessService::Points> AccessService::points(const auth::Principal& p) {
  return app_.db().read_value<Points>([&](Session& s) -> Result<Points> {
    ar::NetworkRow net;
    GJ_TRY(require_read(s, p, &net));
    Points out;
    auto run = ar::latest_done_run(s);
    if (!run.ok() || run->network_id != net.id) return out;
    out.types = split(run->types);
    GJ_ASSIGN_OR_RETURN(out.rows, ar::list_points(s, run->id));
    return out;
  });
}

Result<access::SitingResult> AccessService::suggest_sites(const auth::Principal& p,
                                                          const SiteRequest& req) {
  ar::FacilityTypeRow type;
  Status st = app_.db().read([&](Session& s) -> Status {
    GJ_TRY(require_read(s, p, nullptr));
    GJ_ASSIGN_OR_RETURN(auto types, ar::list_types(s));
    for (const auto& t : types)
      if (t.code == req.type) type = t;
    if (type.code.empty())
      return make_error(ErrorCode::kInvalidInput, "unknown facility type", "type");
    return {};
  });
  if (!st.ok()) return st.error();
  if (req.k < 1 || req.k > 50) return make_error(ErrorCode::kInvalidInput, "k: 1–50", "k");
  if (req.candidates.size() > 5000)
    return make_error(ErrorCode::kInvalidInput, "at most 5000 candidates", "candidates");
  GJ_ASSIGN_OR_RETURN(auto L, load());
  const double reach = type.radius_m();
  std::vector<std::string> one{type.code};
  auto seeds = access::place_facilities(L->net->graph, L->facilities, one, 300);
  auto dist = access::nearest_facility_distances(L->net->graph, seeds, reach, 1);
  access::CoverageParams cov;
  cov.walk_speed_kmh = type.speed_kmh;
  cov.minutes = {type.minutes / 3, type.minutes * 2 / 3, type.minutes};
  GJ_ASSIGN_OR_RETURN(auto rep,
                      access::compute_coverage(L->net->graph, L->net->residences, dist, cov));
  access::SitingParams sp;
  sp.type = type.code;
  sp.k = req.k;
  sp.reach_m = reach;
  sp.candidates = req.candidates;
  sp.threads = 1;  // a request must not take every core of the server
  return access::suggest_sites(L->net->graph, L->net->residences, rep, sp);
}

Result<std::string> AccessService::network_geojson(const auth::Principal& p) {
  int64_t net_id = 0;
  Status st = app_.db().read([&](Session& s) -> Status {
    ar::NetworkRow net;
    GJ_TRY(require_read(s, p, &net));
    net_id = net.id;
    return {};
  });
  if (!st.ok()) return st.error();
  {
    std::lock_guard lock(mu_);
    if (geojson_network_ == net_id && !geojson_cache_.empty()) return geojson_cache_;
  }
  GJ_ASSIGN_OR_RETURN(auto L, load());
  const auto& g = L->net->graph;
  const uint32_t n = g.node_count();
  // Lines run between nodes of degree ≠ 2, joining the degree-2 chains between them, so the
  // browser gets few long lines instead of one segment per edge.
  std::vector<std::vector<bool>> done(n);
  for (uint32_t v = 0; v < n; ++v) done[v].assign(g.arcs(v).size(), false);
  auto mark = [&](uint32_t a, uint32_t b) {
    auto arcs = g.arcs(a);
    for (size_t i = 0; i < arcs.size(); ++i)
      if (arcs[i].to == b && !done[a][i]) {
        done[a][i] = true;
        break;
      }
  };
  auto is_done = [&](uint32_t a, size_t i) { return bool(done[a][i]); };
  std::string out = "{\"type\":\"MultiLineString\",\"coordinates\":[";
  bool first_line = true;
  char buf[64];
  auto pt = [&](uint32_t v) {
    std::snprintf(buf, sizeof buf, "[%.5f,%.5f]", g.coord(v).lon, g.coord(v).lat);
    out += buf;
  };
  auto walk = [&](uint32_t start, size_t i) {
    out += first_line ? "[" : ",[";
    first_line = false;
    pt(start);
    uint32_t cur = g.arcs(start)[i].to;
    done[start][i] = true;
    mark(cur, start);
    out += ',';
    pt(cur);
    while (g.arcs(cur).size() == 2 && cur != start) {
      auto arcs = g.arcs(cur);
      const size_t j = !is_done(cur, 0) ? 0 : !is_done(cur, 1) ? 1 : 2;
      if (j == 2) break;
      uint32_t next = arcs[j].to;
      done[cur][j] = true;
      mark(next, cur);
      cur = next;
      out += ',';
      pt(cur);
    }
    out += ']';
  };
  for (uint32_t v = 0; v < n; ++v)
    if (g.arcs(v).size() != 2)
      for (size_t i = 0; i < g.arcs(v).size(); ++i)
        if (!is_done(v, i)) walk(v, i);
  for (uint32_t v = 0; v < n; ++v)  // rings of degree-2 nodes only
    for (size_t i = 0; i < g.arcs(v).size(); ++i)
      if (!is_done(v, i)) walk(v, i);
  out += "]}";
  std::lock_guard lock(mu_);
  geojson_network_ = net_id;
  geojson_cache_ = out;
  return out;
}

}  // namespace gj::app
