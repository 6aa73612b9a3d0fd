// `gongjian access …`: the 15-minute service circle 15分钟服务圈 from an OSM file.
//   access nodes     distance from every network node to the nearest facility of each type
//   access coverage  coverage per unit and type, gap cells, per-home distances
//   access sites     greedy site suggestion for one type
//   access run       the same over the stored network, facilities and homes; results stored
#include <malloc.h>
#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/access_service.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"
#include "common/csv.hpp"
#include "domain/access/access.hpp"
#include "import/osm/osm_reader.hpp"

namespace gj::cli {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Peak resident memory so far (VmHWM), in MB; -1 where /proc is not there.
double peak_mb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  double kb = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %lf kB", &kb) == 1) break;
  std::fclose(f);
  return kb / 1024;
}

const char* kUsage =
    "usage: gongjian access nodes --osm FILE --cutoff-m M --out FILE.csv [options]\n"
    "       gongjian access coverage --osm FILE --out-dir DIR [options]\n"
    "       gongjian access sites --osm FILE --type TYPE [--k 10] --out FILE.csv [options]\n"
    "       gongjian access run [--cutoff-min 15] [--speed-kmh 4.5] [--db PATH | --postgres URL]\n"
    "       gongjian access households import FILE.csv [--replace] [--db PATH | --postgres URL]\n"
    "\n"
    "nodes: writes osm_node_id,facility_type,distance_m for every walking-network node that\n"
    "  reaches a facility of that type within M metres of network distance.\n"
    "coverage: writes coverage.csv (share of homes and households within 5/10/15 minutes per\n"
    "  unit and type), gaps.csv (250 m cells with homes beyond 15 minutes) and residences.csv.\n"
    "sites: suggests K new sites of TYPE, each with the households it newly brings within reach.\n"
    "run: over the network stored by `gongjian import osm` and the facility registry: minutes\n"
    "  from every home to each type, coverage per unit within cutoff/3, 2·cutoff/3 and cutoff\n"
    "  minutes (5/10/15) and within each type's own minutes, and the gap cells; replaces the\n"
    "  previous run's results atomically. Homes are the registered households of the area when\n"
    "  it has any, else the OSM residential buildings. Recorded as a job (one at a time per "
    "area).\n"
    "households import: registered households 登记住户 from CSV with the header\n"
    "  grid_code,address,lat,lon,members (no names or ID numbers); each grid must be registered;\n"
    "  all rows or none. --replace first deletes every registered household.\n"
    "\n"
    "options:\n"
    "  --types FILE        facility type mapping (lines: TYPE key=value|value…); default:\n"
    "                      medical, school, elderly, market, community\n"
    "  --type A,B          only these types; each must have a facility on the network\n"
    "  --max-snap-m M      POIs and homes farther than this from a walkable way are dropped (300)\n"
    "  --threads N         search threads (default: one per core for large graphs, one for\n"
    "                      small ones; see docs/access.md)\n"
    "  --speed-kmh V       walking speed for coverage and sites (4.5)\n"
    "  --minutes A,B,C     coverage thresholds (5,10,15); the last one is the reach\n"
    "  --reach-m M         sites: reach in metres (default speed × last minutes)\n"
    "  --candidates FILE   sites: CSV with lat,lon columns; default every network node\n"
    "  --homes nodes       sites/coverage: every network node is one home (stress test)\n"
    "  --dump-graph DIR    also write nodes.csv, edges.csv, seeds.csv of the searched graph\n"
    "  --timings           print a JSON line of phase timings and peak memory to stderr\n"
    "  --repeat N          nodes: run the search N times, report the median (benchmarks)\n";

// Progress on stderr in 10 % steps, so logs stay short.
struct Progress {
  std::string last_label;
  int last_step = -1;
  void operator()(const std::string& label, double f) {
    int step = static_cast<int>(f * 10);
    if (label == last_label && step == last_step) return;
    last_label = label;
    last_step = step;
    std::fprintf(stderr, "gongjian access: %s %d%%\n", label.c_str(), step * 10);
  }
};

int fail(const std::string& sub, const Error& e) {
  std::cerr << "gongjian access " << sub << ": " << e.detail << "\n";
  return 1;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(',', b);
    if (e == std::string::npos) e = s.size();
    if (e > b) out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end && *end == 0 && std::isfinite(out);
}

