// The process the durability test kills: writes rows through the store from many threads and
// prints each id on stdout only after write() returned OK (the acknowledgement a client gets).
// usage: durability_writer DB_PATH RUN_NUMBER [THREADS]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/db.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: durability_writer DB_PATH RUN_NUMBER [THREADS]\n");
    return 2;
  }
  using namespace gj::store;
  Options o;
  o.target = argv[1];
  const int64_t run = std::atoll(argv[2]);
  const int threads = argc > 3 ? std::atoi(argv[3]) : 8;
  auto db = open_database(o);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.error().detail.c_str());
    return 1;
  }
  // A plain write, not a numbered migration: the store may already carry the product schema
  // (the CLI backup test migrates it first), whose version numbers this must not collide with.
  gj::Status m = (*db)->write([](Session& s) -> gj::Status {
    auto r = s.exec_script(
        "CREATE TABLE IF NOT EXISTS acked (id INTEGER PRIMARY KEY, "
        "thread INTEGER NOT NULL, payload TEXT NOT NULL);");
    return r;
  });
  if (!m.ok()) {
    std::fprintf(stderr, "migrate: %s\n", m.error().detail.c_str());
    return 1;
  }
  std::mutex out_mu;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const std::string payload(100 + t * 10, 'a' + t % 26);
      for (int64_t i = 0;; ++i) {
        const int64_t id = run * 1'000'000'000'000 + t * 1'000'000'000LL + i;
        gj::Status st = (*db)->write([&](Session& s) -> gj::Status {
          GJ_TRY(s.exec("INSERT INTO acked (id, thread, payload) VALUES ($1, $2, $3)",
                        {id, int64_t{t}, payload}));
          return {};
        });
        if (!st.ok()) {
          std::fprintf(stderr, "write %lld: %s\n", static_cast<long long>(id),
                       st.error().detail.c_str());
          std::_Exit(1);
        }
        // One write(2) per line: a line in the pipe means the commit had returned.
        std::string line = std::to_string(id) + "\n";
        std::lock_guard lk(out_mu);
        if (::write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
          std::_Exit(1);
        }
      }
    });
  }
  for (auto& th : pool) th.join();
}
