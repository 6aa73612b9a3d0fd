// JSON API of the command-centre dashboard 指挥中心 (docs/api.md, "Dashboard"): the summary of
// an area and period, its map data and a change token to poll. Thin: parse, call
// app::DashboardService, map the result.
#pragma once

#include "api/api.hpp"

namespace gj::api {

void register_dashboard_routes(http::Router& router, app::App& app);

}  // namespace gj::api
