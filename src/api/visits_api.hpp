// JSON API of care visits 走访记录 (docs/api.md, "Care visits"): POST /api/v1/visits with an
// Idempotency-Key (the grid-worker app queues visits offline and replays them), GET
// /api/v1/visits?grid=&from=&to= scoped to the caller's area. Thin: parse, call
// app::VisitsService, map the result.
#pragma once

#include "api/api.hpp"

namespace gj::api {

void register_visits_routes(http::Router& router, app::App& app);

}  // namespace gj::api