// Writes through a temporary file renamed on success: a failed run leaves no half file.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path)
      : path_(std::move(path)), tmp_(path_ + ".tmp-" + std::to_string(::getpid())) {
    f_ = std::fopen(tmp_.c_str(), "w");
    if (f_) std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  }
  ~AtomicFile() {
    if (f_) std::fclose(f_);
    if (!committed_) std::remove(tmp_.c_str());
  }
  std::FILE* get() { return f_; }
  bool ok() const { return f_ != nullptr; }
  Status commit() {
    bool bad = std::ferror(f_) != 0;
    bad |= std::fclose(f_) != 0;
    f_ = nullptr;
    if (bad || std::rename(tmp_.c_str(), path_.c_str()) != 0)
      return make_error(ErrorCode::kIo, "cannot write " + path_);
    committed_ = true;
    return {};
  }

 private:
  std::string path_, tmp_;
  std::FILE* f_ = nullptr;
  bool committed_ = false;
};

struct Loaded {
  osm::OsmExtract extract;
  access::WalkGraph graph;
  std::vector<access::TypeSeeds> seeds;  // types with at least one facility on the network
  double read_s = 0, build_s = 0;
  double peak_read_mb = 0, peak_build_mb = 0;
};

// Reads the OSM file, builds the graph, places facilities. Types explicitly asked for must
// have a facility; default types without one are reported and skipped.
Result<Loaded> load(const Args& args, Progress& progress) {
  const std::string osm_path = flag_value(args, "--osm");
  osm::TypeMapping mapping = osm::TypeMapping::defaults();
  if (std::string tf = flag_value(args, "--types"); !tf.empty()) {
    GJ_ASSIGN_OR_RETURN(mapping, osm::TypeMapping::load(tf));
  }
  std::vector<std::string> types = mapping.types();
  const std::vector<std::string> wanted = split_list(flag_value(args, "--type"));
  for (const auto& w : wanted)
    if (std::find(types.begin(), types.end(), w) == types.end())
      return make_error(ErrorCode::kInvalidInput, "unknown facility type '" + w + "'");
  if (!wanted.empty()) types = wanted;
  double max_snap = 300;
  if (!parse_double(flag_value(args, "--max-snap-m", "300"), max_snap) || max_snap < 0)
    return make_error(ErrorCode::kInvalidInput, "--max-snap-m needs a non-negative number");

  auto t0 = Clock::now();
  const std::string name = std::filesystem::path(osm_path).filename().string();
  auto ex = osm::read_osm(osm_path, mapping, [&](double f) { progress("reading " + name, f); });
  if (!ex) return ex.error();
  Loaded out{std::move(*ex), {}, {}};
  out.read_s = seconds_since(t0);
  out.peak_read_mb = peak_mb();
  t0 = Clock::now();
  auto g = access::WalkGraph::build(std::move(out.extract.network));
  if (!g) return make_error(g.error().code, osm_path + ": " + g.error().detail);
  out.graph = std::move(*g);
  out.extract.network = {};  // the graph holds what is needed; free the rest
  auto seeds = access::place_facilities(out.graph, out.extract.facilities, types, max_snap);
  out.build_s = seconds_since(t0);
  out.peak_build_mb = peak_mb();
  std::fprintf(stderr,
               "gongjian access: %s: %zu nodes and %zu ways read; walking graph %u nodes, %zu "
               "edges\n",
               name.c_str(), out.extract.nodes_read, out.extract.ways_read, out.graph.node_count(),
               out.graph.edge_count());
  for (auto& s : seeds) {
    std::fprintf(stderr, "gongjian access: %s: %zu facilities, %zu on the network\n",
                 s.type.c_str(), s.facilities, s.placed);
    if (s.placed > 0) {
      out.seeds.push_back(std::move(s));
    } else if (!wanted.empty()) {
      return make_error(ErrorCode::kInvalidInput,
                        osm_path + ": no facilities of type '" + s.type + "' within " +
                            flag_value(args, "--max-snap-m", "300") + " m of the walking network");
    } else {
      std::fprintf(stderr, "gongjian access: warning: no '%s' facilities; type skipped\n",
                   s.type.c_str());
    }
  }
  if (out.seeds.empty())
    return make_error(ErrorCode::kInvalidInput,
                      osm_path + ": no facilities of any type on the walking network");
  return out;
}

unsigned thread_flag(const Args& args) {
  double t = 0;
  if (parse_double(flag_value(args, "--threads", "0"), t) && t >= 0 && t < 1024)
    return static_cast<unsigned>(t);
  return 0;
}

