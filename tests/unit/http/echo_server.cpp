// A tiny server on gj_http for the API runner's self-test and for trying the HTTP layer by
// hand (routes in echo_routes.cpp).
// Usage: gj_http_echo_server [--listen 127.0.0.1:0] [--port-file PATH] [--web DIR]
//        [--read-timeout-ms N] [--idle-timeout-ms N] [--grace-ms N] [--max-connections N]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "echo_routes.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"

namespace http = gj::http;

namespace {
std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  http::Router router;
  add_echo_routes(router);
  std::string web = arg(argc, argv, "--web", "");
  if (!web.empty()) router.serve_static(std::make_shared<http::StaticFiles>(web));

  http::ServerConfig cfg;
  cfg.listen = arg(argc, argv, "--listen", "127.0.0.1:0");
  cfg.read_timeout =
      std::chrono::milliseconds(std::stoi(arg(argc, argv, "--read-timeout-ms", "30000")));
  cfg.idle_timeout =
      std::chrono::milliseconds(std::stoi(arg(argc, argv, "--idle-timeout-ms", "60000")));
  cfg.grace_period = std::chrono::milliseconds(std::stoi(arg(argc, argv, "--grace-ms", "20000")));
  cfg.max_connections = std::stoul(arg(argc, argv, "--max-connections", "1024"));
  cfg.on_drain = [] { std::cerr << "echo_server: drained\n"; };
  http::Server server(router, cfg);
  if (auto st = server.listen(); !st.ok()) {
    std::cerr << "echo_server: " << st.error().detail << "\n";
    return 1;
  }
  std::string port_file = arg(argc, argv, "--port-file", "");
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << server.port() << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cout << server.port() << std::endl;
  return server.run();
}
