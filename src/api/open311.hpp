// Open311 GeoReport v2 at /open311/v2/ (docs/open311.md): the public standard API that other
// systems (apps, city portals) use to list services, submit requests with an API key and read
// public requests, in JSON and XML. A thin adapter over the requests service 接诉即办: it never
// shows personal data (requester name, phone, e-mail) and lists only public tickets.
#pragma once

#include "app/app.hpp"
#include "http/router.hpp"

namespace gj::api {

void register_open311_routes(http::Router& router, app::App& app);

}  // namespace gj::api
