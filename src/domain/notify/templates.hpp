// Notification templates 消息模板 as data (zh-CN and en) and rendering per channel: the fields of
// an outbox payload fill {placeholders}; user text (subjects, notes) is cleaned of control
// characters before it meets a channel, and the e-mail form encodes headers (RFC 2047) and
// stuffs dots so a note can never forge a header or end the SMTP DATA early.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace gj::notify {

// Who a message is for: the staff of a unit (new work, warnings, escalations) or a citizen
// (tracking updates 进度通知).
enum class Audience { kStaff, kCitizen };

struct Template {
  std::string kind;  // ticket.dispatched, ticket.escalated, deadline.warning, …
  Audience audience;
  std::string language;  // zh-CN | en
  std::string subject;   // with {placeholders}
  std::string body;
};

// Every template (kinds × audiences × languages).
const std::vector<Template>& templates();

// The language used when a row asks for one we do not have.
inline constexpr std::string_view kDefaultLanguage = "zh-CN";

// The languages the templates are written in (a user's notification language 通知语言).
inline bool is_language(std::string_view language) {
  return language == "zh-CN" || language == "en";
}

using Fields = std::map<std::string, std::string>;

struct Message {
  std::string subject, body;  // plain UTF-8 text
};

// Fills the template for (kind, audience, language); unknown language → zh-CN; unknown kind →
// kNotFound. Field values are cleaned (clean_text) and cut to 200 characters; a placeholder
// without a field renders empty.
Result<Message> render(std::string_view kind, Audience audience, std::string_view language,
                       const Fields& fields);

// Drops control characters (CR, LF, TAB become a space), invalid UTF-8 and trims; at most
// `max_chars` code points (… appended when cut).
std::string clean_text(std::string_view text, size_t max_chars = 200);

// RFC 2047 encoded-word(s) for a header value: plain ASCII printable text is returned as is,
// anything else as =?UTF-8?B?…?= words of at most 75 characters, split on UTF-8 boundaries.
std::string encode_header(std::string_view value);

// The whole RFC 5322 message for SMTP DATA (CRLF line ends, dot-stuffed, without the final
// "."), UTF-8 body in 8bit with Content-Type text/plain; charset=UTF-8.
struct Mail {
  std::string from, to, subject, body, date /* RFC 5322 date */, message_id, idempotency_key;
};
std::string format_mail(const Mail& mail);

// Is this a plain, header-safe e-mail address (local@domain, no spaces, brackets or CR/LF)?
bool is_plain_address(std::string_view address);

// A staff e-mail as shown in lists, like a masked phone: the first character of the local part,
// "***", then the domain ("z***@example.com"). Empty stays empty.
std::string mask_address(std::string_view address);

}  // namespace gj::notify
