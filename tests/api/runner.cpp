// gj_api_runner: API behaviour written as data (style.md §5), run against a real server.
//   gj_api_runner --base http://127.0.0.1:8080 [--verbose] tests/api/cases [more files/dirs]
// Prints one line per step and a closing line `N passed, N failed`; exits 1 on any failure,
// 2 on bad usage. The case file format is described in tests/api/README.md.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "case_runner.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using gj::api_cases::HeaderList;
using gj::api_cases::Reply;

namespace {

struct Target {
  std::string host, port;
};

Reply send_request(const Target& base, const std::string& method, const std::string& target,
                   const HeaderList& headers, const std::string& body) {
  asio::io_context ioc;
  Reply reply;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        beast::error_code ec;
        tcp::resolver resolver(ioc);
        auto eps = co_await resolver.async_resolve(base.host, base.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          reply.error = "resolve: " + ec.message();
          co_return;
        }
        beast::tcp_stream stream(ioc);
        stream.expires_after(std::chrono::seconds(30));
        co_await stream.async_connect(eps, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          reply.error = "connect: " + ec.message();
          co_return;
        }
        bhttp::request<bhttp::string_body> req;
        req.method_string(method);
        req.target(target);
        req.version(11);
        req.set(bhttp::field::host, base.host + ":" + base.port);
        req.set(bhttp::field::user_agent, "gj_api_runner");
        for (const auto& [k, v] : headers) req.insert(k, v);
        req.keep_alive(false);
        if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
          req.body() = body;
          req.prepare_payload();
        }
        co_await bhttp::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          reply.error = "write: " + ec.message();
          co_return;
        }
        beast::flat_buffer buf;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        parser.skip(method == "HEAD");
        co_await bhttp::async_read(stream, buf, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          reply.error = "read: " + ec.message();
          co_return;
        }
        auto& res = parser.get();
        reply.status = res.result_int();
        for (const auto& f : res)
          reply.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        reply.body = std::move(res.body());
      },
      asio::detached);
  ioc.run();
  return reply;
}
bool parse_base(std::string url, Target& t) {
  if (url.starts_with("http://"))
    url = url.substr(7);
  else
    return false;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.find('/') != std::string::npos) return false;
  auto colon = url.rfind(':');
  if (colon == std::string::npos || url.back() == ']') {
    t.host = url;
    t.port = "80";
  } else {
    t.host = url.substr(0, colon);
    t.port = url.substr(colon + 1);
  }
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  return !t.host.empty() && !t.port.empty();
}

constexpr const char* kUsage =
    "usage: gj_api_runner --base http://HOST:PORT [--verbose] PATH...\n"
    "  PATH: a .case file or a folder searched recursively for *.case (run in name order)\n";

}  // namespace

int main(int argc, char** argv) {
  std::string base_url;
  bool verbose = false;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--base" && i + 1 < argc) {
      base_url = argv[++i];
    } else if (a.starts_with("--base=")) {
      base_url = a.substr(7);
    } else if (a == "--verbose") {
      verbose = true;
    } else if (a.starts_with("--")) {
      std::cerr << "gj_api_runner: unknown option " << a << "\n" << kUsage;
      return 2;
    } else {
      inputs.emplace_back(a);
    }
  }
  Target base;
  if (base_url.empty() || inputs.empty() || !parse_base(base_url, base)) {
    std::cerr << kUsage;
    return 2;
  }
  for (const auto& p : inputs) {
    if (!fs::exists(p)) {
      std::cerr << "gj_api_runner: no such file or folder: " << p.string() << "\n";
      return 2;
    }
  }
  auto transport = [&](const std::string& method, const std::string& target,
                       const HeaderList& headers, const std::string& body) {
    return send_request(base, method, target, headers, body);
  };
  auto t = gj::api_cases::run_cases(inputs, transport, std::cout, verbose);
  std::cout << t.passed << " passed, " << t.failed << " failed\n";
  return t.failed == 0 && t.passed > 0 ? 0 : 1;
}
