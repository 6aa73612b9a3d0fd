// Real sockets: the Server on 127.0.0.1:0 in this process, a Beast client on the other end.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "http/server.hpp"

namespace http = gj::http;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A server running on its own thread for the length of a test.
class TestServer {
 public:
  explicit TestServer(http::Router& router, http::ServerConfig cfg = {}) {
    cfg.listen = "127.0.0.1:0";
    cfg.handle_signals = false;
    cfg.access_log = false;
    cfg.worker_threads = 8;
    server_ = std::make_unique<http::Server>(router, std::move(cfg));
    auto st = server_->listen();
    EXPECT_TRUE(st.ok());
    thread_ = std::thread([this] { rc_ = server_->run(); });
  }
  ~TestServer() { stop_and_join(); }
  int stop_and_join() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
    return rc_;
  }
  http::Server& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  std::thread& thread() { return thread_; }
  int rc() const { return rc_; }

 private:
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::atomic<int> rc_{-1};
};

// A blocking HTTP/1.1 client on one connection.
class Client {
 public:
  explicit Client(uint16_t port) {
    sock_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send_raw(std::string_view bytes) {
    asio::write(sock_, asio::buffer(bytes.data(), bytes.size()));
  }
  void send(bhttp::verb method, std::string target, std::string body = {}, bool keep_alive = true,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.set(k, v);
    req.keep_alive(keep_alive);
    if (!body.empty() || method == bhttp::verb::post) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    bhttp::write(sock_, req);
  }
  bhttp::response<bhttp::string_body> read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> p;
    p.skip(head);
    bhttp::read(sock_, buf_, p);
    return p.release();
  }
  bhttp::response<bhttp::string_body> request(bhttp::verb method, std::string target,
                                              std::string body = {}, bool keep_alive = true) {
    send(method, std::move(target), std::move(body), keep_alive);
    return read(method == bhttp::verb::head);
  }
  // True when the server closed the connection (EOF or reset) rather than sending something.
  bool closed_by_server() {
    char c;
    beast::error_code ec;
    sock_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  tcp::socket sock_{ioc_};
  beast::flat_buffer buf_;
};

http::Router echo_router() {
  http::Router r;
  r.add("POST", "/api/echo", [](http::Request& req) {
    return http::json(200, {{"size", req.body.size()}, {"body", req.body}});
  });
  http::RouteOptions small;
  small.body_limit = 1024;
  r.add(
      "POST", "/api/small",
      [](http::Request& req) {
        return http::json(200, {{"size", req.body.size()}});
      },
      small);
  r.add("GET", "/api/hello", [](http::Request& req) {
    return http::json(200, {{"hello", "世界"}, {"remote", req.remote_address}});
  });
  return r;
}

}  // namespace

TEST(Server, keep_alive_serves_several_requests_on_one_connection) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  for (int i = 0; i < 3; ++i) {
    auto res = c.request(bhttp::verb::get, "/api/hello");
    ASSERT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
    auto j = json::parse(res.body());
    EXPECT_EQ(j["hello"], "世界");
    EXPECT_EQ(j["remote"], "127.0.0.1");
    EXPECT_FALSE(res[bhttp::field::x_frame_options].empty());
    EXPECT_EQ(res["X-Request-Id"].size(), 12u);
  }
  EXPECT_EQ(ts.server().connections(), 1u);
  auto last = c.request(bhttp::verb::post, "/api/echo", "{\"a\":1}", /*keep_alive=*/false);
  EXPECT_EQ(last.result_int(), 200);
  EXPECT_EQ(json::parse(last.body())["body"], "{\"a\":1}");
  EXPECT_FALSE(last.keep_alive());
  EXPECT_TRUE(c.closed_by_server());
}

TEST(Server, blocking_handlers_run_concurrently_and_leave_the_io_threads_free) {
  // Handlers block on durable writes; commits only group if many are in flight at once.
  constexpr int kClients = 8;  // TestServer runs 8 workers
  std::atomic<int> in_progress{0};
  std::atomic<bool> release{false};
  http::Router router;
  router.add("POST", "/api/block", [&](http::Request&) {
    ++in_progress;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!release && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    return http::json(201, {{"released", release.load()}});
  });
  TestServer ts(router);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(ts.port()));
    clients.back()->send(bhttp::verb::post, "/api/block", "{}");
  }
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (in_progress < kClients && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(in_progress.load(), kClients);
  // Every worker is blocked, yet the I/O threads still answer.
  Client probe(ts.port());
  EXPECT_EQ(probe.request(bhttp::verb::get, "/healthz").result_int(), 200);
  release = true;
  for (auto& c : clients) {
    auto res = c->read();
    EXPECT_EQ(res.result_int(), 201);
    EXPECT_EQ(json::parse(res.body())["released"], true);
  }
}

