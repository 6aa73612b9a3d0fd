// HTTP handlers of the organisation data imports 组织数据导入 (docs/api.md, "Organisation"):
// grid boundaries (GeoJSON) and units (CSV), each with a dry run, and the grids as GeoJSON.
#pragma once

#include "app/app.hpp"
#include "http/router.hpp"

namespace gj::api {

void register_org_routes(http::Router& router, app::App& app);

}  // namespace gj::api
