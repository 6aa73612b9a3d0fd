// Structure after Beast's advanced server (example/advanced/server-flex-awaitable): a listen
// coroutine, one coroutine per connection, every async call yielding an error_code.
#include <utility>  // Boost 1.74 Asio needs it before its headers under C++20

#include "http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "common/log.hpp"

namespace gj::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// A connection: the stream plus what the drain needs to know about it.
struct Session {
  explicit Session(tcp::socket&& s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  std::string remote;
  bool busy = false;  // a request is being handled or answered (only touched on the strand)
  uint64_t id = 0;
};

// Runs `f` on the worker pool and resumes the awaiting coroutine on its own executor with the
// result. The tracked executor keeps the io_context alive while the handler runs.
template <typename F>
auto run_on(asio::thread_pool& pool, F f) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [&pool](auto handler, F fn) {
        auto home = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
        asio::post(pool, [handler = std::move(handler), fn = std::move(fn), home]() mutable {
          Response r = fn();
          asio::post(home, [handler = std::move(handler), r = std::move(r)]() mutable {
            handler(std::move(r));
          });
        });
      },
      use_awaitable, std::move(f));
}

bool parse_listen(const std::string& listen, std::string& host, uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  try {
    size_t used = 0;
    int p = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace

struct Server::Impl {
  Impl(Router& r, ServerConfig c)
      : router(r),
        cfg(std::move(c)),
        ioc(std::max(1, cfg.io_threads)),
        workers(static_cast<size_t>(std::max(1, cfg.worker_threads))),
        acceptor(ioc),
        signals(ioc) {}

  Router& router;
  ServerConfig cfg;
  asio::io_context ioc;
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  uint16_t bound_port = 0;
  bool listening = false;
  std::atomic<bool> serving{false};
  std::atomic<bool> draining{false};
  std::atomic<size_t> connections{0};
  std::atomic<size_t> in_flight{0};
  std::atomic<size_t> rejecting{0};  // connections being answered 503 server_busy
  static constexpr size_t kMaxRejecting = 64;
  std::mutex sessions_mu;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;
  uint64_t next_session_id = 1;
  std::function<void()> drained_callback;

  // ---------------------------------------------------------------------------------------
  gj::Status listen() {
    if (listening) return {};
    std::string host;
    uint16_t port = 0;
    if (!parse_listen(cfg.listen, host, port))
      return make_error(ErrorCode::kInvalidInput,
                        "listen address must be ADDR:PORT: " + cfg.listen);
    beast::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) return make_error(ErrorCode::kInvalidInput, "bad listen address: " + host);
    tcp::endpoint ep(addr, port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && addr.is_v6() && addr.to_v6().is_unspecified())
      acceptor.set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return make_error(ErrorCode::kIo, "cannot listen on " + cfg.listen + ": " + ec.message());
    bound_port = acceptor.local_endpoint().port();
    listening = true;
    return {};
  }

  // ---------------------------------------------------------------------------------------
  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket sock = co_await acceptor.async_accept(
          asio::any_io_executor(asio::make_strand(ioc)), asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open() || draining) co_return;
        // Out of file descriptors and the like: back off instead of spinning.
        gj::log::warn("http.accept_failed", {{"error", ec.message()}});
        asio::steady_timer t(ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      auto ex = sock.get_executor();
      if (connections.load() >= cfg.max_connections) {
        // Answering costs a socket for up to 2 s; under a flood, just close.
        if (rejecting.load() < kMaxRejecting) {
          ++rejecting;
          asio::co_spawn(ex, reject_busy(std::move(sock)),
                         [this](std::exception_ptr) { --rejecting; });
        } else {
          sock.close(ec);
        }
        continue;
      }
      ++connections;
      auto s = std::make_shared<Session>(std::move(sock));
      auto remote = s->stream.socket().remote_endpoint(ec);
      if (!ec) s->remote = remote.address().to_string();
      {
        std::lock_guard lock(sessions_mu);
        s->id = next_session_id++;
        sessions.emplace(s->id, s);
      }
      asio::co_spawn(ex, session(s), asio::detached);
    }
  }

  // Over the connection cap: a canned 503 and close, without reading the request. The read
  // afterwards drains what the client sent so the close does not reset the connection before
  // the client has read the answer.
  asio::awaitable<void> reject_busy(tcp::socket sock) {
    static const std::string kResponse = [] {
      auto err = make_error(ErrorCode::kServerBusy);
      std::string body =
          nlohmann::json{
              {"error", {{"code", err.public_code()}, {"message", err.message(Lang::kZh)}}}}
              .dump();
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; "
             "charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\nCache-Control: "
             "no-store\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    beast::tcp_stream stream(std::move(sock));
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(2));
    co_await asio::async_write(stream, asio::buffer(kResponse),
                               asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    char sink[4096];
    while (!ec) {
      co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
    }
  }

  // ---------------------------------------------------------------------------------------
  // An error found while reading (bad header, body too large): answered through the same
  // error body, security headers and access log as handled requests, then the connection closes.
  Response reading_error(const gj::Error& err, std::string_view method, std::string_view target,
                         std::string_view accept_language) {
    Request req;
    req.method = std::string(method);
    req.target = std::string(target);
    req.path = req.target.substr(0, req.target.find('?'));
    req.request_id = new_request_id();
    Response res = error(err, parse_lang(accept_language), req.request_id);
    add_security_headers(res);
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Request-Id", req.request_id);
    log_access(req, res.status, 0);
    return res;
  }

  void log_access(const Request& req, int status, double ms) {
    if (!cfg.access_log) return;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", ms);
    // The path only: query strings may carry names or phone numbers; bodies never go to logs.
    gj::log::info("http.access", {{"method", req.method},
                                  {"path", req.path},
                                  {"status", std::to_string(status)},
                                  {"ms", buf},
                                  {"request_id", req.request_id}});
  }

  static bhttp::response<bhttp::string_body> to_beast(Response&& res, unsigned version, bool head,
                                                      bool keep_alive) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
    for (auto& [k, v] : res.headers.fields()) out.insert(k, v);
    bool no_body =
        res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
    if (!res.content_type.empty() && !no_body)
      out.set(bhttp::field::content_type, res.content_type);
    out.keep_alive(keep_alive);
    if (!no_body) {
      out.content_length(res.body.size());
      if (!head) out.body() = std::move(res.body);
    }
    return out;
  }

  asio::awaitable<void> write(Session& s, bhttp::response<bhttp::string_body>& out,
                              beast::error_code& ec) {
    s.stream.expires_after(cfg.read_timeout);
    co_await bhttp::async_write(s.stream, out, asio::redirect_error(use_awaitable, ec));
  }

  asio::awaitable<void> session(std::shared_ptr<Session> sp) {
    Session& s = *sp;
    beast::flat_buffer buffer;
    beast::error_code ec;
    bool first = true;
    for (;;) {
      // Between requests the idle timeout applies; once bytes arrive, the read timeout.
      if (!first && buffer.size() == 0) {
        if (draining) break;
        s.stream.expires_after(cfg.idle_timeout);
        auto n = co_await s.stream.async_read_some(buffer.prepare(2048),
                                                   asio::redirect_error(use_awaitable, ec));
        if (ec) break;
        buffer.commit(n);
      }
      first = false;

      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(cfg.header_limit));
      parser.body_limit(router.max_body_limit());
      s.stream.expires_after(cfg.read_timeout);
      co_await bhttp::async_read_header(s.stream, buffer, parser,
                                        asio::redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::end_of_stream) break;
      auto& msg = parser.get();
      if (ec) {
        // Answer what can be answered; timeouts and resets just close.
        if (ec == bhttp::error::body_limit) {
          co_await answer_and_close(s, make_error(ErrorCode::kPayloadTooLarge), msg);
        } else if (ec.category() ==
                       bhttp::make_error_code(bhttp::error::end_of_stream).category() ||
                   ec == bhttp::error::header_limit) {
          co_await answer_and_close(s, make_error(ErrorCode::kBadRequest, ec.message()), msg);
        }
        break;
      }

      std::string_view target = msg.target();
      std::string_view path = target.substr(0, target.find('?'));
      auto m = router.match(msg.method_string(), path);
      // 404/405/static files get the default limit.
      size_t limit = m.options ? m.options->body_limit : RouteOptions{}.body_limit;
      if (auto cl = parser.content_length(); cl && *cl > limit) {
        co_await answer_and_close(s, make_error(ErrorCode::kPayloadTooLarge), msg);
        break;
      }
      parser.body_limit(limit);
      if (!parser.is_done()) {
        if (bhttp::token_list(msg[bhttp::field::expect]).exists("100-continue")) {
          co_await asio::async_write(s.stream, asio::buffer(kContinue.data(), kContinue.size()),
                                     asio::redirect_error(use_awaitable, ec));
          if (ec) break;
        }
        co_await bhttp::async_read(s.stream, buffer, parser,
                                   asio::redirect_error(use_awaitable, ec));
        if (ec == bhttp::error::body_limit) {
          co_await answer_and_close(s, make_error(ErrorCode::kPayloadTooLarge), msg);
          break;
        }
        if (ec) break;
      }
      s.stream.expires_never();

      // Hand the request to a handler.
      s.busy = true;
      ++in_flight;
      unsigned version = msg.version();
      bool keep_alive = msg.keep_alive();
      bool head = msg.method() == bhttp::verb::head;
      Request req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      req.headers.reserve(std::distance(msg.begin(), msg.end()));
      for (const auto& f : msg) req.headers.add(f.name_string(), f.value());
      req.body = std::move(msg.body());
      req.remote_address =
          cfg.trusted_proxies.empty()
              ? s.remote
              : client_address(s.remote, req.headers.get("x-forwarded-for").value_or(""),
                               cfg.trusted_proxies);
      bool inline_route = m.options && m.options->run_inline;
      Response res;
      auto job = [this, req = std::move(req)]() mutable {
        auto start = Clock::now();
        Response r = handle(router, req);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        log_access(req, r.status, ms);
        return r;
      };
      if (inline_route)
        res = job();
      else
        res = co_await run_on(workers, std::move(job));

      bool close = !keep_alive || draining;
      auto out = to_beast(std::move(res), version, head, !close);
      co_await write(s, out, ec);
      s.busy = false;
      --in_flight;
      if (ec || close) break;
    }
    s.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    s.stream.close();
    {
      std::lock_guard lock(sessions_mu);
      sessions.erase(s.id);
    }
    --connections;
  }

  template <typename Msg>
  asio::awaitable<void> answer_and_close(Session& s, const gj::Error& err, const Msg& msg) {
    Response res =
        reading_error(err, msg.method_string(), msg.target(), msg[bhttp::field::accept_language]);
    auto out = to_beast(std::move(res), msg.version() ? msg.version() : 11, false, false);
    beast::error_code ec;
    co_await write(s, out, ec);
    if (ec) co_return;
    // Lingering close: the client may still be sending the body we refused. Closing with
    // unread data would reset the connection and could destroy our answer in flight, so
    // read and discard a bounded amount first.
    s.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    s.stream.expires_after(std::chrono::seconds(1));
    char sink[8192];
    size_t discarded = 0;
    while (!ec && discarded < 1024 * 1024) {
      discarded += co_await s.stream.async_read_some(asio::buffer(sink),
                                                     asio::redirect_error(use_awaitable, ec));
    }
  }

  // ---------------------------------------------------------------------------------------
  // Graceful drain (style.md §7): stop accepting, close idle connections, let busy ones
  // finish their request (answered with Connection: close), then stop the I/O threads.
  void begin_drain() {
    if (draining.exchange(true)) return;
    gj::log::info("http.draining", {{"connections", std::to_string(connections.load())},
                                    {"in_flight", std::to_string(in_flight.load())}});
    beast::error_code ec;
    acceptor.close(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessions_mu);
      for (auto& [id, w] : sessions)
        if (auto s = w.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) {
      asio::post(s->stream.get_executor(), [s] {
        if (!s->busy) s->stream.socket().close();
      });
    }
    asio::co_spawn(ioc, wait_for_drain(), asio::detached);
  }

  asio::awaitable<void> wait_for_drain() {
    auto deadline = Clock::now() + cfg.grace_period;
    asio::steady_timer t(ioc);
    while ((connections.load() > 0 || in_flight.load() > 0) && Clock::now() < deadline) {
      t.expires_after(std::chrono::milliseconds(10));
      beast::error_code ec;
      co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (connections.load() > 0 || in_flight.load() > 0)
      gj::log::warn("http.grace_period_over", {{"connections", std::to_string(connections.load())},
                                               {"in_flight", std::to_string(in_flight.load())}});
    beast::error_code ec;
    signals.cancel(ec);
    ioc.stop();
  }
};

