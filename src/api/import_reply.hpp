// The HTTP answer of a file import (organisation data, staff accounts): the `?dry_run=1` switch
// and the 400 of an import that found problems, in one shape for every import.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace gj::api {

// A switch in the query: `name=1` or `name=true`.
bool flag_param(const http::Request& req, std::string_view name);
bool dry_run_param(const http::Request& req);

// 400 invalid_input: "输入数据有误：文件有 N 处问题，未导入任何<what_zh>" with the report's
// problems under error.problems and the whole report under `report`.
http::Response import_rejected(const http::Request& req, const nlohmann::json& report,
                               const std::string& count, std::string_view what_zh,
                               std::string_view nothing_en);

}  // namespace gj::api