int run_nodes(const Args& args) {
  const std::string osm_path = flag_value(args, "--osm"), out_path = flag_value(args, "--out");
  double cutoff = 0;
  if (osm_path.empty() || out_path.empty() || flag_value(args, "--cutoff-m").empty())
    return usage_error("access nodes needs --osm, --cutoff-m and --out", kUsage);
  if (!parse_double(flag_value(args, "--cutoff-m"), cutoff) || cutoff < 0)
    return usage_error("--cutoff-m needs a non-negative number of metres", kUsage);
  Progress progress;
  auto loaded = load(args, progress);
  if (!loaded) return fail("nodes", loaded.error());
  auto& L = *loaded;
  // --repeat N: search N times and report the median (benchmarks; the result is the same).
  double repeat = 1;
  if (!parse_double(flag_value(args, "--repeat", "1"), repeat) || repeat < 1 || repeat > 1000)
    return usage_error("--repeat needs a number from 1 to 1000", kUsage);
  std::vector<double> times;
  access::NodeDistances dist;
  for (int i = 0; i < static_cast<int>(repeat); ++i) {
    auto t0 = Clock::now();
    dist = access::nearest_facility_distances(L.graph, L.seeds, cutoff, thread_flag(args),
                                              std::ref(progress));
    times.push_back(seconds_since(t0));
  }
  std::sort(times.begin(), times.end());
  const double search_s = times[times.size() / 2];
  auto t0 = Clock::now();
  if (std::string dir = flag_value(args, "--dump-graph"); !dir.empty()) {
    if (auto s = access::dump_graph(L.graph, L.seeds, dir); !s) return fail("nodes", s.error());
  }
  t0 = Clock::now();
  AtomicFile out(out_path);
  if (!out.ok()) return fail("nodes", make_error(ErrorCode::kIo, "cannot write " + out_path));
  std::fputs("osm_node_id,facility_type,distance_m\n", out.get());
  size_t rows = 0;
  char buf[96];
  for (uint32_t i = 0; i < L.graph.node_count(); ++i) {
    const uint32_t v = L.graph.node_in_id_order(i);
    for (size_t t = 0; t < dist.types.size(); ++t) {
      const float d = dist.dist_m[t][v];
      if (d == access::kUnreached) continue;
      char* p = std::to_chars(buf, buf + 24, L.graph.osm_id(v)).ptr;
      *p++ = ',';
      std::fwrite(buf, 1, p - buf, out.get());
      std::fputs(dist.types[t].c_str(), out.get());
      p = buf;
      *p++ = ',';
      p = std::to_chars(p, buf + sizeof buf, static_cast<double>(d), std::chars_format::fixed, 3)
              .ptr;
      *p++ = '\n';
      std::fwrite(buf, 1, p - buf, out.get());
      ++rows;
    }
  }
  if (auto s = out.commit(); !s) return fail("nodes", s.error());
  const double write_s = seconds_since(t0);
  std::fprintf(stderr, "gongjian access: wrote %zu rows to %s\n", rows, out_path.c_str());
  if (has_flag(args, "--timings"))
    std::fprintf(stderr,
                 "{\"timings\":{\"read_s\":%.4f,\"build_s\":%.4f,\"search_s\":%.4f,"
                 "\"write_s\":%.4f,\"nodes\":%u,\"edges\":%zu,\"types\":%zu,\"rows\":%zu,"
                 "\"peak_read_mb\":%.1f,\"peak_build_mb\":%.1f,\"peak_mb\":%.1f,"
                 "\"graph_mb\":%.1f}}\n",
                 L.read_s, L.build_s, search_s, write_s, L.graph.node_count(), L.graph.edge_count(),
                 dist.types.size(), rows, L.peak_read_mb, L.peak_build_mb, peak_mb(),
                 L.graph.memory_bytes() / 1048576.0);
  return 0;
}

struct Reach {
  double speed_kmh = 4.5;
  access::CoverageParams cov;
};

