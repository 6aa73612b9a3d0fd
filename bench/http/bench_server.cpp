// The HTTP layer under load: one JSON POST route that parses and validates its body like a
// real write endpoint (the store is left out: it sleeps ~0), plus the built-in /healthz.
// Usage: gj_bench_http_server [--listen 127.0.0.1:8089] [--workers 64] [--io 2] [--no-log]
//        [--inline]   (run the POST handler on the I/O threads: isolates the worker-pool hop)
#include <atomic>
#include <iostream>
#include <string>

#include "http/body.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace http = gj::http;

int main(int argc, char** argv) {
  http::ServerConfig cfg;
  cfg.listen = "127.0.0.1:8089";
  http::RouteOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--listen" && i + 1 < argc)
      cfg.listen = argv[++i];
    else if (a == "--workers" && i + 1 < argc)
      cfg.worker_threads = std::stoi(argv[++i]);
    else if (a == "--io" && i + 1 < argc)
      cfg.io_threads = std::stoi(argv[++i]);
    else if (a == "--no-log")
      cfg.access_log = false;
    else if (a == "--inline")
      options.run_inline = true;
    else {
      std::cerr
          << "usage: gj_bench_http_server [--listen ADDR:PORT] [--workers N] [--io N] [--no-log] "
             "[--inline]\n";
      return 2;
    }
  }
  std::atomic<int64_t> next_id{1};
  http::Router router;
  router.add(
      "POST", "/api/v1/bench/requests",
      [&](http::Request& req) {
        auto body = http::parse_json_object(req.body);
        if (!body.ok()) return http::error(body.error(), req);
        http::JsonFields f(*body);
        auto title = f.required_string("title", 100);
        if (!title.ok()) return http::error(title.error(), req);
        auto grid = f.required_string("grid", 20);
        if (!grid.ok()) return http::error(grid.error(), req);
        return http::json(201, {{"id", next_id++}, {"title", *title}, {"status", "open"}});
      },
      options);
  http::Server server(router, cfg);
  if (auto st = server.listen(); !st.ok()) {
    std::cerr << "gj_bench_http_server: " << st.error().detail << "\n";
    return 1;
  }
  return server.run();
}
