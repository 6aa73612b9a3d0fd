// Routes of the echo server, shared by gj_http_echo_server and the in-process API case test:
// login (session cookie + CSRF token), a session/CSRF middleware as the integrator will write
// it, echo, items/{id}, a form route, a slow route and one that throws.
#pragma once

#include "http/router.hpp"

void add_echo_routes(gj::http::Router& router);
