// Peer baseline for bench/http/run.sh: the smallest Beast coroutine server (as in
// architecture.md's measurement) answering on the I/O threads, with the same JSON work per
// POST as gj_bench_http_server but no router, worker pool, security headers or access log.
// Usage: gj_bench_http_bare [--listen 127.0.0.1:8088] [--io 2]
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
std::atomic<int64_t> g_next{1};

asio::awaitable<void> session(beast::tcp_stream stream) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    bhttp::request<bhttp::string_body> req;
    stream.expires_after(std::chrono::seconds(30));
    co_await bhttp::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, "application/json");
    if (req.method() == bhttp::verb::post) {
      auto j = nlohmann::json::parse(req.body(), nullptr, false);
      if (j.is_object() && j.contains("title") && j["title"].is_string()) {
        res.result(bhttp::status::created);
        res.body() =
            nlohmann::json{{"id", g_next++}, {"title", j["title"]}, {"status", "open"}}.dump();
      } else {
        res.result(bhttp::status::bad_request);
      }
    } else {
      res.body() = "{\"status\":\"ok\"}";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> listen(asio::io_context& ioc, tcp::endpoint ep) {
  tcp::acceptor acceptor(ioc, ep);
  for (;;) {
    beast::error_code ec;
    auto sock = co_await acceptor.async_accept(asio::any_io_executor(asio::make_strand(ioc)),
                                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) continue;
    sock.set_option(tcp::no_delay(true));
    auto ex = sock.get_executor();
    asio::co_spawn(ex, session(beast::tcp_stream(std::move(sock))), asio::detached);
  }
}
}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned short port = 8088;
  int io = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--listen") {
      std::string l = argv[i + 1];
      host = l.substr(0, l.rfind(':'));
      port = static_cast<unsigned short>(std::stoi(l.substr(l.rfind(':') + 1)));
    } else if (a == "--io") {
      io = std::stoi(argv[i + 1]);
    }
  }
  asio::io_context ioc(io);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](auto, auto) { ioc.stop(); });
  asio::co_spawn(ioc, listen(ioc, tcp::endpoint(asio::ip::make_address(host), port)),
                 asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < io; ++i) threads.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  return 0;
}