TEST(Server, pipelined_requests_are_answered_in_order) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  std::string two =
      "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
      "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond"
      "GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n";
  c.send_raw(two);
  EXPECT_EQ(json::parse(c.read().body())["body"], "first");
  EXPECT_EQ(json::parse(c.read().body())["body"], "second");
  EXPECT_EQ(json::parse(c.read().body())["hello"], "世界");
}

TEST(Server, head_gets_the_length_of_the_get_body_and_no_body) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  auto head = c.request(bhttp::verb::head, "/api/hello");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_GT(std::stoi(std::string(head[bhttp::field::content_length])), 10);
  EXPECT_TRUE(head.body().empty());
  // The connection is still in step: the next response parses.
  EXPECT_EQ(c.request(bhttp::verb::get, "/api/hello").result_int(), 200);
}

TEST(Server, a_declared_body_over_the_route_limit_is_refused_before_it_is_sent) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  // Only the header goes out: the 413 must come without the server waiting for 10 MB.
  c.send_raw("POST /api/small HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(json::parse(res.body())["error"]["code"], "payload_too_large");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_server());
}

TEST(Server, a_client_that_sends_the_oversized_body_anyway_still_reads_the_413) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  // The whole body is already on the wire when the server refuses it; the answer must still
  // reach the client (the server drains a bounded amount before closing).
  c.send_raw("POST /api/small HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" +
             std::string(200000, 'z'));
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(Server, a_chunked_body_growing_past_the_limit_is_cut_off_while_reading) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  c.send_raw("POST /api/small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "200\r\n" + std::string(0x200, 'x') + "\r\n";
  for (int i = 0; i < 3; ++i) c.send_raw(chunk);  // 1536 bytes > 1024, no final chunk
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 413);
  // Within the limit the same route answers.
  Client ok(ts.port());
  EXPECT_EQ(ok.request(bhttp::verb::post, "/api/small", std::string(1024, 'y')).result_int(), 200);
}

TEST(Server, expect_100_continue_gets_an_interim_answer) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  c.send_raw(
      "POST /api/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  auto interim = c.read();
  EXPECT_EQ(interim.result_int(), 100);
  c.send_raw("abcd");
  EXPECT_EQ(json::parse(c.read().body())["size"], 4);
}

TEST(Server, headers_over_8_kib_are_refused) {
  auto router = echo_router();
  TestServer ts(router);
  Client c(ts.port());
  c.send_raw("GET /api/hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
  EXPECT_EQ(c.read().result_int(), 400);
}

TEST(Server, connections_beyond_the_cap_get_503_and_are_closed) {
  auto router = echo_router();
  http::ServerConfig cfg;
  cfg.max_connections = 2;
  TestServer ts(router, cfg);
  Client a(ts.port()), b(ts.port());
  ASSERT_EQ(a.request(bhttp::verb::get, "/api/hello").result_int(), 200);
  ASSERT_EQ(b.request(bhttp::verb::get, "/api/hello").result_int(), 200);
  Client c(ts.port());
  c.send(bhttp::verb::get, "/api/hello");
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(json::parse(res.body())["error"]["code"], "server_busy");
  EXPECT_TRUE(c.closed_by_server());
  // The admitted connections still work.
  EXPECT_EQ(a.request(bhttp::verb::get, "/api/hello").result_int(), 200);
}

TEST(Server, a_slow_client_is_closed_after_the_read_timeout) {
  auto router = echo_router();
  http::ServerConfig cfg;
  cfg.read_timeout = 200ms;
  TestServer ts(router, cfg);
  Client c(ts.port());
  c.send_raw("GET /api/hello HTTP/1.1\r\nHost: x\r\n");  // header never finished
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_server());
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 3s);
}

