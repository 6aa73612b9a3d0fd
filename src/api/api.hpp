// The JSON API (docs/api.md): thin handlers that parse, call the app facade and map results.
#pragma once

#include "app/app.hpp"
#include "http/router.hpp"

namespace gj::api {

struct ApiConfig {
  bool secure_cookies = false;  // add `Secure` when served over HTTPS (behind a proxy)
  bool demo = false;
};

void register_routes(http::Router& router, app::App& app, const ApiConfig& config);

}  // namespace gj::api
