// The API self-test cases run in-process: the same files gj_api_runner sends over a socket,
// here through http::handle() with no socket (style.md §5: in-process for speed).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "case_runner.hpp"
#include "echo_routes.hpp"
#include "http/server.hpp"
#include "in_process.hpp"

namespace http = gj::http;
namespace cases = gj::api_cases;

namespace {
const std::string kDir = GJ_SOURCE_DIR "/tests/api/";

// The echo routes plus the built-in probes (a Server adds them; it is never run here).
struct EchoApp {
  EchoApp() {
    add_echo_routes(router);
    http::ServerConfig cfg;
    cfg.worker_threads = 1;
    cfg.handle_signals = false;
    server = std::make_unique<http::Server>(router, cfg);
  }
  http::Router router;
  std::unique_ptr<http::Server> server;
};
}  // namespace

TEST(ApiCases, the_self_test_cases_pass_in_process) {
  EchoApp app;
  std::ostringstream out;
  // 01_probes needs a running server (readyz, HEAD over the wire): the CTest covers it.
  auto t = cases::run_cases({kDir + "selftest/02_errors.case", kDir + "selftest/03_session.case",
                             kDir + "selftest/04_forms.case"},
                            cases::in_process(app.router), out);
  EXPECT_EQ(t.failed, 0) << out.str();
  EXPECT_EQ(t.passed, 20) << out.str();
}

TEST(ApiCases, every_must_fail_case_fails_in_process) {
  EchoApp app;
  std::ostringstream out;
  auto t = cases::run_cases({kDir + "selftest_failing"}, cases::in_process(app.router), out);
  EXPECT_EQ(t.passed, 0) << out.str();
  EXPECT_EQ(t.failed, 7) << out.str();
  EXPECT_NE(out.str().find("skip "), std::string::npos);
}

TEST(ApiCases, a_malformed_case_file_is_reported_with_its_line) {
  auto path =
      std::filesystem::temp_directory_path() / ("gj_bad_" + std::to_string(::getpid()) + ".case");
  std::ofstream(path) << "### no request line\nexpect 200\n";
  EchoApp app;
  std::ostringstream out;
  auto t = cases::run_cases({path}, cases::in_process(app.router), out);
  std::filesystem::remove(path);
  EXPECT_EQ(t.failed, 1);
  EXPECT_NE(out.str().find(":2: request line must be 'METHOD /path'"), std::string::npos)
      << out.str();
}
