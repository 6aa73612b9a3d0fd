// An in-process transport for the case runner: requests go straight through
// http::handle(router, req) with no socket, so API cases can run inside a unit test.
#pragma once

#include <string>

#include "case_runner.hpp"
#include "http/router.hpp"

namespace gj::api_cases {

inline Transport in_process(const gj::http::Router& router) {
  return [&router](const std::string& method, const std::string& target, const HeaderList& headers,
                   const std::string& body) {
    gj::http::Request req;
    req.method = method;
    req.target = target;
    for (const auto& [k, v] : headers) req.headers.add(k, v);
    req.body = body;
    req.remote_address = "127.0.0.1";
    gj::http::Response res = gj::http::handle(router, req);
    Reply r;
    r.status = res.status;
    r.headers = res.headers.fields();
    bool no_body = res.status == 204 || res.status == 304;
    if (!res.content_type.empty() && !no_body)
      r.headers.emplace_back("Content-Type", res.content_type);
    if (!no_body) r.headers.emplace_back("Content-Length", std::to_string(res.body.size()));
    if (method != "HEAD") r.body = std::move(res.body);
    return r;
  };
}

}  // namespace gj::api_cases
