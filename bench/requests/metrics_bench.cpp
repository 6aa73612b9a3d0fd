// Metrics 考核指标 for a county over N synthetic requests (issue 3): the product's read path over
// the incremental counter table (metric_counters, migration 0002) against a plain GROUP BY over
// one row per ticket, on the same SQLite file, with a check that both give the same figures.
//
// usage: bench_metrics --db FILE [--tickets 1000000] [--rounds 5]
//   FILE is reused when it already holds the same number of tickets (generation is the slow part).
//
// The ticket table holds only what the metrics need (holder grid, month, outcome flags). The
// counter rows are the ones the product's MetricModel writes per event (scope unit|area; the
// unit and every area it counts under: grid, village, township, county, prefecture, province;
// periods month and year), added up in memory and then written with the product's own statement
// (store::counters::add, INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value):
// additions commute, so the table equals what the per-event adds produce. Simplification: every
// part is booked in the month the ticket was received (the product books each event in the
// month it happens); both sides use the same rule, so the comparison is exact.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "domain/requests/metrics.hpp"
#include "store/db.hpp"
#include "store/repos/requests_repo.hpp"

using namespace gj;
namespace rq = gj::requests;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_metrics: %s\n", what.c_str());
  std::exit(1);
}

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    die(std::string(what) + ": " + sqlite3_errmsg(db));
}

const std::string kCounty = "611026000000";                  // 柞水县
constexpr int kTownships = 10, kVillages = 10, kGrids = 10;  // 1,000 grids
constexpr int kMonths = 11;                                  // 2026-01 … 2026-11

std::string code3(int n) {
  char b[8];
  std::snprintf(b, sizeof b, "%03d", n);
  return b;
}

// The parts one ticket contributes, in a fixed order (names from domain/requests/metrics.hpp).
const std::vector<std::string> kParts = {
    std::string(rq::part::kAssignments),     std::string(rq::part::kResponded),
    std::string(rq::part::kReturned),        std::string(rq::part::kCompleted),
    std::string(rq::part::kCompletedOnTime), std::string(rq::part::kHandlingMinutes),
    std::string(rq::part::kReopened),        std::string(rq::part::kCallbacks),
    std::string(rq::part::kRatings),         std::string(rq::part::kResolved),
    std::string(rq::part::kSatisfied),       std::string(rq::part::kFairlySatisfied),
    std::string(rq::part::kUnsatisfied)};
constexpr int kP = 13;

struct Rng {  // xorshift64*: generation must not be the bottleneck
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  int below(int n) { return int((next() >> 33) % uint64_t(n)); }
};

struct Grid {
  std::string code, village, township;
};

std::vector<Grid> make_grids() {
  std::vector<Grid> out;
  for (int t = 1; t <= kTownships; ++t) {
    std::string tc = kCounty.substr(0, 6) + code3(t) + "000";
    for (int v = 1; v <= kVillages; ++v) {
      std::string vc = tc.substr(0, 9) + code3(v);
      for (int g = 1; g <= kGrids; ++g) out.push_back({vc + code3(g), vc, tc});
    }
  }
  return out;
}