Result<Reach> reach_flags(const Args& args) {
  Reach r;
  if (!parse_double(flag_value(args, "--speed-kmh", "4.5"), r.speed_kmh) || r.speed_kmh <= 0)
    return make_error(ErrorCode::kInvalidInput, "--speed-kmh needs a positive number");
  r.cov.walk_speed_kmh = r.speed_kmh;
  auto mins = split_list(flag_value(args, "--minutes", "5,10,15"));
  if (mins.size() != 3)
    return make_error(ErrorCode::kInvalidInput, "--minutes needs three numbers, e.g. 5,10,15");
  for (int i = 0; i < 3; ++i)
    if (!parse_double(mins[i], r.cov.minutes[i]) || r.cov.minutes[i] <= 0)
      return make_error(ErrorCode::kInvalidInput, "--minutes needs positive numbers");
  parse_double(flag_value(args, "--max-snap-m", "300"), r.cov.max_snap_m);
  return r;
}

// Homes: residential buildings from the file, or (stress test) every network node.
std::vector<access::Residence> homes(const Args& args, const Loaded& L) {
  if (flag_value(args, "--homes") == "nodes") {
    std::vector<access::Residence> out(L.graph.node_count());
    for (uint32_t v = 0; v < L.graph.node_count(); ++v) {
      out[v].id = L.graph.osm_id(v);
      out[v].point = L.graph.coord(v);
    }
    return out;
  }
  return L.extract.residences;
}

int run_coverage(const Args& args) {
  const std::string out_dir = flag_value(args, "--out-dir");
  if (flag_value(args, "--osm").empty() || out_dir.empty())
    return usage_error("access coverage needs --osm and --out-dir", kUsage);
  auto reach = reach_flags(args);
  if (!reach) return usage_error(reach.error().detail, kUsage);
  Progress progress;
  auto loaded = load(args, progress);
  if (!loaded) return fail("coverage", loaded.error());
  auto& L = *loaded;
  const double cutoff = reach->speed_kmh * 1000 / 60 * reach->cov.minutes[2];
  auto dist = access::nearest_facility_distances(L.graph, L.seeds, cutoff, thread_flag(args),
                                                 std::ref(progress));
  auto res = homes(args, L);
  auto rep = access::compute_coverage(L.graph, res, dist, reach->cov);
  if (!rep) return fail("coverage", rep.error());
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  AtomicFile cov(out_dir + "/coverage.csv"), gaps(out_dir + "/gaps.csv"),
      homes_f(out_dir + "/residences.csv");
  if (!cov.ok() || !gaps.ok() || !homes_f.ok())
    return fail("coverage", make_error(ErrorCode::kIo, "cannot write into " + out_dir));
  std::fprintf(cov.get(),
               "level,unit,facility_type,residences,households,residences_5,residences_10,"
               "residences_15,households_5,households_10,households_15,share_households_5,"
               "share_households_10,share_households_15,median_distance_m\n");
  for (const auto& r : rep->coverage) {
    std::fprintf(
        cov.get(), "%s,%s,%s,%zu,%g,%zu,%zu,%zu,%g,%g,%g,%.4f,%.4f,%.4f,%.1f\n", r.level.c_str(),
        csv::escape(r.unit).c_str(), r.type.c_str(), r.residences, r.households,
        r.residences_within[0], r.residences_within[1], r.residences_within[2],
        r.households_within[0], r.households_within[1], r.households_within[2],
        r.households > 0 ? r.households_within[0] / r.households : 0.0,
        r.households > 0 ? r.households_within[1] / r.households : 0.0,
        r.households > 0 ? r.households_within[2] / r.households : 0.0, r.median_distance_m);
  }
  std::fprintf(gaps.get(), "facility_type,cell_x,cell_y,lat,lon,residences,households\n");
  for (const auto& g : rep->gaps)
    std::fprintf(gaps.get(), "%s,%lld,%lld,%.6f,%.6f,%zu,%g\n", g.type.c_str(),
                 static_cast<long long>(g.cell_x), static_cast<long long>(g.cell_y), g.centre.lat,
                 g.centre.lon, g.residences, g.households);
  std::fprintf(homes_f.get(), "residence_id,lat,lon,households,on_network");
  for (const auto& t : rep->types) std::fprintf(homes_f.get(), ",%s_m", t.c_str());
  std::fputc('\n', homes_f.get());
  for (size_t r = 0; r < res.size(); ++r) {
    std::fprintf(homes_f.get(), "%lld,%.7f,%.7f,%g,%d", static_cast<long long>(res[r].id),
                 res[r].point.lat, res[r].point.lon, res[r].households,
                 rep->anchors[r].placed() ? 1 : 0);
    for (size_t t = 0; t < rep->types.size(); ++t) {
      float d = rep->residence_dist_m[r * rep->types.size() + t];
      if (d == access::kUnreached)
        std::fputs(",", homes_f.get());
      else
        std::fprintf(homes_f.get(), ",%.1f", d);
    }
    std::fputc('\n', homes_f.get());
  }
  for (auto* f : {&cov, &gaps, &homes_f})
    if (auto s = f->commit(); !s) return fail("coverage", s.error());
  std::fprintf(stderr, "gongjian access: %zu homes (%zu off the network), %zu gap cells -> %s\n",
               res.size(), rep->residences_unplaced, rep->gaps.size(), out_dir.c_str());
  return 0;
}

