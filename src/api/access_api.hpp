// HTTP handlers of the 15-minute service circle 15分钟服务圈 (docs/api.md, "Access").
#pragma once

#include "app/app.hpp"
#include "http/router.hpp"

namespace gj::api {

// Registers /api/v1/access/*; keeps its own AccessService (with the loaded-graph cache).
void register_access_routes(http::Router& router, app::App& app);

}  // namespace gj::api
