// Durable inserts per second through the storage layer: one row per commit (max_group = 1, the
// baseline) against group commit (max_group = 256), with the same number of concurrent writers
// in the same run. Rounds alternate baseline and grouped so machine noise hits both alike; the
// figures are medians over the rounds. Every insert is acknowledged only after its commit is
// durable (SQLite: WAL + synchronous=FULL; PostgreSQL: fsync=on, synchronous_commit=on).
//
// usage: bench_store --target PATH_OR_URL [--threads 32] [--seconds 2] [--rounds 5]
//   PATH_OR_URL: a SQLite file to create (deleted between rounds) or a postgresql:// URL.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/db.hpp"

using namespace gj::store;

namespace {

struct Sample {
  double rows_per_s = 0;
  double rows_per_commit = 0;
};

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (name == argv[i]) return argv[i + 1];
  }
  return fallback;
}

void fail(const std::string& what, const gj::Error& e) {
  std::fprintf(stderr, "bench_store: %s: %s\n", what.c_str(), e.detail.c_str());
  std::exit(1);
}

Sample measure(const std::string& target, bool postgres, int max_group, int threads,
               double seconds) {
  if (!postgres) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(target + suffix);
  }
  Options o;
  o.target = target;
  o.max_group = max_group;
  o.readers = 1;
  auto db = open_database(o);
  if (!db.ok()) fail("open " + target, db.error());
  const std::vector<Migration> schema = {
      {1, "bench_rows",
       postgres
           ? "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, thread int, payload text);"
           : "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, thread INTEGER, payload TEXT);"}};
  if (postgres) {
    gj::Status drop = (*db)->write([](Session& s) -> gj::Status {
      return s.exec_script(
          "DROP TABLE IF EXISTS bench_rows; DROP TABLE IF EXISTS schema_migrations;");
    });
    if (!drop.ok()) fail("reset", drop.error());
  }
  auto m = apply_migrations(**db, schema);
  if (!m.ok()) fail("migrate", m.error());

  // A request-sized row (a citizen request is a few hundred bytes).
  const std::string payload(300, 'r');
  std::atomic<bool> stop{false};
  std::atomic<int64_t> rows{0};
  WriterStats before = (*db)->writer_stats();
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        gj::Status st = (*db)->write([&](Session& s) -> gj::Status {
          GJ_TRY(s.exec("INSERT INTO bench_rows (thread, payload) VALUES ($1, $2)",
                        {int64_t{t}, payload}));
          return {};
        });
        if (!st.ok()) fail("write", st.error());
        rows.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WriterStats after = (*db)->writer_stats();
  (*db)->close();
  Sample s;
  s.rows_per_s = rows.load() / elapsed;
  uint64_t commits = after.commits - before.commits;
  s.rows_per_commit = commits ? double(after.calls - before.calls) / commits : 0;
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string target = arg(argc, argv, "--target", "");
  if (target.empty()) {
    std::fprintf(stderr,
                 "usage: bench_store --target PATH_OR_URL [--threads 32] [--seconds 2] "
                 "[--rounds 5]\n");
    return 2;
  }
  const bool postgres = target.rfind("postgres", 0) == 0;
  const int threads = std::atoi(arg(argc, argv, "--threads", "32").c_str());
  const double seconds = std::atof(arg(argc, argv, "--seconds", "2").c_str());
  const int rounds = std::atoi(arg(argc, argv, "--rounds", "5").c_str());
  const char* name = postgres ? "postgresql" : "sqlite";

  std::vector<double> base, grouped, ratio, per_commit;
  for (int r = 1; r <= rounds; ++r) {
    Sample b = measure(target, postgres, 1, threads, seconds);
    Sample g = measure(target, postgres, 256, threads, seconds);
    base.push_back(b.rows_per_s);
    grouped.push_back(g.rows_per_s);
    ratio.push_back(g.rows_per_s / b.rows_per_s);
    per_commit.push_back(g.rows_per_commit);
    std::fprintf(stderr,
                 "%s round %d/%d: one row per commit %.0f rows/s, grouped %.0f rows/s "
                 "(%.1f rows/commit), ratio %.1fx\n",
                 name, r, rounds, b.rows_per_s, g.rows_per_s, g.rows_per_commit,
                 g.rows_per_s / b.rows_per_s);
  }
  if (!postgres) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(target + suffix);
  }
  // One markdown table row: backend | writers | baseline | grouped | rows/commit | ratio.
  std::printf("| %s | %d | %.0f | %.0f | %.1f | %.1fx |\n", name, threads, median(base),
              median(grouped), median(per_commit), median(ratio));
  return 0;
}
