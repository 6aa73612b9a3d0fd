// The intake's storage cost without HTTP (issue 3, bench/requests/run.sh intake), on a copy of
// the demo store, at the same concurrency and on the same disk as the HTTP run:
//   shaped — "intake-shaped" transactions: the exact statements (SQL text and parameters) that
//            real intakes ran in their write transaction, recorded from RequestsService::submit
//            and replayed through the same group-commit writer, each with a fresh ticket id,
//            tracking code and idempotency key (no validation, routing or reads: the bare
//            storage cost of one intake);
//   submit — the full intake use case called in process (validation, suggestion, routing,
//            timers, the write, the read-back with duplicate search), no HTTP.
// Rounds alternate the two; figures are medians. Prints one markdown-ish line on stdout:
//   shaped_per_s | statements_per_intake | calls_per_commit | submit_per_s
//
// usage: bench_intake --db DEMO_DB --points FILE [--threads 32] [--seconds 5] [--rounds 3]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/app.hpp"
#include "app/requests_service.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "store/db.hpp"

using namespace gj;
using store::Params;
using store::Row;
using store::Session;
using store::Value;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

[[noreturn]] void fail(const std::string& what, const Error& e) {
  std::fprintf(stderr, "bench_intake: %s: %s\n", what.c_str(), e.detail.c_str());
  std::exit(1);
}

struct Statement {
  std::string sql;
  Params params;
  bool query = false;
};
using Recording = std::vector<Statement>;

// A Session that runs everything on the real one and, while recording, keeps each statement
// and the ticket id the INSERT INTO tickets returned.
class RecordingSession final : public Session {
 public:
  RecordingSession(Session& inner, Recording& out, int64_t& ticket_id)
      : inner_(inner), out_(out), ticket_id_(ticket_id) {}
  store::Backend backend() const override { return inner_.backend(); }
  Result<std::vector<Row>> query(std::string_view sql, const Params& params) override {
    out_.push_back({std::string(sql), params, true});
    auto r = inner_.query(sql, params);
    if (r.ok() && sql.rfind("INSERT INTO tickets(", 0) == 0 && !r->empty())
      ticket_id_ = r->front().i64(0);
    return r;
  }
  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    out_.push_back({std::string(sql), params, false});
    return inner_.exec(sql, params);
  }
  Status exec_script(std::string_view sql) override { return inner_.exec_script(sql); }

 private:
  Session& inner_;
  Recording& out_;
  int64_t& ticket_id_;
};

// The store App sees: records the statements of every write() while `recording` is set.
class RecordingDatabase final : public store::Database {
 public:
  explicit RecordingDatabase(store::Database& inner) : inner_(inner) {}
  store::Backend backend() const override { return inner_.backend(); }
  Status write(std::function<Status(Session&)> fn) override {
    if (!recording) return inner_.write(std::move(fn));
    Recording rec;
    int64_t ticket_id = 0;
    Status st = inner_.write([&](Session& s) -> Status {
      rec.clear();
      RecordingSession rs(s, rec, ticket_id);
      return fn(rs);
    });
    if (st.ok() && ticket_id) {
      std::lock_guard lock(mu);
      writes.push_back({std::move(rec), ticket_id});
    }
    return st;
  }
  Status read(std::function<Status(Session&)> fn) override { return inner_.read(std::move(fn)); }
  Result<int> migrate() override { return inner_.migrate(); }
  Result<int> schema_version() override { return inner_.schema_version(); }
  void close() override { inner_.close(); }
  store::WriterStats writer_stats() const override { return inner_.writer_stats(); }

  std::atomic<bool> recording{false};
  std::mutex mu;
  std::vector<std::pair<Recording, int64_t>> writes;  // statements, the ticket id they made

 private:
  store::Database& inner_;
};

std::vector<std::pair<double, double>> load_points(const std::string& path) {
  std::vector<std::pair<double, double>> out;
  std::ifstream in(path);
  double lat, lon;
  while (in >> lat >> lon) out.push_back({lat, lon});
  if (out.empty()) {
    std::fprintf(stderr, "bench_intake: no points in %s\n", path.c_str());
    std::exit(1);
  }
  return out;
}

