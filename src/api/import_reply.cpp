#include "api/import_reply.hpp"

namespace gj::api {

using nlohmann::json;

bool flag_param(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  return v && (*v == "1" || *v == "true");
}

bool dry_run_param(const http::Request& req) {
  return flag_param(req, "dry_run");
}

http::Response import_rejected(const http::Request& req, const json& report,
                               const std::string& count, std::string_view what_zh,
                               std::string_view nothing_en) {
  Error e = make_error(ErrorCode::kInvalidInput);
  bool zh = req.lang() == Lang::kZh;
  json err = {
      {"code", e.public_code()},
      {"message", e.message(req.lang()) +
                      (zh ? "：文件有 " + count + " 处问题，未导入任何" + std::string(what_zh)
                          : ": the file has " + count + " problems; " + std::string(nothing_en))},
      {"problems", report["problems"]}};
  if (!req.request_id.empty()) err["request_id"] = req.request_id;
  return http::json(400, json{{"error", err}, {"report", report}});
}

}  // namespace gj::api