Server::Server(Router& router, ServerConfig config)
    : impl_(std::make_unique<Impl>(router, std::move(config))) {
  Impl* impl = impl_.get();
  RouteOptions probe;
  probe.public_access = true;
  probe.csrf_exempt = true;
  probe.run_inline = true;
  router.add(
      "GET", "/healthz",
      [](Request&) {
        return json(200, {{"status", "ok"}});
      },
      probe);
  router.add(
      "GET", "/readyz",
      [impl](Request&) {
        bool ready = impl->serving && !impl->draining && (!impl->cfg.ready || impl->cfg.ready());
        if (ready) return json(200, {{"status", "ready"}});
        return json(503, {{"status", impl->draining ? "draining" : "starting"}});
      },
      probe);
}

Server::~Server() {
  impl_->workers.join();
}

gj::Status Server::listen() {
  return impl_->listen();
}

uint16_t Server::port() const {
  return impl_->bound_port;
}

int Server::run() {
  auto& im = *impl_;
  if (auto st = im.listen(); !st.ok()) throw std::runtime_error(st.error().detail);
  if (im.cfg.handle_signals) {
    im.signals.add(SIGINT);
    im.signals.add(SIGTERM);
    im.signals.async_wait([&im](const beast::error_code& ec, int sig) {
      if (ec) return;
      gj::log::info("http.signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      im.begin_drain();
    });
  }
  asio::co_spawn(im.ioc, im.accept_loop(), asio::detached);
  gj::log::info("http.listening", {{"address", im.cfg.listen},
                                   {"port", std::to_string(im.bound_port)},
                                   {"io_threads", std::to_string(im.cfg.io_threads)},
                                   {"workers", std::to_string(im.cfg.worker_threads)}});
  im.serving = true;
  std::vector<std::thread> threads;
  for (int i = 1; i < im.cfg.io_threads; ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  // Handlers still running after the grace period finish here: their writes must land
  // before the writer is drained.
  im.workers.join();
  im.serving = false;
  if (im.cfg.on_drain) im.cfg.on_drain();
  gj::log::info("http.stopped");
  return 0;
}

void Server::stop() {
  // Posted, so it is safe from any thread and before run(): the drain starts when the I/O
  // threads pick it up.
  auto& im = *impl_;
  asio::post(im.ioc, [&im] { im.begin_drain(); });
}

bool Server::draining() const {
  return impl_->draining;
}

size_t Server::connections() const {
  return impl_->connections;
}

}  // namespace gj::http
