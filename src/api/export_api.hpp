// Exports 导出 over HTTP: Excel workbooks of the request list, the metric table, the users and
// the audit log, and the monthly PDF report 月度报告 (docs/api.md "Exports").
#pragma once

#include "app/app.hpp"
#include "http/router.hpp"

namespace gj::api {

// Register before the requests routes: /requests/export.xlsx must win over /requests/{id}.
void register_export_routes(http::Router& router, app::App& app);

}  // namespace gj::api