// The same bodies as bench/requests/intake.lua.
app::IntakeInput intake_input(const std::vector<std::pair<double, double>>& points, int tid,
                              int64_t n, const std::string& nonce) {
  static const char* kSubjects[] = {"小区门口垃圾无人清运", "路灯不亮", "楼道堆放杂物",
                                    "下水道堵塞", "噪声扰民"};
  static const char* kCategories[] = {"0106", "0104", "0105", "0205", "0603"};
  app::IntakeInput in;
  in.county_code = "611026000000";
  size_t k = static_cast<size_t>(n + tid) % 5;
  in.category = kCategories[k];
  in.subject = kSubjects[k];
  in.text = "基准测试诉求 " + std::to_string(tid) + "-" + std::to_string(n) + "，请尽快处理。";
  in.name = "张三";
  char phone[16];
  std::snprintf(phone, sizeof phone, "138%08lld",
                static_cast<long long>((tid * 1000003LL + n) % 100000000));
  in.phone = phone;
  const auto& p = points[static_cast<size_t>(n * 7919 + tid * 104729) % points.size()];
  in.lat = p.first;
  in.lon = p.second;
  in.idempotency_key = "bench-" + nonce + "-" + std::to_string(tid) + "-" + std::to_string(n);
  return in;
}

auth::Principal citizen() {
  auth::Principal p;
  p.role = auth::Role::kCitizen;
  p.ip = "127.0.0.1";
  p.request_id = "bench";
  return p;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// One recorded intake made new: the ticket id the store hands out now, a fresh tracking code
// and idempotency key (both unique in the schema) wherever the recording had the old ones.
struct Template {
  Recording statements;
  int64_t ticket_id = 0;
  std::string code, key;
};

Status replay(Session& s, const Template& t, const std::string& code, const std::string& key) {
  int64_t id = 0;
  const std::string old_id = std::to_string(t.ticket_id);
  for (const auto& st : t.statements) {
    Params p = st.params;
    for (auto& v : p) {
      if (auto i = std::get_if<int64_t>(&v); i && *i == t.ticket_id && id) {
        *i = id;
      } else if (auto str = std::get_if<std::string>(&v)) {
        if (*str == t.key) {
          *str = key;
        } else if (id && *str == old_id) {
          *str = std::to_string(id);
        } else {
          replace_all(*str, t.code, code);
        }
      }
    }
    if (st.query) {
      auto r = s.query(st.sql, p);
      if (!r.ok()) return r.error();
      if (!id && st.sql.rfind("INSERT INTO tickets(", 0) == 0) id = r->front().i64(0);
    } else {
      auto r = s.exec(st.sql, p);
      if (!r.ok()) return r.error();
    }
  }
  return {};
}

struct Sample {
  double per_s = 0, per_commit = 0;
};

Sample run_threads(store::Database& db, int threads, double seconds,
                   const std::function<Status(int tid, int64_t n)>& one) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0};
  store::WriterStats before = db.writer_stats();
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int64_t n = 1; !stop.load(std::memory_order_relaxed); ++n) {
        Status st = one(t, n);
        if (!st.ok()) fail("intake", st.error());
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  store::WriterStats after = db.writer_stats();
  Sample out;
  out.per_s = done.load() / elapsed;
  uint64_t commits = after.commits - before.commits;
  out.per_commit = commits ? double(after.calls - before.calls) / commits : 0;
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void fresh_copy(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(to + suffix);
  std::filesystem::copy_file(from, to);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string demo = arg(argc, argv, "--db", "");
  const std::string points_file = arg(argc, argv, "--points", "");
  if (demo.empty() || points_file.empty()) {
    std::fprintf(stderr,
                 "usage: bench_intake --db DEMO_DB --points FILE [--threads 32] [--seconds 5] "
                 "[--rounds 3]\n");
    return 2;
  }
  const int threads = std::atoi(arg(argc, argv, "--threads", "32").c_str());
  const double seconds = std::atof(arg(argc, argv, "--seconds", "5").c_str());
  const int rounds = std::atoi(arg(argc, argv, "--rounds", "3").c_str());
  const auto points = load_points(points_file);
  const std::string work = demo + ".bench";
  constexpr int kTemplates = 64;

  std::vector<double> shaped, submitted, per_commit;
  size_t statements = 0;
  for (int r = 1; r <= rounds; ++r) {
    // shaped: record kTemplates real intakes, then replay their write transactions.
    {
      fresh_copy(demo, work);
      store::Options o;
      o.target = work;
      auto db = store::open_database(o);
      if (!db.ok()) fail("open " + work, db.error());
      if (auto m = (*db)->migrate(); !m.ok()) fail("migrate", m.error());
      RecordingDatabase rec(**db);
      SystemClock clock;
      RandomIdGenerator ids;
      std::vector<Template> templates;
      {
        app::App app(rec, clock, ids);
        rec.recording = true;
        for (int i = 0; i < kTemplates; ++i) {
          auto in = intake_input(points, 1000 + i, i, "rec" + std::to_string(r));
          auto res = app.requests().submit(citizen(), in);
          if (!res.ok()) fail("recording intake", res.error());
          std::lock_guard lock(rec.mu);
          if (rec.writes.empty()) fail("recording", make_error(ErrorCode::kInternal, "no write"));
          Template t;
          t.statements = std::move(rec.writes.back().first);
          t.ticket_id = rec.writes.back().second;
          t.code = res->detail.view.row.code;
          t.key = in.idempotency_key;
          rec.writes.clear();
          templates.push_back(std::move(t));
        }
        rec.recording = false;
      }
      statements = templates.front().statements.size();
      if (r == 1 && std::getenv("BENCH_SHOW_STATEMENTS"))
        for (const auto& st : templates.front().statements)
          std::fprintf(stderr, "  %s\n", st.sql.substr(0, 110).c_str());
      std::atomic<int64_t> seq{0};
      Sample s = run_threads(**db, threads, seconds, [&](int tid, int64_t n) {
        const Template& t = templates[static_cast<size_t>(tid + n) % templates.size()];
        // A fresh code of the same shape (10 characters) and key, unique in this store.
        char code[16];
        std::snprintf(code, sizeof code, "B%09lld", static_cast<long long>(seq.fetch_add(1)));
        std::string key = "shaped-" + std::to_string(r) + "-" + code;
        return (*db)->write([&](Session& ses) { return replay(ses, t, code, key); });
      });
      (*db)->close();
      shaped.push_back(s.per_s);
      per_commit.push_back(s.per_commit);
    }
    // submit: the full use case in process.
    {
      fresh_copy(demo, work);
      store::Options o;
      o.target = work;
      auto db = store::open_database(o);
      if (!db.ok()) fail("open " + work, db.error());
      if (auto m = (*db)->migrate(); !m.ok()) fail("migrate", m.error());
      SystemClock clock;
      RandomIdGenerator ids;
      app::App app(**db, clock, ids);
      const std::string nonce = "sub" + std::to_string(r);
      Sample s = run_threads(**db, threads, seconds, [&](int tid, int64_t n) -> Status {
        auto res = app.requests().submit(citizen(), intake_input(points, tid, n, nonce));
        if (!res.ok()) return res.error();
        return {};
      });
      (*db)->close();
      submitted.push_back(s.per_s);
    }
    std::fprintf(stderr,
                 "intake round %d/%d: shaped transactions %.0f/s (%.1f per commit, %zu "
                 "statements each), submit() in process %.0f/s\n",
                 r, rounds, shaped.back(), per_commit.back(), statements, submitted.back());
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(work + suffix);
  std::printf("%.0f | %zu | %.1f | %.0f\n", median(shaped), statements, median(per_commit),
              median(submitted));
  return 0;
}
