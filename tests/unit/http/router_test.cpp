#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/router.hpp"

namespace http = gj::http;
using nlohmann::json;

namespace {

http::Request make(std::string method, std::string target, std::string body = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

json body_of(const http::Response& r) {
  return json::parse(r.body);
}

http::Router sample_router() {
  http::Router router;
  router.add("GET", "/api/v1/org/nodes/{code}", [](http::Request& req) {
    return http::json(200, {{"code", req.param("code")}});
  });
  router.add("POST", "/api/v1/org/nodes", [](http::Request& req) {
    return http::json(201, {{"size", req.body.size()}});
  });
  router.add("GET", "/api/v1/org/nodes",
             [](http::Request&) { return http::json(200, json::array()); });
  router.add("GET", "/api/v1/org/nodes/{code}/members/{user}", [](http::Request& req) {
    return http::json(200, {{"code", req.param("code")}, {"user", req.param("user")}});
  });
  return router;
}

}  // namespace

TEST(Router, a_pattern_with_parameters_matches_and_fills_them_decoded) {
  auto router = sample_router();
  auto req = make("GET", "/api/v1/org/nodes/610981%E4%B8%AD/members/u7");
  auto res = http::handle(router, req);
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(body_of(res)["code"], "610981中");
  EXPECT_EQ(body_of(res)["user"], "u7");
}

TEST(Router, literal_routes_and_parameter_routes_do_not_shadow_each_other) {
  auto router = sample_router();
  auto a = make("GET", "/api/v1/org/nodes");
  EXPECT_EQ(http::handle(router, a).body, "[]");
  auto b = make("GET", "/api/v1/org/nodes/x/members");
  EXPECT_EQ(http::handle(router, b).status, 404);
  auto c = make("GET", "/api/v1/org/nodes/");  // empty parameter does not match
  EXPECT_EQ(http::handle(router, c).status, 404);
}

TEST(Router, an_unknown_path_is_404_no_route_with_the_request_id_in_the_body) {
  auto router = sample_router();
  auto req = make("GET", "/api/v1/nothing/here");
  auto res = http::handle(router, req);
  EXPECT_EQ(res.status, 404);
  auto j = body_of(res);
  EXPECT_EQ(j["error"]["code"], "no_route");
  EXPECT_EQ(j["error"]["request_id"], req.request_id);
  EXPECT_EQ(res.headers.get_or("X-Request-Id"), req.request_id);
  EXPECT_EQ(req.request_id.size(), 12u);
}

TEST(Router, a_known_path_with_another_method_is_405_with_allow) {
  auto router = sample_router();
  auto req = make("DELETE", "/api/v1/org/nodes");
  auto res = http::handle(router, req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(body_of(res)["error"]["code"], "method_not_allowed");
  EXPECT_EQ(res.headers.get_or("Allow"), "POST, GET, HEAD");
}

TEST(Router, head_is_answered_by_the_get_route) {
  auto router = sample_router();
  auto req = make("HEAD", "/api/v1/org/nodes/1");
  EXPECT_EQ(http::handle(router, req).status, 200);
}

TEST(Router, a_body_over_the_route_limit_is_413) {
  http::Router router;
  http::RouteOptions small;
  small.body_limit = 10;
  router.add(
      "POST", "/api/x", [](http::Request&) { return http::json(200, {}); }, small);
  auto ok = make("POST", "/api/x", "0123456789");
  EXPECT_EQ(http::handle(router, ok).status, 200);
  auto big = make("POST", "/api/x", "0123456789a");
  auto res = http::handle(router, big);
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(body_of(res)["error"]["code"], "payload_too_large");
  EXPECT_EQ(router.max_body_limit(), 64u * 1024);
}

TEST(Router, an_exception_in_a_handler_becomes_500_internal_with_the_request_id) {
  http::Router router;
  router.add("GET", "/api/boom", [](http::Request&) -> http::Response {
    throw std::runtime_error("the database caught fire");
  });
  auto req = make("GET", "/api/boom");
  req.headers.set("Accept-Language", "en-GB,en;q=0.8");
  auto res = http::handle(router, req);
  EXPECT_EQ(res.status, 500);
  auto j = body_of(res);
  EXPECT_EQ(j["error"]["code"], "internal");
  EXPECT_EQ(j["error"]["message"], "Internal server error");
  EXPECT_EQ(j["error"]["request_id"], req.request_id);
  // The exception text is for the log, never for the client.
  EXPECT_EQ(res.body.find("fire"), std::string::npos);
}

TEST(Router, error_messages_follow_accept_language_and_name_the_field) {
  http::Router router;
  router.add("POST", "/api/f", [](http::Request& req) {
    return http::error(gj::make_error(gj::ErrorCode::kMissingField, {}, "title"), req.lang());
  });
  auto zh = make("POST", "/api/f");
  auto j = body_of(http::handle(router, zh));
  EXPECT_EQ(j["error"]["code"], "missing_field");
  EXPECT_EQ(j["error"]["field"], "title");
  EXPECT_EQ(j["error"]["message"], "缺少必填项");      // the field name travels in "field" only
  EXPECT_EQ(j["error"]["request_id"], zh.request_id);  // picked up from the handling thread
  auto en = make("POST", "/api/f");
  en.headers.set("accept-language", "en");
  EXPECT_EQ(body_of(http::handle(router, en))["error"]["message"], "A required field is missing");
}

TEST(Router, every_response_carries_the_security_headers) {
  auto router = sample_router();
  for (auto target : {"/api/v1/org/nodes", "/api/none", "/not-api"}) {
    auto req = make("GET", target);
    auto res = http::handle(router, req);
    EXPECT_EQ(res.headers.get_or("Content-Security-Policy"), http::kContentSecurityPolicy)
        << target;
    EXPECT_EQ(res.headers.get_or("x-content-type-options"), "nosniff");
    EXPECT_EQ(res.headers.get_or("X-Frame-Options"), "DENY");
    EXPECT_EQ(res.headers.get_or("Referrer-Policy"), "same-origin");
    EXPECT_NE(std::string(http::kContentSecurityPolicy).find("frame-ancestors 'none'"),
              std::string::npos);
  }
  auto api = make("GET", "/api/v1/org/nodes");
  EXPECT_EQ(http::handle(router, api).headers.get_or("Cache-Control"), "no-store");
}

TEST(Router, a_well_formed_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced) {
  auto router = sample_router();
  auto good = make("GET", "/api/v1/org/nodes");
  good.headers.set("X-Request-Id", "edge-7f3a.1");
  EXPECT_EQ(http::handle(router, good).headers.get_or("X-Request-Id"), "edge-7f3a.1");
  auto bad = make("GET", "/api/v1/org/nodes");
  bad.headers.set("X-Request-Id", "<script>");
  auto id = http::handle(router, bad).headers.get_or("X-Request-Id");
  EXPECT_NE(id, "<script>");
  EXPECT_TRUE(http::is_well_formed_request_id(id));
  router.trust_request_id_header(false);
  auto untrusted = make("GET", "/api/v1/org/nodes");
  untrusted.headers.set("X-Request-Id", "edge-1");
  EXPECT_NE(http::handle(router, untrusted).headers.get_or("X-Request-Id"), "edge-1");
}

TEST(Router, middleware_runs_before_the_handler_and_can_answer_instead) {
  auto router = sample_router();
  std::vector<std::string> seen;
  router.use([&](http::Request& req) -> std::optional<http::Response> {
    seen.push_back(req.path);
    if (req.headers.get_or("Cookie").empty())
      return http::error(gj::make_error(gj::ErrorCode::kUnauthenticated), req);
    return std::nullopt;
  });
  router.after([](const http::Request&, http::Response& res) { res.headers.set("X-After", "1"); });
  auto anon = make("GET", "/api/v1/org/nodes/7");
  auto res = http::handle(router, anon);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.headers.get_or("X-After"), "1");
  auto user = make("GET", "/api/v1/org/nodes/7");
  user.headers.set("Cookie", "sid=1");
  EXPECT_EQ(http::handle(router, user).status, 200);
  // Middleware sees only matched routes, with the route's options.
  auto missing = make("GET", "/api/v1/missing");
  EXPECT_EQ(http::handle(router, missing).status, 404);
  EXPECT_EQ(seen.size(), 2u);
}

TEST(Router, a_broken_query_string_is_400_and_invalid_utf8_in_it_is_invalid_utf8) {
  auto router = sample_router();
  auto broken = make("GET", "/api/v1/org/nodes?q=%zz");
  EXPECT_EQ(body_of(http::handle(router, broken))["error"]["code"], "bad_request");
  auto bad = make("GET", "/api/v1/org/nodes?q=%ff%fe");
  auto j = body_of(http::handle(router, bad));
  EXPECT_EQ(j["error"]["code"], "invalid_utf8");
  EXPECT_EQ(j["error"]["field"], "q");
  auto param = make("GET", "/api/v1/org/nodes/%C0%AF");
  EXPECT_EQ(body_of(http::handle(router, param))["error"]["code"], "invalid_utf8");
}

TEST(Router, query_parameters_are_decoded_into_the_multimap) {
  http::Router router;
  router.add("GET", "/api/q", [](http::Request& req) {
    json tags = json::array();
    auto [b, e] = req.query.equal_range("tag");
    for (auto it = b; it != e; ++it) tags.push_back(it->second);
    return http::json(200, {{"name", req.query_param("name").value_or("")}, {"tags", tags}});
  });
  auto req = make("GET", "/api/q?name=%E5%BC%A0+%E4%B8%89&tag=a&tag=b&&empty");
  auto j = body_of(http::handle(router, req));
  EXPECT_EQ(j["name"], "张 三");
  EXPECT_EQ(j["tags"], json({"a", "b"}));
  EXPECT_EQ(req.path, "/api/q");
}
