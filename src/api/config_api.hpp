// JSON API of the configuration editor 配置管理 (docs/api.md, "Configuration"): the
// responsibility matrix, SLA tiers, holiday calendar and categories, for admin and command
// roles. Thin: parse, call app::ConfigService, map the result.
#pragma once

#include "api/api.hpp"

namespace gj::api {

void register_config_routes(http::Router& router, app::App& app);

}  // namespace gj::api