// Generates the tickets (one transaction, one prepared insert) and returns the per-(grid,
// month, part) sums the counters are built from.
std::vector<int64_t> generate(sqlite3* db, long n, const std::vector<Grid>& grids) {
  check(db,
        sqlite3_exec(db,
                     "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                     "CREATE TABLE bench_tickets (unit_id TEXT NOT NULL, month TEXT NOT NULL,"
                     " responded INTEGER, returned INTEGER, completed INTEGER, on_time INTEGER,"
                     " handling_minutes INTEGER, reopened INTEGER, rating INTEGER,"
                     " resolved INTEGER);"
                     "CREATE TABLE bench_meta (tickets INTEGER);"
                     "BEGIN",
                     nullptr, nullptr, nullptr),
        "create");
  sqlite3_stmt* ins = nullptr;
  check(db,
        sqlite3_prepare_v2(db, "INSERT INTO bench_tickets VALUES(?,?,?,?,?,?,?,?,?,?)", -1, &ins,
                           nullptr),
        "prepare");
  std::vector<int64_t> sums(grids.size() * kMonths * kP, 0);
  char month[16][8];
  for (int m = 0; m < kMonths; ++m) std::snprintf(month[m], sizeof month[m], "2026-%02d", m + 1);
  Rng r;
  for (long i = 0; i < n; ++i) {
    int g = r.below(int(grids.size())), m = r.below(kMonths);
    int responded = r.below(100) < 92, returned = r.below(100) < 4;
    int completed = r.below(100) < 85, on_time = completed && r.below(100) < 90;
    int minutes = completed ? 30 + r.below(7 * 24 * 60) : 0;
    int reopened = completed && r.below(100) < 3;
    int rating = completed && r.below(100) < 70 ? 1 + r.below(3) : 0;  // 1 满意 2 基本 3 不满意
    int resolved = rating && rating != 3 ? 1 : 0;
    sqlite3_bind_text(ins, 1, grids[g].code.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, month[m], 7, SQLITE_STATIC);
    int vals[8] = {responded, returned, completed, on_time, minutes, reopened, rating, resolved};
    for (int k = 0; k < 8; ++k) sqlite3_bind_int(ins, 3 + k, vals[k]);
    check(db, sqlite3_step(ins), "insert");
    sqlite3_reset(ins);
    int64_t* s = &sums[(size_t(g) * kMonths + m) * kP];
    int64_t add[kP] = {1,           responded,   returned,       completed,      on_time,
                       minutes,     reopened,    rating ? 1 : 0, rating ? 1 : 0, resolved,
                       rating == 1, rating == 2, rating == 3};
    for (int k = 0; k < kP; ++k) s[k] += add[k];
    if ((i + 1) % 1000000 == 0) std::fprintf(stderr, "  %ld tickets\n", i + 1);
  }
  sqlite3_finalize(ins);
  std::string meta = "INSERT INTO bench_meta VALUES(" + std::to_string(n) + "); COMMIT";
  check(db, sqlite3_exec(db, meta.c_str(), nullptr, nullptr, nullptr), "commit");
  return sums;
}

// Counter rows (scope, id, period, part) → value, as MetricModel::deltas attributes them.
std::map<std::tuple<std::string, std::string, std::string, std::string>, int64_t> counter_rows(
    const std::vector<int64_t>& sums, const std::vector<Grid>& grids) {
  std::map<std::tuple<std::string, std::string, std::string, std::string>, int64_t> rows;
  for (size_t g = 0; g < grids.size(); ++g) {
    std::vector<std::pair<std::string, std::string>> ids = {
        {"unit", grids[g].code},     {"area", grids[g].code}, {"area", grids[g].village},
        {"area", grids[g].township}, {"area", kCounty},       {"area", "611000000000"},
        {"area", "610000000000"}};
    for (int m = 0; m < kMonths; ++m) {
      char mp[16];
      std::snprintf(mp, sizeof mp, "M2026-%02d", m + 1);
      for (int k = 0; k < kP; ++k) {
        int64_t v = sums[(g * kMonths + m) * kP + k];
        if (v == 0) continue;
        for (const auto& [scope, id] : ids) {
          rows[{scope, id, mp, kParts[k]}] += v;
          rows[{scope, id, "Y2026", kParts[k]}] += v;
        }
      }
    }
  }
  return rows;
}

struct Figures {
  rq::Counters area;
  std::map<std::string, rq::Counters> units;
  size_t metrics_computed = 0;
};

// What RequestsService::metrics reads for an area (src/app/requests_service.cpp): the area's
// parts, then every chain unit's parts in the code range, then the metric values. (Department
// rows and the per-unit name lookups are left out: the synthetic county has no departments and
// no divisions table.)
Result<Figures> product_read(store::Session& s, const std::string& f, const std::string& t) {
  Figures out;
  auto defs = rq::default_metrics();
  auto sum = store::counters::sum(s, "area", kCounty, f, t);
  if (!sum.ok()) return sum.error();
  for (const auto& [part, n] : *sum) out.area[part] = n;
  for (const auto& d : defs) out.metrics_computed += rq::compute(d, out.area).value.has_value();
  auto rows = store::counters::sum_by_ref(s, "unit", kCounty, f, t);
  if (!rows.ok()) return rows.error();
  for (const auto& x : *rows) out.units[x.ref_id][x.part] += x.value;
  for (const auto& [uid, c] : out.units)
    for (const auto& d : defs) out.metrics_computed += rq::compute(d, c).value.has_value();
  return out;
}

// The baseline: one GROUP BY over the ticket rows; the area is the sum of its units.
Result<Figures> group_by_read(store::Session& s, const std::string& f, const std::string& t) {
  Figures out;
  auto defs = rq::default_metrics();
  auto rows = s.query(
      "SELECT unit_id, COUNT(*), SUM(responded), SUM(returned), SUM(completed), SUM(on_time), "
      "SUM(handling_minutes), SUM(reopened), SUM(rating > 0), SUM(rating > 0), SUM(resolved), "
      "SUM(rating = 1), SUM(rating = 2), SUM(rating = 3) FROM bench_tickets "
      "WHERE unit_id >= $1 AND unit_id < $2 AND month >= $3 AND month <= $4 GROUP BY unit_id",
      {kCounty.substr(0, 6), std::string("611027"), f.substr(1), t.substr(1)});
  if (!rows.ok()) return rows.error();
  for (const auto& r : *rows) {
    rq::Counters& c = out.units[r.str(0)];
    for (int k = 0; k < kP; ++k) {
      int64_t v = r.i64(1 + k);
      if (v == 0) continue;
      c[kParts[k]] = v;
      out.area[kParts[k]] += v;
    }
  }
  for (const auto& d : defs) out.metrics_computed += rq::compute(d, out.area).value.has_value();
  for (const auto& [uid, c] : out.units)
    for (const auto& d : defs) out.metrics_computed += rq::compute(d, c).value.has_value();
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = arg(argc, argv, "--db", "");
  long n = std::atol(arg(argc, argv, "--tickets", "1000000").c_str());
  int rounds = std::atoi(arg(argc, argv, "--rounds", "5").c_str());
  if (path.empty() || n <= 0 || rounds <= 0)
    die("usage: bench_metrics --db FILE [--tickets N] [--rounds R]");
  auto grids = make_grids();

  // Reuse the file when it holds the same N.
  bool reuse = false;
  if (std::filesystem::exists(path)) {
    sqlite3* db = nullptr;
    check(db, sqlite3_open(path.c_str(), &db), "open");
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT tickets FROM bench_meta", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      reuse = sqlite3_column_int64(st, 0) == n;
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (!reuse)
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  double gen_s = 0, fill_s = 0;
  size_t counter_count = 0;
  if (!reuse) {
    auto t0 = SteadyClock::now();
    sqlite3* db = nullptr;
    check(db, sqlite3_open(path.c_str(), &db), "open");
    std::fprintf(stderr, "bench_metrics: generating %ld tickets into %s\n", n, path.c_str());
    auto sums = generate(db, n, grids);
    // The counter table exactly as migration 0002 creates it.
    check(db,
          sqlite3_exec(
              db,
              "CREATE TABLE metric_counters (scope TEXT NOT NULL, ref_id TEXT NOT NULL,"
              " period TEXT NOT NULL, part TEXT NOT NULL, value INTEGER NOT NULL,"
              " PRIMARY KEY (scope, ref_id, period, part));"
              "CREATE INDEX metric_counters_period ON metric_counters(scope, period, ref_id);",
              nullptr, nullptr, nullptr),
          "counters");
    sqlite3_close(db);
    gen_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    auto rows = counter_rows(sums, grids);
    counter_count = rows.size();
    t0 = SteadyClock::now();
    store::Options o;
    o.target = path;
    auto sdb = store::open_database(o);
    if (!sdb.ok()) die("open store: " + sdb.error().detail);
    Status st = (*sdb)->write([&](store::Session& s) -> Status {
      for (const auto& [k, v] : rows)
        GJ_TRY(store::counters::add(s, std::get<0>(k), std::get<1>(k), std::get<2>(k),
                                    std::get<3>(k), v));
      return {};
    });
    if (!st.ok()) die("fill counters: " + st.error().detail);
    fill_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  }

  store::Options o;
  o.target = path;
  o.readers = 1;
  auto sdb = store::open_database(o);
  if (!sdb.ok()) die("open store: " + sdb.error().detail);
  const std::string from = "M2026-01", to = "M2026-11";
  std::vector<double> prod_ms, base_ms;
  Figures pf, bf;
  for (int r = 0; r <= rounds; ++r) {  // round 0 warms the page cache for both
    auto t0 = SteadyClock::now();
    auto p = (*sdb)->read_value<Figures>(
        [&](store::Session& s) -> Result<Figures> { return product_read(s, from, to); });
    double pm = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
    t0 = SteadyClock::now();
    auto b = (*sdb)->read_value<Figures>(
        [&](store::Session& s) -> Result<Figures> { return group_by_read(s, from, to); });
    double bm = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
    if (!p.ok()) die("product read: " + p.error().detail);
    if (!b.ok()) die("group by: " + b.error().detail);
    pf = std::move(*p);
    bf = std::move(*b);
    if (r == 0) continue;
    prod_ms.push_back(pm);
    base_ms.push_back(bm);
    std::fprintf(stderr, "  round %d: counters %.2f ms, GROUP BY %.1f ms\n", r, pm, bm);
  }
  bool same = pf.area == bf.area && pf.units == bf.units;
  int64_t total = pf.area.count("assignments") ? pf.area.at("assignments") : 0;
  std::printf(
      "tickets %ld (%s), file %.0f MB, %zu units; generation %.1f s, counter fill %.1f s "
      "(%zu rows); county assignments %lld; figures identical: %s\n",
      n, reuse ? "reused" : "generated", double(std::filesystem::file_size(path)) / 1e6,
      pf.units.size(), gen_s, fill_s, counter_count, static_cast<long long>(total),
      same ? "yes" : "NO");
  std::printf(
      "| tickets | metrics read over counters (ms) | plain GROUP BY (ms) | ratio |\n"
      "|---|---|---|---|\n| %ld | %.2f | %.0f | %.0fx |\n",
      n, median(prod_ms), median(base_ms), median(base_ms) / median(prod_ms));
  return same ? 0 : 1;
}