Result<std::vector<access::GeoPoint>> read_candidates(const std::string& path) {
  std::vector<access::GeoPoint> out;
  if (path.empty()) return out;
  GJ_ASSIGN_OR_RETURN(auto table, csv::read_file(path));
  int la = table.column("lat"), lo = table.column("lon");
  if (la < 0 || lo < 0)
    return make_error(ErrorCode::kInvalidInput, path + ": needs lat and lon columns");
  for (const auto& row : table.rows) {
    access::GeoPoint p;
    if (static_cast<int>(row.size()) <= std::max(la, lo) || !parse_double(row[la], p.lat) ||
        !parse_double(row[lo], p.lon))
      return make_error(ErrorCode::kInvalidInput, path + ": a row has no valid lat/lon");
    out.push_back(p);
  }
  if (out.empty()) return make_error(ErrorCode::kInvalidInput, path + ": no candidate sites");
  return out;
}

int run_sites(const Args& args) {
  const std::string out_path = flag_value(args, "--out"), type = flag_value(args, "--type");
  if (flag_value(args, "--osm").empty() || out_path.empty() || type.empty() ||
      type.find(',') != std::string::npos)
    return usage_error("access sites needs --osm, one --type and --out", kUsage);
  double k = 10;
  if (!parse_double(flag_value(args, "--k", "10"), k) || k < 1 || k > 10000)
    return usage_error("--k needs a whole number from 1 to 10000", kUsage);
  auto reach = reach_flags(args);
  if (!reach) return usage_error(reach.error().detail, kUsage);
  double reach_m = reach->speed_kmh * 1000 / 60 * reach->cov.minutes[2];
  if (!flag_value(args, "--reach-m").empty() &&
      (!parse_double(flag_value(args, "--reach-m"), reach_m) || reach_m <= 0))
    return usage_error("--reach-m needs a positive number", kUsage);
  auto cands = read_candidates(flag_value(args, "--candidates"));
  if (!cands) return fail("sites", cands.error());
  Progress progress;
  auto loaded = load(args, progress);
  if (!loaded) return fail("sites", loaded.error());
  auto& L = *loaded;
  auto t0 = Clock::now();
  const double cutoff = std::max(reach_m, reach->speed_kmh * 1000 / 60 * reach->cov.minutes[2]);
  auto dist = access::nearest_facility_distances(L.graph, L.seeds, cutoff, thread_flag(args));
  auto res = homes(args, L);
  auto rep = access::compute_coverage(L.graph, res, dist, reach->cov);
  if (!rep) return fail("sites", rep.error());
  const double coverage_s = seconds_since(t0);
  access::SitingParams sp;
  sp.type = type;
  sp.k = static_cast<int>(k);
  sp.reach_m = reach_m;
  sp.candidates = std::move(*cands);
  sp.threads = thread_flag(args);
  t0 = Clock::now();
  auto sites = access::suggest_sites(L.graph, res, *rep, sp, std::ref(progress));
  if (!sites) return fail("sites", sites.error());
  const double siting_s = seconds_since(t0);
  AtomicFile out(out_path);
  if (!out.ok()) return fail("sites", make_error(ErrorCode::kIo, "cannot write " + out_path));
  std::fprintf(out.get(),
               "rank,facility_type,%s,lat,lon,households_added,residences_added,"
               "households_covered_after\n",
               sp.candidates.empty() ? "osm_node_id" : "candidate_index");
  for (const auto& s : sites->sites)
    std::fprintf(out.get(), "%d,%s,%lld,%.7f,%.7f,%g,%zu,%g\n", s.rank, type.c_str(),
                 static_cast<long long>(s.candidate), s.point.lat, s.point.lon, s.households_added,
                 s.residences_added, s.households_covered_after);
  if (auto s = out.commit(); !s) return fail("sites", s.error());
  std::fprintf(stderr, "gongjian access: %zu sites for %s; households covered %g -> %g of %g\n",
               sites->sites.size(), type.c_str(), sites->households_covered_before,
               sites->sites.empty() ? sites->households_covered_before
                                    : sites->sites.back().households_covered_after,
               sites->households_total);
  if (has_flag(args, "--timings"))
    std::fprintf(stderr,
                 "{\"timings\":{\"read_s\":%.4f,\"build_s\":%.4f,\"coverage_s\":%.4f,"
                 "\"siting_s\":%.4f,\"nodes\":%u,\"homes\":%zu,\"sites\":%zu}}\n",
                 L.read_s, L.build_s, coverage_s, siting_s, L.graph.node_count(), res.size(),
                 sites->sites.size());
  return 0;
}

