#include "app/notify_service.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "common/log.hpp"
#include "common/text.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

// "2025-12-01 17:30" in China Standard Time (the counties' clock).
std::string local_minutes(int64_t ms) {
  return format_iso8601(ms, 480).substr(0, 16).replace(10, 1, " ");
}

bool is_citizen_kind(const std::string& kind) {
  return kind == "ticket.replied" || kind == "ticket.completed";
}

json fields_of(const store::TicketRow& row, const std::string& note) {
  json f = {{"subject", row.subject},
            {"code", row.code},
            {"unit", row.unit_name},
            {"status", row.status},
            {"note", note}};
  std::optional<int64_t> due = row.status == "dispatched" ? row.response_due : row.resolution_due;
  if (!due) due = row.response_due ? row.response_due : row.resolution_due;
  f["deadline"] = due ? local_minutes(*due) : std::string("—");
  return f;
}

Status add_row(store::Session& s, const store::TicketRow& row, int64_t now, const std::string& kind,
               const std::string& recipient_kind, const std::string& recipient_id,
               const std::string& channel, const std::string& address, const json& fields) {
  store::OutboxRow o;
  o.created_at = now;
  o.kind = kind;
  o.recipient_kind = recipient_kind;
  o.recipient_id = recipient_id;
  o.address = address;
  o.channel = channel;
  o.language = std::string(notify::kDefaultLanguage);
  o.ticket_id = row.id;
  o.payload = fields.dump();
  o.next_attempt_at = now;
  auto id = store::outbox::enqueue(s, o);
  return id.ok() ? Status{} : Status(id.error());
}

// Runs one async operation on `ioc` for at most `timeout`; on timeout closes the socket.
template <typename Start>
Status run_op(asio::io_context& ioc, tcp::socket& sock, std::chrono::milliseconds timeout,
              const char* what, Start start) {
  boost::system::error_code ec;
  bool done = false;
  start([&](boost::system::error_code e, auto&&...) {
    ec = e;
    done = true;
  });
  ioc.restart();
  ioc.run_for(timeout);
  if (!done) {
    boost::system::error_code ignore;
    sock.close(ignore);
    ioc.restart();
    ioc.run();
    return make_error(ErrorCode::kIo, std::string(what) + ": timed out");
  }
  if (ec) return make_error(ErrorCode::kIo, std::string(what) + ": " + ec.message());
  return {};
}

Status connect(asio::io_context& ioc, tcp::socket& sock, const std::string& host, int port,
               std::chrono::milliseconds timeout) {
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto eps = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return make_error(ErrorCode::kIo, "resolve " + host + ": " + ec.message());
  return run_op(ioc, sock, timeout, "connect", [&](auto h) {
    asio::async_connect(sock, eps,
                        [h](boost::system::error_code e, const tcp::endpoint&) mutable { h(e); });
  });
}

struct Url {
  std::string host, target;
  int port = 80;
};
Result<Url> parse_http_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    return make_error(ErrorCode::kInvalidInput, "only http:// webhooks (no TLS yet)", "webhook");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url u;
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  u.host = authority.substr(0, colon);
  if (colon != std::string::npos) {
    std::string p = authority.substr(colon + 1);
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
      return make_error(ErrorCode::kInvalidInput, "bad port in " + url, "webhook");
    u.port = std::stoi(p);
  }
  if (u.host.empty()) return make_error(ErrorCode::kInvalidInput, "no host in " + url, "webhook");
  return u;
}

Result<std::pair<std::string, int>> parse_host_port(const std::string& v) {
  size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size() || colon + 6 < v.size() ||
      v.find_first_not_of("0123456789", colon + 1) != std::string::npos)
    return make_error(ErrorCode::kInvalidInput, "HOST:PORT expected, got " + v, "smtp");
  return std::pair<std::string, int>(v.substr(0, colon), std::stoi(v.substr(colon + 1)));
}

