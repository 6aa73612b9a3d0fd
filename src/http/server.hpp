// The HTTP server: Beast sessions as C++20 coroutines on a few I/O threads, handlers on a
// blocking worker pool (they wait on durable group-commit writes, so many must be in flight
// for commits to group), everything bounded (header/body limits, read and idle timeouts, a
// connection cap) and a graceful drain on SIGTERM/SIGINT. No Beast types in this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "http/forwarded.hpp"
#include "http/router.hpp"

namespace gj::http {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // ADDR:PORT, "[::]:8080" for IPv6, port 0 = any
  int io_threads = 2;
  int worker_threads = 64;
  size_t max_connections = 1024;  // beyond it: 503 server_busy and close
  size_t header_limit = 8 * 1024;
  std::chrono::milliseconds read_timeout{30'000};  // whole request (header + body), and writes
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next request
  std::chrono::milliseconds grace_period{20'000};  // in-flight requests may finish within it
  bool handle_signals = true;                      // SIGTERM/SIGINT start the drain
  bool access_log = true;                          // one gj::log line per request
  // Peers whose X-Forwarded-For is believed (reverse proxies); empty: the TCP peer is the client.
  TrustedProxies trusted_proxies;
  // /readyz answers 200 only while this returns true (null: ready once listening); always
  // 503 while draining.
  std::function<bool()> ready;
  // Called once after the last in-flight request finished and before run() returns: drain
  // the DB writer and checkpoint here.
  std::function<void()> on_drain;
};

class Server {
 public:
  // Adds GET /healthz and /readyz to `router`, which must outlive the server and not change
  // once run() has started.
  Server(Router& router, ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (run() calls it if needed). After it, port() is the bound port.
  gj::Status listen();
  uint16_t port() const;
  // Serves until stop() or a signal, drains, calls on_drain, returns 0.
  int run();
  // Starts the graceful drain from any thread (as SIGTERM does).
  void stop();

  bool draining() const;
  size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gj::http
