#include "domain/notify/templates.hpp"

#include <cstdint>

#include "common/text.hpp"

namespace gj::notify {

const std::vector<Template>& templates() {
  using A = Audience;
  static const std::vector<Template> kAll = {
      // Staff: new work 新工单, returns, escalations, warnings 预警, supervision 督办.
      {"ticket.dispatched", A::kStaff, "zh-CN", "新诉求工单：{subject}",
       "您有一件新的诉求工单：{subject}（编号 {code}），请于 {deadline} 前签收。"},
      {"ticket.dispatched", A::kStaff, "en", "New request: {subject}",
       "A new citizen request was assigned to you: {subject} (ref {code}). Please claim it by "
       "{deadline}."},
      {"ticket.returned", A::kStaff, "zh-CN", "工单被退回：{subject}",
       "诉求工单 {subject}（编号 {code}）已被退回，理由：{note}。请重新派单。"},
      {"ticket.returned", A::kStaff, "en", "Request returned: {subject}",
       "The request {subject} (ref {code}) was returned: {note}. Please dispatch it again."},
      {"ticket.replied", A::kStaff, "zh-CN", "工单已答复：{subject}",
       "您派出的诉求工单 {subject}（编号 {code}）已由 {unit} 答复：{note}"},
      {"ticket.replied", A::kStaff, "en", "Request answered: {subject}",
       "The request {subject} (ref {code}) you dispatched was answered by {unit}: {note}"},
      {"ticket.reopened", A::kStaff, "zh-CN", "工单重办：{subject}",
       "诉求工单 {subject}（编号 {code}）需要重新办理：{note}"},
      {"ticket.reopened", A::kStaff, "en", "Request reopened: {subject}",
       "The request {subject} (ref {code}) has to be handled again: {note}"},
      {"ticket.escalated", A::kStaff, "zh-CN", "工单升级：{subject}",
       "诉求工单 {subject}（编号 {code}）已升级至 {unit}，原因：{note}"},
      {"ticket.escalated", A::kStaff, "en", "Request escalated: {subject}",
       "The request {subject} (ref {code}) was escalated to {unit}: {note}"},
      {"ticket.whistle", A::kStaff, "zh-CN", "吹哨报到：{subject}",
       "街乡吹哨，请贵单位就诉求工单 {subject}（编号 {code}）报到：{note}"},
      {"ticket.whistle", A::kStaff, "en", "Summoned to a joint case: {subject}",
       "Your department is summoned to the joint case {subject} (ref {code}): {note}"},
      {"ticket.reported_in", A::kStaff, "zh-CN", "部门已报到：{subject}",
       "诉求工单 {subject}（编号 {code}）有部门已报到。"},
      {"ticket.reported_in", A::kStaff, "en", "A department reported in: {subject}",
       "A summoned department reported in on {subject} (ref {code})."},
      {"ticket.withdrawn", A::kStaff, "zh-CN", "诉求已撤回：{subject}",
       "诉求工单 {subject}（编号 {code}）已由群众撤回，无需继续办理。"},
      {"ticket.withdrawn", A::kStaff, "en", "Request withdrawn: {subject}",
       "The request {subject} (ref {code}) was withdrawn by the citizen; no further work."},
      {"ticket.supervised", A::kStaff, "zh-CN", "督办：{subject}",
       "诉求工单 {subject}（编号 {code}）被督办：{note}，请于 {deadline} 前办结。"},
      {"ticket.supervised", A::kStaff, "en", "Supervision notice: {subject}",
       "The request {subject} (ref {code}) is under supervision: {note}. Please finish by "
       "{deadline}."},
      {"deadline.warning", A::kStaff, "zh-CN", "即将超时：{subject}",
       "诉求工单 {subject}（编号 {code}）将于 {deadline} 到期，请抓紧办理。"},
      {"deadline.warning", A::kStaff, "en", "Deadline approaching: {subject}",
       "The request {subject} (ref {code}) is due at {deadline}; please act soon."},
      // Citizens: tracking updates 进度通知 (no staff names, no internal notes beyond the reply).
      // The receipt 受理回执 goes to a requester who did not file the request themselves, and
      // by e-mail to one who did.
      {"ticket.received", A::kCitizen, "zh-CN", "您的诉求已受理（查询码 {code}）",
       "您反映的“{subject}”已受理，查询码 {code}。可凭查询码查看办理进度。"},
      {"ticket.received", A::kCitizen, "en", "Your request was received (code {code})",
       "Your request \"{subject}\" was received. Its tracking code is {code}; use it to follow "
       "the progress."},
      {"ticket.replied", A::kCitizen, "zh-CN", "您的诉求已答复（查询码 {code}）",
       "您反映的“{subject}”已有答复：{note}。可凭查询码 {code} 查看进度并评价。"},
      {"ticket.replied", A::kCitizen, "en", "Your request was answered (code {code})",
       "Your request \"{subject}\" was answered: {note}. Use the code {code} to follow it and "
       "rate the answer."},
      {"ticket.completed", A::kCitizen, "zh-CN", "您的诉求已办结（查询码 {code}）",
       "您反映的“{subject}”已办结。欢迎凭查询码 {code} 对办理结果进行评价。"},
      {"ticket.completed", A::kCitizen, "en", "Your request is closed (code {code})",
       "Your request \"{subject}\" is closed. You can rate the result with the code {code}."},
      // The satisfaction call 回访 could not reach them: rate online instead (no staff note).
      {"ticket.callback_missed", A::kCitizen, "zh-CN", "回访未能接通（查询码 {code}）",
       "您反映的“{subject}”已办结，我们多次电话回访未能接通。请凭查询码 {code} "
       "在网上评价办理结果。"},
      {"ticket.callback_missed", A::kCitizen, "en", "We could not reach you (code {code})",
       "Your request \"{subject}\" is closed, and our satisfaction calls did not reach you. "
       "Please rate the result online with the code {code}."},
  };
  return kAll;
}

std::string clean_text(std::string_view text, size_t max_chars) {
  if (!is_valid_utf8(text)) return "";
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c < 0x20 || c == 0x7F) {  // line breaks and tabs separate words; the rest goes
      if ((c == '\r' || c == '\n' || c == '\t') && !out.empty() && out.back() != ' ') out += ' ';
      ++i;
      continue;
    }
    // C1 controls U+0080..U+009F and the line/paragraph separators U+2028/2029.
    if (len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      i += 2;
      continue;
    }
    if (len == 3 && text.substr(i, 2) == "\xE2\x80" &&
        (static_cast<unsigned char>(text[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      out += ' ';
      i += 3;
      continue;
    }
    if (chars == max_chars) {
      out += "…";
      break;
    }
    out.append(text.substr(i, len));
    ++chars;
    i += len;
  }
  return std::string(trim(out));
}

Result<Message> render(std::string_view kind, Audience audience, std::string_view language,
                       const Fields& fields) {
  const Template* hit = nullptr;
  const Template* fallback = nullptr;
  for (const auto& t : templates()) {
    if (t.kind != kind || t.audience != audience) continue;
    if (t.language == language) hit = &t;
    if (t.language == kDefaultLanguage) fallback = &t;
  }
  if (!hit) hit = fallback;
  if (!hit) return make_error(ErrorCode::kNotFound, "no template for " + std::string(kind));
  auto fill = [&](const std::string& pattern) {
    std::string out;
    for (size_t i = 0; i < pattern.size();) {
      if (pattern[i] == '{') {
        size_t end = pattern.find('}', i);
        if (end != std::string::npos) {
          auto f = fields.find(pattern.substr(i + 1, end - i - 1));
          if (f != fields.end()) out += clean_text(f->second);
          i = end + 1;
          continue;
        }
      }
      out += pattern[i++];
    }
    return out;
  };
  return Message{fill(hit->subject), fill(hit->body)};
}

std::string encode_header(std::string_view value) {
  bool plain = true;
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F) plain = false;
  }
  if (plain && value.find("=?") == std::string_view::npos) return std::string(value);
  // "=?UTF-8?B?" + "?=" is 12 characters; 45 bytes → 60 base64 characters: 72 in all.
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    size_t end = std::min(value.size(), i + 45);
    while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(value.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

bool is_plain_address(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  size_t at = a.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= a.size() ||
      a.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char ch : a) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || ch == '<' || ch == '>' || ch == ',' || ch == ';' || ch == '"' ||
        ch == '(' || ch == ')' || ch == '\\')
      return false;
  }
  return true;
}