int run_stored(const Args& args) {
  app::RunOptions o;
  if (!parse_double(flag_value(args, "--cutoff-min", "15"), o.cutoff_min) || o.cutoff_min <= 0 ||
      o.cutoff_min > 120)
    return usage_error("--cutoff-min needs a number of minutes from 1 to 120", kUsage);
  if (!parse_double(flag_value(args, "--speed-kmh", "4.5"), o.speed_kmh) || o.speed_kmh <= 0)
    return usage_error("--speed-kmh needs a positive number", kUsage);
  o.threads = thread_flag(args);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  app::AccessService svc(a);
  // Progress on stderr at every stage: "stage done/total".
  auto progress = [last = std::string()](const std::string& stage, int64_t done,
                                         int64_t total) mutable {
    std::string line = stage + " " + std::to_string(done) + "/" + std::to_string(total);
    if (line == last) return;
    last = line;
    std::fprintf(stderr, "gongjian access run: %s\n", line.c_str());
  };
  auto stats = svc.run_as_job(o, "cli", progress);
  db->close();
  if (!stats.ok()) {
    std::cerr << "gongjian access run: " << stats.error().message(Lang::kEn) << ": "
              << stats.error().detail << "\n";
    return 1;
  }
  std::printf(
      "run %lld: %lld homes (%s%s; %lld off the network), %lld types, %lld coverage rows, "
      "%lld gap cells (%.2f s)\n",
      (long long)stats->run_id, (long long)stats->residences,
      stats->homes == "household" ? "registered households: " : "OSM buildings",
      stats->homes == "household" ? std::to_string(stats->households).c_str() : "",
      (long long)stats->unplaced, (long long)stats->types, (long long)stats->coverage_rows,
      (long long)stats->gaps, stats->seconds);
  return 0;
}

int run_households(const Args& args) {
  if (args.size() < 2 || args[0] != "import" || args[1].rfind("--", 0) == 0)
    return usage_error("access households import FILE.csv [--replace]", kUsage);
  auto text = read_input("access households", args[1]);
  if (!text) return 1;
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  app::AccessService svc(a);
  std::fprintf(stderr, "gongjian access households: importing %s\n", args[1].c_str());
  auto r = svc.import_households("", *text, has_flag(args, "--replace"), "cli");
  db->close();
  if (!r.ok()) {
    std::cerr << "gongjian access households: " << args[1] << ": " << r.error().message(Lang::kEn)
              << (r.error().detail.empty() ? "" : ": " + r.error().detail) << "\n";
    return 1;
  }
  std::printf("%lld households imported%s\n", (long long)r->inserted,
              has_flag(args, "--replace")
                  ? (" (" + std::to_string(r->replaced) + " replaced)").c_str()
                  : "");
  return 0;
}

int run_access(const Args& args) {
  // Large arrays straight from mmap and back to the system when freed: without this glibc's
  // adaptive threshold keeps freed reader buffers in the heap and the peak grows by ~25 %.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  if (args.empty() || has_flag(args, "--help") || has_flag(args, "-h")) {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& sub = args[0];
  Args rest(args.begin() + 1, args.end());
  if (sub == "nodes") return run_nodes(rest);
  if (sub == "coverage") return run_coverage(rest);
  if (sub == "sites") return run_sites(rest);
  if (sub == "run") return run_stored(rest);
  if (sub == "households") return run_households(rest);
  return usage_error("unknown access command '" + sub + "'", kUsage);
}

const Registrar kAccess("access", "15-minute service circle: walking distance to services",
                        run_access);

}  // namespace
}  // namespace gj::cli
