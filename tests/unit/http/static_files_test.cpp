#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http/router.hpp"
#include "http/static_files.hpp"

namespace http = gj::http;
namespace fs = std::filesystem;

namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("gj_static_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    root_ = base_ / "dist";
    fs::create_directories(root_ / "assets");
    write(root_ / "index.html", "<!doctype html><div id=app></div>");
    write(root_ / "assets" / "index-4f2a9c.js", "console.log('app')");
    write(root_ / "assets" / "index-4f2a9c.js.gz", "GZIPPED");
    write(root_ / "assets" / "style-1b2c.css", "body{}");
    write(root_ / "favicon.svg", "<svg/>");
    write(base_ / "secret.txt", "outside the root");
    router_.serve_static(std::make_shared<http::StaticFiles>(root_));
    router_.add("GET", "/api/v1/ping", [](http::Request&) { return http::json(200, {}); });
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

  http::Response get(std::string target, std::vector<std::pair<std::string, std::string>> h = {}) {
    http::Request req;
    req.method = "GET";
    req.target = std::move(target);
    for (auto& [k, v] : h) req.headers.set(k, v);
    return http::handle(router_, req);
  }

  fs::path base_, root_;
  http::Router router_;
};

}  // namespace

TEST_F(StaticFilesTest, files_get_their_mime_type) {
  auto js = get("/assets/index-4f2a9c.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "console.log('app')");
  EXPECT_EQ(get("/assets/style-1b2c.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get("/favicon.svg").content_type, "image/svg+xml");
  EXPECT_EQ(get("/").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(http::mime_type("x.woff2"), "font/woff2");
  EXPECT_EQ(http::mime_type("x.unknown"), "application/octet-stream");
}

TEST_F(StaticFilesTest, path_traversal_is_refused) {
  for (auto t : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                 "/assets/%2E%2E/%2E%2E/secret.txt", "/..%2fsecret.txt",
                 "/assets/..\\..\\secret.txt", "/.hidden.txt"}) {
    auto res = get(t);
    EXPECT_EQ(res.status, 404) << t;
    EXPECT_EQ(res.body.find("outside the root"), std::string::npos) << t;
  }
}

TEST_F(StaticFilesTest, a_symlink_out_of_the_root_is_refused) {
  fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
  EXPECT_EQ(get("/leak.txt").status, 404);
}

TEST_F(StaticFilesTest, app_routes_fall_back_to_index_html_but_missing_files_and_api_do_not) {
  auto app = get("/requests/2026/123");
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(app.body, "<!doctype html><div id=app></div>");
  EXPECT_EQ(app.headers.get_or("Cache-Control"), "no-cache");
  EXPECT_EQ(get("/assets/missing-123.js").status, 404);
  auto api = get("/api/v1/unknown");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.content_type, "application/json; charset=utf-8");
}

TEST_F(StaticFilesTest, hashed_assets_are_immutable_and_index_html_is_no_cache) {
  EXPECT_EQ(get("/assets/style-1b2c.css").headers.get_or("Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(get("/").headers.get_or("Cache-Control"), "no-cache");
  EXPECT_EQ(get("/index.html").headers.get_or("Cache-Control"), "no-cache");
  // Static responses carry the security headers too (the CSP matters most on index.html).
  EXPECT_FALSE(get("/").headers.get_or("Content-Security-Policy").empty());
}

TEST_F(StaticFilesTest, a_matching_if_none_match_gets_304_without_a_body) {
  auto first = get("/assets/style-1b2c.css");
  auto etag = std::string(first.headers.get_or("ETag"));
  ASSERT_FALSE(etag.empty());
  auto again = get("/assets/style-1b2c.css", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  auto weak = get("/assets/style-1b2c.css", {{"If-None-Match", "\"x\", W/" + etag}});
  EXPECT_EQ(weak.status, 304);
  auto other = get("/assets/style-1b2c.css", {{"If-None-Match", "\"stale\""}});
  EXPECT_EQ(other.status, 200);
}

TEST_F(StaticFilesTest, a_precompressed_file_is_served_to_clients_that_accept_gzip) {
  auto gz = get("/assets/index-4f2a9c.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(gz.body, "GZIPPED");
  EXPECT_EQ(gz.headers.get_or("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(gz.headers.get_or("Vary"), "Accept-Encoding");
  auto plain = get("/assets/index-4f2a9c.js");
  EXPECT_EQ(plain.body, "console.log('app')");
  EXPECT_FALSE(plain.headers.has("Content-Encoding"));
  EXPECT_NE(gz.headers.get_or("ETag"), plain.headers.get_or("ETag"));
}

// The grid-worker app (issue 4): /m/grid and its sub-routes are app routes, and its service
// worker is revalidated on every check (a stale worker would pin phones to an old app shell).
TEST_F(StaticFilesTest, the_grid_app_routes_fall_back_and_its_service_worker_is_no_cache) {
  write(root_ / "grid-sw.js", "self.__GJ_VERSION = 'v1'");
  write(root_ / "grid.webmanifest", "{}");
  for (auto t : {"/m/grid", "/m/grid/outbox", "/m/grid/case/12"}) {
    auto r = get(t);
    EXPECT_EQ(r.status, 200) << t;
    EXPECT_EQ(r.body, "<!doctype html><div id=app></div>") << t;
    EXPECT_EQ(r.headers.get_or("Cache-Control"), "no-cache") << t;
  }
  auto sw = get("/grid-sw.js");
  EXPECT_EQ(sw.status, 200);
  EXPECT_EQ(sw.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(sw.headers.get_or("Cache-Control"), "no-cache");
  EXPECT_EQ(get("/grid.webmanifest").content_type, "application/manifest+json");
}
