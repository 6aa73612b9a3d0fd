// Errors are values (style.md §2): one closed catalogue maps every code to an HTTP status,
// a stable public code and a message in zh-CN and en. Anything not in the catalogue is a bug
// and surfaces as kInternal (500) with the request id in the log.
#pragma once

#include <string>
#include <string_view>

namespace gj {

// X(Name, http_status, "public_code", "zh-CN message", "en message")
#define GJ_ERROR_CATALOGUE(X)                                                                     \
  X(kOk, 200, "ok", "成功", "OK")                                                                 \
  X(kBadJson, 400, "bad_json", "请求内容不是有效的 JSON", "The request body is not valid JSON")   \
  X(kBadRequest, 400, "bad_request", "请求参数有误", "The request is invalid")                    \
  X(kMissingField, 400, "missing_field", "缺少必填项", "A required field is missing")             \
  X(kWrongType, 400, "wrong_type", "字段类型不正确", "A field has the wrong type")                \
  X(kTooLong, 400, "too_long", "内容超过允许的长度", "A value is longer than allowed")            \
  X(kInvalidUtf8, 400, "invalid_utf8", "文本编码无效（须为 UTF-8）", "Text is not valid UTF-8")   \
  X(kInvalidIdNumber, 400, "invalid_id_number", "身份证号码无效（校验位不符）",                   \
    "The ID number is invalid (checksum mismatch)")                                               \
  X(kInvalidPhone, 400, "invalid_phone", "手机号码格式不正确", "The phone number is invalid")     \
  X(kInvalidCode, 400, "invalid_code", "区划或网格代码无效",                                      \
    "The division or grid code is invalid")                                                       \
  X(kRetiredGrid, 400, "retired_grid", "该网格已在网格调整中停用，请改选调整后的网格",            \
    "That grid was retired in a re-division; choose one of the new grids")                        \
  X(kRetiredUnit, 400, "retired_unit", "该单位已在机构改革中撤销，请改选现在的单位",              \
    "That unit was withdrawn in a reform; choose one of the current units")                       \
  X(kWeakPassword, 400, "weak_password", "密码至少 10 位，且须包含字母和数字",                    \
    "Passwords need at least 10 characters with letters and digits")                              \
  X(kInvalidInput, 400, "invalid_input", "输入数据有误", "The input data is invalid")             \
  X(kUnauthenticated, 401, "unauthenticated", "请先登录", "Please sign in")                       \
  X(kBadCredentials, 401, "bad_credentials", "用户名或密码错误", "Wrong user name or password")   \
  X(kWrongPassword, 400, "wrong_password", "当前密码不正确", "The current password is wrong")     \
  X(kAccountLocked, 423, "account_locked", "登录失败次数过多，账号已暂时锁定",                    \
    "Too many failed sign-ins; the account is temporarily locked")                                \
  X(kAccountDisabled, 403, "account_disabled", "账号已停用", "The account is disabled")           \
  X(kCsrf, 403, "csrf", "安全校验失败，请刷新页面后重试",                                         \
    "Security check failed; reload the page and try again")                                       \
  X(kForbidden, 403, "forbidden", "当前角色无权执行此操作", "Your role may not do this")          \
  X(kPasswordExpired, 403, "password_expired",                                                    \
    "管理员发放的密码已过期（7天内未使用），请联系管理员重置",                                    \
    "The password an administrator issued has expired (unused for 7 days): ask for a reset")      \
  X(kPasswordChangeRequired, 403, "password_change_required", "请先在个人设置中设置您自己的密码", \
    "Choose your own password in Settings first")                                                 \
  X(kNotFound, 404, "not_found", "未找到该记录", "Not found")                                     \
  X(kNoRoute, 404, "no_route", "接口不存在", "No such endpoint")                                  \
  X(kMethodNotAllowed, 405, "method_not_allowed", "不支持该请求方法", "Method not allowed")       \
  X(kConflict, 409, "conflict", "与现有数据冲突", "Conflicts with existing data")                 \
  X(kAlreadyExists, 409, "already_exists", "记录已存在", "Already exists")                        \
  X(kIdempotencyMismatch, 409, "idempotency_mismatch", "该幂等键已用于不同的提交内容",            \
    "The idempotency key was used with a different body")                                         \
  X(kIllegalTransition, 409, "illegal_transition", "当前状态下不能执行该操作",                    \
    "This action is not allowed in the current state")                                            \
  X(kPayloadTooLarge, 413, "payload_too_large", "请求内容过大", "The request body is too large")  \
  X(kUnsupportedMedia, 415, "unsupported_media_type", "不支持的内容类型",                         \
    "Unsupported content type")                                                                   \
  X(kRateLimited, 429, "rate_limited", "请求过于频繁，请稍后再试", "Too many requests")           \
  X(kInternal, 500, "internal", "服务器内部错误", "Internal server error")                        \
  X(kStorageUnavailable, 503, "storage_unavailable", "数据存储暂不可用，本次提交未保存",          \
    "Storage is unavailable; nothing was saved")                                                  \
  X(kShuttingDown, 503, "shutting_down", "服务正在停止，请稍后重试",                              \
    "The server is shutting down; try again shortly")                                             \
  X(kServerBusy, 503, "server_busy", "服务器繁忙，请稍后重试",                                    \
    "The server is busy; try again shortly")                                                      \
  X(kIo, 500, "io_error", "文件读写失败", "File input/output failed")

enum class ErrorCode {
#define GJ_ENUM(name, status, pub, zh, en) name,
  GJ_ERROR_CATALOGUE(GJ_ENUM)
#undef GJ_ENUM
};

struct ErrorInfo {
  ErrorCode code;
  int http_status;
  std::string_view public_code;
  std::string_view message_zh;
  std::string_view message_en;
};

// The one catalogue lookup; every edge (HTTP, CLI) goes through it.
const ErrorInfo& error_info(ErrorCode code);
// Parses a public code back (used by tests and the API case runner).
bool error_code_from_public(std::string_view pub, ErrorCode& out);

enum class Lang { kZh, kEn };
Lang parse_lang(std::string_view accept_language);

// A module's own catalogue of reasons (what exactly is wrong with an input, beyond the error
// code), each in zh-CN and en: the configuration editor's, the organisation imports'.
struct Reason {
  std::string_view code, zh, en;
};
// The text of `code` in `lang`; empty when the catalogue has no such code.
template <size_t N>
constexpr std::string_view reason_text(const Reason (&catalogue)[N], std::string_view code,
                                       Lang lang) {
  for (const auto& r : catalogue)
    if (r.code == code) return lang == Lang::kZh ? r.zh : r.en;
  return {};
}

// An error value: a catalogue code plus optional detail (which field, which value).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string detail;  // English, for logs and for "field" hints; never personal data
  std::string field;   // the offending input field, if any

  int http_status() const { return error_info(code).http_status; }
  std::string_view public_code() const { return error_info(code).public_code; }
  std::string message(Lang lang) const;
};

inline Error make_error(ErrorCode code, std::string detail = {}, std::string field = {}) {
  return Error{code, std::move(detail), std::move(field)};
}

}  // namespace gj
