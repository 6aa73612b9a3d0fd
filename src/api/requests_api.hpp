// JSON API of the citizen-request loop 接诉即办 (docs/api.md, "Requests"): intake (public for
// citizens, authenticated for staff channels), lists, details, actions, duplicates, citizen
// tracking and rating, metrics, categories, hot issues. Thin: parse, call
// app::RequestsService, map the result.
#pragma once

#include "api/api.hpp"

namespace gj::api {

void register_requests_routes(http::Router& router, app::App& app, const ApiConfig& config);

// `?callback=due`: only the command centre's call-back queue 待回访 (the list and its export);
// absent or empty: everything; anything else 400 invalid_input (field callback).
Result<bool> callback_filter(const http::Request& req);

}  // namespace gj::api