TEST(Server, an_idle_keep_alive_connection_is_closed_after_the_idle_timeout) {
  auto router = echo_router();
  http::ServerConfig cfg;
  cfg.idle_timeout = 200ms;
  TestServer ts(router, cfg);
  Client c(ts.port());
  ASSERT_EQ(c.request(bhttp::verb::get, "/api/hello").result_int(), 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(Server, readyz_follows_the_readiness_callback_and_healthz_is_always_ok) {
  auto router = echo_router();
  std::atomic<bool> ready{false};
  http::ServerConfig cfg;
  cfg.ready = [&] { return ready.load(); };
  TestServer ts(router, cfg);
  Client c(ts.port());
  EXPECT_EQ(c.request(bhttp::verb::get, "/healthz").body(), "{\"status\":\"ok\"}");
  auto starting = c.request(bhttp::verb::get, "/readyz");
  EXPECT_EQ(starting.result_int(), 503);
  EXPECT_EQ(json::parse(starting.body())["status"], "starting");
  ready = true;
  EXPECT_EQ(c.request(bhttp::verb::get, "/readyz").result_int(), 200);
}

TEST(Server, graceful_shutdown_finishes_the_in_flight_request_then_drains_and_returns) {
  std::atomic<bool> handler_done{false};
  std::atomic<bool> drained_after_handler{false};
  std::atomic<int> drains{0};
  std::promise<void> handler_started;
  http::Router router;
  router.add("POST", "/api/slow", [&](http::Request&) {
    handler_started.set_value();
    std::this_thread::sleep_for(400ms);  // a durable write waiting for its group commit
    handler_done = true;
    return http::json(201, {{"saved", true}});
  });
  router.add("GET", "/api/hello", [](http::Request&) { return http::json(200, {}); });
  http::ServerConfig cfg;
  cfg.on_drain = [&] {
    drained_after_handler = handler_done.load();
    ++drains;
  };
  TestServer ts(router, cfg);
  Client idle(ts.port());
  ASSERT_EQ(idle.request(bhttp::verb::get, "/api/hello").result_int(), 200);
  Client busy(ts.port());
  busy.send(bhttp::verb::post, "/api/slow", "{}");
  handler_started.get_future().wait();
  ts.server().stop();  // as SIGTERM does

  auto res = busy.read();
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_FALSE(res.keep_alive());  // told to go away after this answer
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_EQ(ts.stop_and_join(), 0);
  EXPECT_TRUE(drained_after_handler);
  EXPECT_EQ(drains.load(), 1);
  // Nobody listens any more.
  asio::io_context ioc;
  tcp::socket s(ioc);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), ts.port()), ec);
  EXPECT_TRUE(ec);
}

TEST(Server, listen_accepts_ipv6_and_refuses_a_malformed_address) {
  http::Router router;
  http::ServerConfig bad;
  bad.listen = "localhost";
  http::Server s1(router, bad);
  EXPECT_FALSE(s1.listen().ok());
  http::Router r6;
  http::ServerConfig v6;
  v6.listen = "[::1]:0";
  http::Server s2(r6, v6);
  auto st = s2.listen();
  if (st.ok()) {
    EXPECT_GT(s2.port(), 0);  // hosts without IPv6 loopback cannot bind it
  }
}

TEST(Server, stop_before_run_makes_run_drain_and_return_at_once) {
  http::Router router;
  http::ServerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  cfg.handle_signals = false;
  cfg.access_log = false;
  int drains = 0;
  cfg.on_drain = [&] { ++drains; };
  http::Server s(router, cfg);
  ASSERT_TRUE(s.listen().ok());
  s.stop();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.run(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(drains, 1);
}

namespace {
// One raw request over a fresh connection; returns the JSON body of the answer.
json raw_get(uint16_t port, const std::string& extra_headers) {
  asio::io_context ioc;
  tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string req =
      "GET /api/hello HTTP/1.1\r\nHost: t\r\n" + extra_headers + "Connection: close\r\n\r\n";
  asio::write(sock, asio::buffer(req));
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(sock, buf, res);
  return json::parse(res.body());
}
}  // namespace

TEST(Server, x_forwarded_for_is_believed_only_from_a_trusted_proxy) {
  auto router = echo_router();
  {
    TestServer ts(router);  // no trusted proxies: the header is ignored
    EXPECT_EQ(raw_get(ts.port(), "X-Forwarded-For: 203.0.113.7\r\n")["remote"], "127.0.0.1");
  }
  http::ServerConfig cfg;
  cfg.trusted_proxies = *http::TrustedProxies::parse("127.0.0.1, 10.0.0.0/8");
  TestServer ts(router, cfg);
  EXPECT_EQ(raw_get(ts.port(), "X-Forwarded-For: 203.0.113.7, 10.1.2.3\r\n")["remote"],
            "203.0.113.7");
  EXPECT_EQ(raw_get(ts.port(), "")["remote"], "127.0.0.1");
  EXPECT_EQ(raw_get(ts.port(), "X-Forwarded-For: <script>\r\n")["remote"], "127.0.0.1");
}