std::string mask_address(std::string_view a) {
  if (a.empty()) return "";
  size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(a.substr(0, 1)) + "***" + std::string(a.substr(at));
}

std::string format_mail(const Mail& m) {
  std::string out;
  out += "From: <" + m.from + ">\r\n";
  out += "To: <" + m.to + ">\r\n";
  out += "Subject: " + encode_header(clean_text(m.subject, 300)) + "\r\n";
  if (!m.date.empty()) out += "Date: " + m.date + "\r\n";
  if (!m.message_id.empty()) out += "Message-ID: <" + m.message_id + ">\r\n";
  if (!m.idempotency_key.empty()) out += "X-Gongjian-Outbox-Id: " + m.idempotency_key + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  // Body: every line end becomes CRLF; a line starting with "." gets another (RFC 5321 §4.5.2).
  std::string line;
  auto flush = [&] {
    if (!line.empty() && line[0] == '.') out += '.';
    out += line + "\r\n";
    line.clear();
  };
  for (size_t i = 0; i < m.body.size(); ++i) {
    char c = m.body[i];
    if (c == '\r') {
      if (i + 1 < m.body.size() && m.body[i + 1] == '\n') ++i;
      flush();
    } else if (c == '\n') {
      flush();
    } else {
      line += c;
    }
  }
  if (!line.empty()) flush();
  return out;
}

}  // namespace gj::notify