std::string rfc5322_date(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace

// ---------------------------------------------------------------- enqueue 入箱

Status enqueue_transition(store::Session& s, const store::TicketRow& row,
                          const requests::Transition& t, const std::string& citizen_email) {
  if (t.notify.empty()) return {};
  int64_t now = t.at.time_since_epoch().count();
  json fields = fields_of(row, t.note);
  std::set<std::pair<std::string, std::string>> seen;  // (kind, recipient): one row each
  bool citizen_done = false;
  const bool email = notify::is_plain_address(citizen_email);
  for (const auto& n : t.notify) {
    if (!n.unit_id.empty()) {
      if (!seen.insert({n.kind, "unit:" + n.unit_id}).second) continue;
      GJ_TRY(
          add_row(s, row, now, n.kind, "unit", n.unit_id, std::string(kNotifyWebhook), "", fields));
    } else if (!n.user_id.empty()) {
      // Anonymous intake names its requester "track:<code>": the tracking code 查询码.
      const bool by_code = n.user_id.rfind("track:", 0) == 0;
      std::string kind = by_code ? "citizen" : "user";
      std::string id = by_code ? n.user_id.substr(6) : n.user_id;
      if (!seen.insert({n.kind, kind + ":" + id}).second) continue;
      citizen_done = true;
      GJ_TRY(add_row(s, row, now, n.kind, kind, id, std::string(email ? kNotifyEmail : kNotifyLog),
                     email ? citizen_email : "", fields));
    }
  }
  // Phone intake has no requester account: the update is kept for the tracking page 查询页.
  for (const auto& n : t.notify) {
    if (citizen_done || !is_citizen_kind(n.kind)) continue;
    if (!seen.insert({n.kind, "citizen:" + row.code}).second) continue;
    GJ_TRY(add_row(s, row, now, n.kind, "citizen", row.code,
                   std::string(email ? kNotifyEmail : kNotifyLog), email ? citizen_email : "",
                   fields));
  }
  return {};
}

Status enqueue_warning(store::Session& s, const store::TicketRow& row, const std::string& unit_id,
                       int64_t due_at, int64_t now) {
  json fields = fields_of(row, "");
  fields["deadline"] = local_minutes(due_at);
  return add_row(s, row, now, "deadline.warning", "unit", unit_id, std::string(kNotifyWebhook), "",
                 fields);
}

// ---------------------------------------------------------------- configuration

Result<NotifyConfig> notify_config(const std::string& webhook, const std::string& smtp,
                                   const std::string& smtp_from) {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  NotifyConfig c;
  c.webhook_url = webhook.empty() ? env("GONGJIAN_NOTIFY_WEBHOOK") : webhook;
  std::string hp = smtp.empty() ? env("GONGJIAN_SMTP") : smtp;
  std::string from = smtp_from.empty() ? env("GONGJIAN_SMTP_FROM") : smtp_from;
  if (!c.webhook_url.empty()) {
    auto u = parse_http_url(c.webhook_url);
    if (!u.ok()) return u.error();
  }
  if (!hp.empty()) {
    auto p = parse_host_port(hp);
    if (!p.ok()) return p.error();
    c.smtp_host = p->first;
    c.smtp_port = p->second;
  }
  if (!from.empty()) {
    if (!notify::is_plain_address(from))
      return make_error(ErrorCode::kInvalidInput, "not a plain address: " + from, "smtp-from");
    c.smtp_from = from;
  }
  return c;
}

// ---------------------------------------------------------------- sinks 发送

Status send_webhook(const std::string& url, const std::string& idempotency_key,
                    const std::string& json_body, std::chrono::milliseconds timeout) {
  namespace http = boost::beast::http;
  auto u = parse_http_url(url);
  if (!u.ok()) return u.error();
  asio::io_context ioc;
  tcp::socket sock(ioc);
  GJ_TRY(connect(ioc, sock, u->host, u->port, timeout));
  http::request<http::string_body> req{http::verb::post, u->target, 11};
  req.set(http::field::host, u->host);
  req.set(http::field::user_agent, "gongjian-notify");
  req.set(http::field::content_type, "application/json; charset=utf-8");
  req.set("Idempotency-Key", idempotency_key);
  req.body() = json_body;
  req.prepare_payload();
  GJ_TRY(run_op(ioc, sock, timeout, "webhook write",
                [&](auto h) { http::async_write(sock, req, h); }));
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  GJ_TRY(run_op(ioc, sock, timeout, "webhook read",
                [&](auto h) { http::async_read(sock, buf, res, h); }));
  boost::system::error_code ignore;
  sock.shutdown(tcp::socket::shutdown_both, ignore);
  int code = static_cast<int>(res.result_int());
  if (code < 200 || code >= 300)
    return make_error(ErrorCode::kIo, "webhook answered HTTP " + std::to_string(code));
  return {};
}

Status send_smtp(const std::string& host, int port, const std::string& helo,
                 const std::string& from, const std::string& to, const std::string& data,
                 std::chrono::milliseconds timeout) {
  if (!notify::is_plain_address(from) || !notify::is_plain_address(to))
    return make_error(ErrorCode::kInvalidInput, "not a plain address", "address");
  asio::io_context ioc;
  tcp::socket sock(ioc);
  GJ_TRY(connect(ioc, sock, host, port, timeout));
  asio::streambuf in;
  // Reads one reply (multi-line "250-…" continues until "250 …") and checks its class.
  auto expect = [&](char cls, const char* step) -> Status {
    for (;;) {
      GJ_TRY(run_op(ioc, sock, timeout, step,
                    [&](auto h) { asio::async_read_until(sock, in, "\r\n", h); }));
      std::istream is(&in);
      std::string line;
      std::getline(is, line);
      if (line.size() < 3) return make_error(ErrorCode::kIo, std::string(step) + ": bad reply");
      if (line.size() > 3 && line[3] == '-') continue;
      if (line[0] != cls) return make_error(ErrorCode::kIo, std::string(step) + ": " + trim(line));
      return {};
    }
  };
  auto say = [&](const std::string& text, const char* step) -> Status {
    return run_op(ioc, sock, timeout, step,
                  [&](auto h) { asio::async_write(sock, asio::buffer(text), h); });
  };
  GJ_TRY(expect('2', "greeting"));
  GJ_TRY(say("EHLO " + helo + "\r\n", "EHLO"));
  GJ_TRY(expect('2', "EHLO"));
  GJ_TRY(say("MAIL FROM:<" + from + ">\r\n", "MAIL FROM"));
  GJ_TRY(expect('2', "MAIL FROM"));
  GJ_TRY(say("RCPT TO:<" + to + ">\r\n", "RCPT TO"));
  GJ_TRY(expect('2', "RCPT TO"));
  GJ_TRY(say("DATA\r\n", "DATA"));
  GJ_TRY(expect('3', "DATA"));
  GJ_TRY(say(data + ".\r\n", "message"));
  GJ_TRY(expect('2', "message"));
  GJ_TRY(say("QUIT\r\n", "QUIT"));
  (void)expect('2', "QUIT");  // the message is accepted already
  return {};
}

// ---------------------------------------------------------------- delivery worker 投递

NotifyService::NotifyService(store::Database& db, const Clock& clock, NotifyConfig config)
    : db_(db), clock_(clock), config_(std::move(config)) {}

Status NotifyService::send(const store::OutboxRow& row) {
  auto fields_json = json::parse(row.payload, nullptr, false);
  notify::Fields fields;
  if (fields_json.is_object())
    for (auto& [k, v] : fields_json.items())
      if (v.is_string()) fields[k] = v.get<std::string>();
  auto audience =
      row.recipient_kind == "unit" ? notify::Audience::kStaff : notify::Audience::kCitizen;
  auto msg = notify::render(row.kind, audience, row.language, fields);
  if (!msg.ok()) return msg.error();
  std::string key = std::to_string(row.id);
  // The log sink always: one JSON line, so the tracking page and operators see every message.
  log::info("notify", {{"outbox_id", key},
                       {"kind", row.kind},
                       {"channel", row.channel},
                       {"recipient", row.recipient_kind + ":" + row.recipient_id},
                       {"attempt", std::to_string(row.attempts)},
                       {"subject", msg->subject}});
  if (row.channel == kNotifyWebhook && !config_.webhook_url.empty()) {
    json body = {{"id", row.id},
                 {"kind", row.kind},
                 {"recipient_kind", row.recipient_kind},
                 {"recipient_id", row.recipient_id},
                 {"language", row.language},
                 {"subject", msg->subject},
                 {"body", msg->body},
                 {"fields", fields_json.is_object() ? fields_json : json::object()}};
    if (row.ticket_id) body["ticket_id"] = *row.ticket_id;
    return send_webhook(config_.webhook_url, key, body.dump(), config_.timeout);
  }
  if (row.channel == kNotifyEmail && !config_.smtp_host.empty()) {
    notify::Mail m;
    m.from = config_.smtp_from;
    m.to = row.address;
    m.subject = msg->subject;
    m.body = msg->body;
    m.date = rfc5322_date(clock_.now_ms());
    m.message_id = "outbox-" + key + "@" + config_.smtp_helo;
    m.idempotency_key = key;
    return send_smtp(config_.smtp_host, config_.smtp_port, config_.smtp_helo, m.from, m.to,
                     notify::format_mail(m), config_.timeout);
  }
  return {};
}

Result<DeliveryReport> NotifyService::deliver_due(int batch) {
  DeliveryReport rep;
  int64_t now = clock_.now_ms();
  auto due =
      db_.read_value<bool>([&](store::Session& s) { return store::outbox::any_due(s, now); });
  if (!due.ok()) return due.error();
  if (!*due) return rep;
  auto claimed = db_.write_value<std::vector<store::OutboxRow>>([&](store::Session& s) {
    return store::outbox::claim_due(s, db_.backend(), now, now + config_.lease_ms, batch);
  });
  if (!claimed.ok()) return claimed.error();
  rep.claimed = static_cast<int>(claimed->size());
  for (const auto& row : *claimed) {
    Status st = send(row);
    if (st.ok() && config_.crash_after_send && config_.crash_after_send(row)) return rep;
    int64_t at = clock_.now_ms();
    Status marked = db_.write([&](store::Session& s) -> Status {
      Result<bool> r = false;
      if (st.ok()) {
        r = store::outbox::mark_sent(s, row.id, row.attempts, at);
      } else {
        bool dead = row.attempts >= config_.max_attempts;
        int64_t delay = config_.backoff_ms;
        for (int i = 1; i < row.attempts && delay < config_.max_backoff_ms; ++i) delay *= 2;
        delay = std::min(delay, config_.max_backoff_ms);
        r = store::outbox::mark_failed(s, row.id, row.attempts, st.error().detail, at + delay,
                                       dead);
      }
      return r.ok() ? Status{} : Status(r.error());
    });
    if (!marked.ok()) return marked.error();
    if (st.ok()) {
      ++rep.sent;
    } else if (row.attempts >= config_.max_attempts) {
      ++rep.dead;
      log::error("notify_dead",
                 {{"outbox_id", std::to_string(row.id)}, {"error", st.error().detail}});
    } else {
      ++rep.retried;
      log::warn("notify_retry", {{"outbox_id", std::to_string(row.id)},
                                 {"attempt", std::to_string(row.attempts)},
                                 {"error", st.error().detail}});
    }
  }
  return rep;
}

}  // namespace gj::app
