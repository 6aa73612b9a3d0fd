#include "api/attachments_api.hpp"

#include <nlohmann/json.hpp>

#include "api/session.hpp"
#include "common/clock.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

std::optional<int64_t> numeric_param(const Request& req, std::string_view name) {
  std::string_view v = req.param(name);
  if (v.empty() || v.size() > 18) return std::nullopt;
  int64_t id = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id > 0 ? std::optional<int64_t>(id) : std::nullopt;
}

json attachment_json(const store::AttachmentRow& a, bool staff, const std::string& code = {}) {
  json j = {{"id", a.id},
            {"ticket_id", a.ticket_id},
            {"file_name", a.file_name},
            {"content_type", a.content_type},
            {"size", a.size},
            {"sha256", a.sha256},
            {"source", a.source},
            {"created_at", format_iso8601(a.created_at)}};
  if (staff) {
    j["uploaded_by"] = a.uploader_name;
    j["url"] = "/api/v1/attachments/" + std::to_string(a.id) + "/content";
  } else {
    j.erase("ticket_id");
    j["url"] = "/api/v1/track/" + code + "/attachments/" + std::to_string(a.id) + "/content";
  }
  return j;
}

std::string pct_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

Response file_response(const store::AttachmentRow& a, std::string bytes, bool staff) {
  Response res(200, std::move(bytes), a.content_type);
  // ASCII fallback name plus the UTF-8 name (RFC 6266 / 5987).
  std::string ascii;
  for (unsigned char c : a.file_name) ascii.push_back(c < 0x80 && c != '"' && c != '\\' ? c : '_');
  res.headers.set("Content-Disposition", "inline; filename=\"" + ascii + "\"; filename*=UTF-8''" +
                                             pct_encode(a.file_name));
  res.headers.set("X-Content-Type-Options", "nosniff");
  // Staff reads are audited one by one: no shared caches; the bytes of an id never change.
  res.headers.set("Cache-Control", staff ? "private, no-store" : "private, max-age=3600");
  res.headers.set("ETag", "\"" + a.sha256 + "\"");
  return res;
}

Result<app::AttachmentUpload> upload_of(Request& req) {
  app::AttachmentUpload in;
  in.declared_type = std::string(req.headers.get_or("Content-Type"));
  auto name = percent_decode(req.headers.get_or("X-File-Name"));
  if (!name) return make_error(ErrorCode::kInvalidInput, "percent-encoded UTF-8", "X-File-Name");
  in.file_name = std::move(*name);
  in.bytes = std::move(req.body);
  return in;
}

// Errors of an upload; a refused type also lists the accepted ones (`error.accepted`), so the
// offline app can tell its user what to send.
Response upload_error(const Error& e, const Request& req) {
  Response res = http::error(e, req);
  if (e.code != ErrorCode::kUnsupportedMedia) return res;
  auto j = json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return res;
  j["error"]["accepted"] = {"image/jpeg", "image/png", "image/webp"};
  res.body = j.dump();
  return res;
}

// `staff`: the answer names the staff content URL; the citizen's (token) answer does not, as
// that URL needs a session (the citizen reads photos through the tracking page).
Response uploaded(const Result<app::UploadResult>& r, const Request& req, bool staff) {
  if (!r.ok()) return upload_error(r.error(), req);
  json j = attachment_json(r->row, true);
  if (!staff) {
    j.erase("url");
    j.erase("uploaded_by");
  }
  auto res = http::json(r->existed ? 200 : 201, j);
  if (staff) res.headers.set("Location", "/api/v1/attachments/" + std::to_string(r->row.id));
  return res;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

void register_attachments_routes(http::Router& router, app::App& app,
                                 std::shared_ptr<app::AttachmentsService> svc) {
  http::RouteOptions upload;
  upload.public_access = true;  // the citizen's token instead of a session; checked below
  upload.body_limit = app::AttachmentsService::kMaxBytes;
  http::RouteOptions open;
  open.public_access = true;

  // Upload: a staff session + CSRF, or the citizen's X-Attachment-Token from intake.
  router.add(
      "POST", "/api/v1/requests/{id}/attachments",
      [&app, svc](Request& req) -> Response {
        auto id = numeric_param(req, "id");
        auto token = req.headers.get("X-Attachment-Token");
        if (token) {
          if (!id)
            return http::error(
                make_error(ErrorCode::kForbidden, "attachment token invalid", "X-Attachment-Token"),
                req);
          auto in = upload_of(req);
          if (!in.ok()) return http::error(in.error(), req);
          return uploaded(svc->upload_with_token(std::string(*token), *id, *in, req.remote_address,
                                                 req.request_id),
                          req, false);
        }
        auto who = app.authenticate(session_token(req), req.remote_address, req.request_id);
        if (!who.ok()) return http::error(who.error(), req);
        if (req.headers.get_or("X-CSRF-Token") != who->second)
          return http::error(make_error(ErrorCode::kCsrf), req);
        if (!id) return http::error(make_error(ErrorCode::kNotFound), req);
        auto in = upload_of(req);
        if (!in.ok()) return http::error(in.error(), req);
        return uploaded(svc->upload(who->first, *id, *in), req, true);
      },
      upload);

  router.add("GET", "/api/v1/requests/{id}/attachments",
             authed(app, [svc](Request& req, auth::Principal& p) {
               auto id = numeric_param(req, "id");
               if (!id) return http::error(make_error(ErrorCode::kNotFound), req);
               auto r = svc->list(p, *id);
               if (!r.ok()) return http::error(r.error(), req);
               json items = json::array();
               for (const auto& a : *r) items.push_back(attachment_json(a, true));
               return http::json(200, {{"items", items}});
             }));

  router.add("GET", "/api/v1/attachments/{id}/content",
             authed(app, [svc](Request& req, auth::Principal& p) {
               auto id = numeric_param(req, "id");
               if (!id) return http::error(make_error(ErrorCode::kNotFound), req);
               auto r = svc->content(p, *id);
               if (!r.ok()) return http::error(r.error(), req);
               return file_response(r->first, std::move(r->second), true);
             }));

  // The tracking page 查询: the photos the citizen sent (staff photos are internal).
  router.add(
      "GET", "/api/v1/track/{code}/attachments",
      [svc](Request& req) -> Response {
        std::string code(req.param("code"));
        auto r = svc->list_for_tracking(code);
        if (!r.ok()) return http::error(r.error(), req);
        json items = json::array();
        for (const auto& a : *r) items.push_back(attachment_json(a, false, code));
        return http::json(200, {{"items", items}});
      },
      open);

  router.add(
      "GET", "/api/v1/track/{code}/attachments/{id}/content",
      [svc](Request& req) -> Response {
        auto id = numeric_param(req, "id");
        if (!id) return http::error(make_error(ErrorCode::kNotFound), req);
        auto r = svc->content_for_tracking(std::string(req.param("code")), *id);
        if (!r.ok()) return http::error(r.error(), req);
        return file_response(r->first, std::move(r->second), false);
      },
      open);
}

}  // namespace gj::api
