#include "app/notify_service.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/log.hpp"
#include "common/text.hpp"
#include "domain/auth/personal_data.hpp"
#include "store/repos/repos.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

bool is_citizen_kind(const std::string& kind) {
  return kind == "ticket.replied" || kind == "ticket.completed" || kind == "ticket.callback_missed";
}

}  // namespace

std::string_view requester_channel(const store::TicketRow& t) {
  if (notify::is_plain_address(t.requester_email)) return kNotifyEmail;
  if (auth::is_mobile(t.requester_phone)) return kNotifySms;  // a landline takes no SMS
  return kNotifyLog;
}

namespace {

// Where a requester's updates go: the e-mail they gave, else their mobile by SMS, else the log
// (the tracking page shows the update either way; staff call a landline back). `code`/`subject` are
// their own request's, which differ from the ticket's when their request was merged into it.
struct CitizenContact {
  std::string code, subject, channel, address, language;
};

CitizenContact contact_of(const store::TicketRow& t) {
  CitizenContact c;
  c.code = t.code;
  c.subject = t.subject;
  c.language = notify::is_language(t.requester_language) ? t.requester_language
                                                         : std::string(notify::kDefaultLanguage);
  c.channel = std::string(requester_channel(t));
  if (t.requester_updates_off) c.channel = std::string(kNotifyLog);  // they turned them off
  if (c.channel == kNotifyEmail) c.address = t.requester_email;
  if (c.channel == kNotifySms) c.address = t.requester_phone;
  return c;
}

// The contact behind a tracking code of the ticket's requesters: the ticket's own, or a request
// merged into it (read by its code in the same transaction).
Result<CitizenContact> contact_for_code(store::Session& s, const store::TicketRow& row,
                                        const std::string& code) {
  if (code == row.code) return contact_of(row);
  auto other = store::tickets::by_code(s, code);
  if (!other.ok()) return other.error();
  return contact_of(*other);
}

json fields_of(const store::TicketRow& row, const std::string& note) {
  json f = {{"subject", row.subject},
            {"code", row.code},
            {"unit", row.unit_name},
            {"status", row.status},
            {"note", note}};
  std::optional<int64_t> due = row.status == "dispatched" ? row.response_due : row.resolution_due;
  if (!due) due = row.response_due ? row.response_due : row.resolution_due;
  f["deadline"] = due ? format_local_minutes(*due) : std::string("—");
  return f;
}

Status add_row(store::Session& s, const store::TicketRow& row, int64_t now, const std::string& kind,
               const std::string& recipient_kind, const std::string& recipient_id,
               const std::string& channel, const std::string& address, const json& fields,
               std::string_view language = notify::kDefaultLanguage) {
  store::OutboxRow o;
  o.created_at = now;
  o.kind = kind;
  o.recipient_kind = recipient_kind;
  o.recipient_id = recipient_id;
  o.address = address;
  o.channel = channel;
  o.language = std::string(language);
  o.ticket_id = row.id;
  o.payload = fields.dump();
  o.next_attempt_at = now;
  auto id = store::outbox::enqueue(s, o);
  return id.ok() ? Status{} : Status(id.error());
}

// The unit row (webhook) plus one e-mail row per active user holding the unit who has an
// address (recipient_kind "staff", rendered with the staff template): one indexed query
// (users::emails_for_unit, partial indexes of migration 0014); a unit without such users gets
// its webhook row only. Unit ids that are neither (none today) get no e-mail rows.
Status add_unit_rows(store::Session& s, const store::TicketRow& row, int64_t now,
                     const std::string& kind, const std::string& unit_id, const json& fields,
                     std::set<std::pair<std::string, std::string>>& seen) {
  GJ_TRY(add_row(s, row, now, kind, "unit", unit_id, std::string(kNotifyWebhook), "", fields));
  // Chain units are named by their division code (12 digits, grids 15); departments by their
  // units.id (RequestsService's hierarchy snapshot).
  int64_t id = 0;
  auto [end, ec] = std::from_chars(unit_id.data(), unit_id.data() + unit_id.size(), id);
  if (ec != std::errc() || end != unit_id.data() + unit_id.size()) return {};
  const bool chain = unit_id.size() >= 12;
  auto staff = store::users::emails_for_unit(s, chain ? unit_id : "", chain ? 0 : id);
  if (!staff.ok()) return staff.error();
  for (const auto& a : *staff) {
    std::string uid = std::to_string(a.user_id);
    // A user of two notified units (escalation target and former holder) gets one e-mail.
    if (!seen.insert({kind, "staff:" + uid}).second) continue;
    GJ_TRY(add_row(s, row, now, kind, "staff", uid, std::string(kNotifyEmail), a.email, fields,
                   a.language));
  }
  return {};
}

// One outgoing connection, plain or TLS, whose every operation is bounded by `timeout` (a
// stalled peer closes the socket rather than block the delivery worker). TLS verifies the peer
// against the system trust store (or `ca_file`) and checks the host name, with SNI.
class Conn {
 public:
  Conn(asio::io_context& ioc, ssl::context& ctx, std::chrono::milliseconds timeout)
      : ioc_(ioc), stream_(ioc, ctx), timeout_(timeout) {}

  Status connect(const std::string& host, int port) {
    tcp::resolver resolver(ioc_);
    boost::system::error_code ec;
    auto eps = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return make_error(ErrorCode::kIo, "resolve " + host + ": " + ec.message());
    return run("connect", [&](auto h) {
      asio::async_connect(stream_.next_layer(), eps,
                          [h](boost::system::error_code e, const tcp::endpoint&) mutable { h(e); });
    });
  }

  // Switches the connection to TLS (at once for https/SMTPS, after STARTTLS otherwise).
  Status start_tls(const std::string& host) {
    SSL* ssl_handle = stream_.native_handle();
    boost::system::error_code ec;
    if (!is_ip_literal(host) && !SSL_set_tlsext_host_name(ssl_handle, host.c_str()))
      return make_error(ErrorCode::kIo, "TLS: cannot set the server name");
    if (!SSL_set1_host(ssl_handle, host.c_str()))
      return make_error(ErrorCode::kIo, "TLS: cannot set the host to verify");
    stream_.set_verify_mode(ssl::verify_peer, ec);
    if (ec) return make_error(ErrorCode::kIo, "TLS: " + ec.message());
    GJ_TRY(run("TLS handshake",
               [&](auto h) { stream_.async_handshake(ssl::stream_base::client, h); }));
    secure_ = true;
    return {};
  }

  bool secure() const { return secure_; }

  // Runs `op(stream, handler)` on the TLS stream or the plain socket, whichever is in use.
  template <typename Op>
  Status io(const char* what, Op op) {
    if (secure_) return run(what, [&](auto h) { op(stream_, h); });
    return run(what, [&](auto h) { op(stream_.next_layer(), h); });
  }

  void close() {
    boost::system::error_code ignore;
    stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignore);
    stream_.next_layer().close(ignore);
  }

 private:
  static bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
  }
  template <typename Start>
  Status run(const char* what, Start start) {
    boost::system::error_code ec;
    bool done = false;
    start([&](boost::system::error_code e, auto&&...) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(timeout_);
    if (!done) {
      boost::system::error_code ignore;
      stream_.next_layer().close(ignore);
      ioc_.restart();
      ioc_.run();
      return make_error(ErrorCode::kIo, std::string(what) + ": timed out");
    }
    if (ec) return make_error(ErrorCode::kIo, std::string(what) + ": " + ec.message());
    return {};
  }
  asio::io_context& ioc_;
  ssl::stream<tcp::socket> stream_;
  std::chrono::milliseconds timeout_;
  bool secure_ = false;
};

Result<ssl::context> client_tls_context(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(ca_file, ec);
  }
  if (ec)
    return make_error(
        ErrorCode::kIo,
        "TLS trust store " + (ca_file.empty() ? "(system)" : ca_file) + ": " + ec.message());
  return ctx;
}

struct Url {
  std::string host, target;
  int port = 80;
  bool tls = false;
};
Result<Url> parse_http_url(const std::string& url) {
  Url u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    u.tls = true;
    u.port = 443;
  } else {
    return make_error(ErrorCode::kInvalidInput, "http:// or https:// expected: " + url, "webhook");
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
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
                          const requests::Transition& t) {
  if (t.notify.empty()) return {};
  int64_t now = t.at.time_since_epoch().count();
  json fields = fields_of(row, t.note);
  std::set<std::pair<std::string, std::string>> seen;  // (kind, recipient): one row each
  // One row per requester, addressed by their tracking code 查询码: every intake names its
  // requester "track:<code>" (a signed-in citizen also by user id, the same person), and a
  // merge 合并 adds the merged request's requesters with their own codes.
  auto citizen_row = [&](const std::string& kind, const std::string& code) -> Status {
    if (!seen.insert({kind, "citizen:" + code}).second) return {};
    auto c = contact_for_code(s, row, code);
    if (!c.ok()) return c.error().code == ErrorCode::kNotFound ? Status{} : Status(c.error());
    json f = fields;
    f["code"] = c->code;
    f["subject"] = c->subject;
    return add_row(s, row, now, kind, "citizen", c->code, c->channel, c->address, f, c->language);
  };
  bool citizen_done = false;
  for (const auto& n : t.notify) {
    if (!n.unit_id.empty()) {
      if (!seen.insert({n.kind, "unit:" + n.unit_id}).second) continue;
      GJ_TRY(add_unit_rows(s, row, now, n.kind, n.unit_id, fields, seen));
    } else if (n.user_id.rfind("track:", 0) == 0) {
      citizen_done = true;
      GJ_TRY(citizen_row(n.kind, n.user_id.substr(6)));
    }
  }
  // A ticket whose requesters carry no tracking code (none made since the first release) still
  // tells its own contact.
  for (const auto& n : t.notify)
    if (!citizen_done && is_citizen_kind(n.kind)) GJ_TRY(citizen_row(n.kind, row.code));
  return {};
}

Status enqueue_receipt(store::Session& s, const store::TicketRow& row, int64_t now,
                       bool email_only) {
  CitizenContact c = contact_of(row);
  if (c.channel == kNotifyLog) return {};  // nobody to tell: the caller saw the code
  if (email_only && c.channel != kNotifyEmail) return {};
  json f = fields_of(row, "");
  return add_row(s, row, now, "ticket.received", "citizen", row.code, c.channel, c.address, f,
                 c.language);
}

Status enqueue_warning(store::Session& s, const store::TicketRow& row, const std::string& unit_id,
                       int64_t due_at, int64_t now) {
  json fields = fields_of(row, "");
  fields["deadline"] = format_local_minutes(due_at);
  std::set<std::pair<std::string, std::string>> seen;
  return add_unit_rows(s, row, now, "deadline.warning", unit_id, fields, seen);
}

// ---------------------------------------------------------------- configuration

Result<NotifyConfig> notify_config(const std::string& webhook, const std::string& smtp,
                                   const std::string& smtp_from, const NotifySettings& tls) {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  auto pick = [&](const std::string& given, const char* name) {
    return given.empty() ? env(name) : given;
  };
  NotifyConfig c;
  c.webhook_url = pick(webhook, "GONGJIAN_NOTIFY_WEBHOOK");
  c.sms_url = pick(tls.sms_url, "GONGJIAN_NOTIFY_SMS");
  if (!c.sms_url.empty()) {
    auto u = parse_http_url(c.sms_url);
    if (!u.ok()) return make_error(ErrorCode::kInvalidInput, u.error().detail, "notify-sms");
  }
  std::string hp = pick(smtp, "GONGJIAN_SMTP");
  std::string from = pick(smtp_from, "GONGJIAN_SMTP_FROM");
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
  std::string mode = pick(tls.smtp_tls, "GONGJIAN_SMTP_TLS");
  if (mode.empty()) {
    c.smtp_tls = c.smtp_port == 465 ? SmtpTls::kImplicit : SmtpTls::kNone;
  } else if (mode == "none") {
    c.smtp_tls = SmtpTls::kNone;
  } else if (mode == "starttls") {
    c.smtp_tls = SmtpTls::kStartTls;
  } else if (mode == "tls") {
    c.smtp_tls = SmtpTls::kImplicit;
  } else {
    return make_error(ErrorCode::kInvalidInput, "none, starttls or tls expected, got " + mode,
                      "smtp-tls");
  }
  c.smtp_user = pick(tls.smtp_user, "GONGJIAN_SMTP_USER");
  c.smtp_password = env("GONGJIAN_SMTP_PASSWORD");
  std::string password_file = pick(tls.smtp_password_file, "GONGJIAN_SMTP_PASSWORD_FILE");
  if (!password_file.empty()) {
    std::ifstream f(password_file);
    if (!f)
      return make_error(ErrorCode::kInvalidInput, "cannot read " + password_file,
                        "smtp-password-file");
    std::getline(f, c.smtp_password);
    if (!c.smtp_password.empty() && c.smtp_password.back() == '\r') c.smtp_password.pop_back();
  }
  if (!c.smtp_user.empty() && c.smtp_password.empty())
    return make_error(ErrorCode::kInvalidInput,
                      "an SMTP user needs $GONGJIAN_SMTP_PASSWORD or --smtp-password-file",
                      "smtp-user");
  if (!c.smtp_user.empty() && c.smtp_tls == SmtpTls::kNone)
    return make_error(ErrorCode::kInvalidInput,
                      "SMTP AUTH needs --smtp-tls starttls or tls: the password would travel in "
                      "clear",
                      "smtp-tls");
  c.ca_file = pick(tls.ca_file, "GONGJIAN_TLS_CA_FILE");
  if (!c.ca_file.empty() && !std::ifstream(c.ca_file))
    return make_error(ErrorCode::kInvalidInput, "cannot read " + c.ca_file, "tls-ca-file");
  return c;
}

// ---------------------------------------------------------------- sinks 发送

Status send_webhook(const std::string& url, const std::string& idempotency_key,
                    const std::string& json_body, std::chrono::milliseconds timeout) {
  return send_webhook(url, idempotency_key, json_body, timeout, "");
}

Status send_webhook(const std::string& url, const std::string& idempotency_key,
                    const std::string& json_body, std::chrono::milliseconds timeout,
                    const std::string& ca_file) {
  namespace http = boost::beast::http;
  auto u = parse_http_url(url);
  if (!u.ok()) return u.error();
  auto ctx = client_tls_context(ca_file);
  if (!ctx.ok()) return ctx.error();
  asio::io_context ioc;
  Conn conn(ioc, *ctx, timeout);
  GJ_TRY(conn.connect(u->host, u->port));
  if (u->tls) GJ_TRY(conn.start_tls(u->host));
  http::request<http::string_body> req{http::verb::post, u->target, 11};
  req.set(http::field::host, u->host);
  req.set(http::field::user_agent, "gongjian-notify");
  req.set(http::field::content_type, "application/json; charset=utf-8");
  req.set("Idempotency-Key", idempotency_key);
  req.body() = json_body;
  req.prepare_payload();
  GJ_TRY(conn.io("webhook write", [&](auto& st, auto h) { http::async_write(st, req, h); }));
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  GJ_TRY(conn.io("webhook read", [&](auto& st, auto h) { http::async_read(st, buf, res, h); }));
  conn.close();
  int code = static_cast<int>(res.result_int());
  if (code < 200 || code >= 300)
    return make_error(ErrorCode::kIo, "webhook answered HTTP " + std::to_string(code));
  return {};
}

Status send_smtp(const std::string& host, int port, const std::string& helo,
                 const std::string& from, const std::string& to, const std::string& data,
                 std::chrono::milliseconds timeout) {
  SmtpOptions o;
  o.host = host;
  o.port = port;
  o.helo = helo;
  o.timeout = timeout;
  return send_smtp(o, from, to, data);
}

Status send_smtp(const SmtpOptions& o, const std::string& from, const std::string& to,
                 const std::string& data) {
  if (!notify::is_plain_address(from) || !notify::is_plain_address(to))
    return make_error(ErrorCode::kInvalidInput, "not a plain address", "address");
  if (!o.user.empty() && o.tls == SmtpTls::kNone)
    return make_error(ErrorCode::kInvalidInput, "SMTP AUTH needs TLS", "smtp-tls");
  auto ctx = client_tls_context(o.ca_file);
  if (!ctx.ok()) return ctx.error();
  asio::io_context ioc;
  Conn conn(ioc, *ctx, o.timeout);
  GJ_TRY(conn.connect(o.host, o.port));
  if (o.tls == SmtpTls::kImplicit) GJ_TRY(conn.start_tls(o.host));
  asio::streambuf in;
  std::vector<std::string> capabilities;  // the last EHLO answer's keywords, upper case
  // Reads one reply (multi-line "250-…" continues until "250 …") and checks its class.
  auto expect = [&](char cls, const char* step) -> Status {
    capabilities.clear();
    for (;;) {
      GJ_TRY(conn.io(step, [&](auto& st, auto h) { asio::async_read_until(st, in, "\r\n", h); }));
      std::istream is(&in);
      std::string line;
      std::getline(is, line);
      if (line.size() < 3) return make_error(ErrorCode::kIo, std::string(step) + ": bad reply");
      std::string text = trim(line.size() > 4 ? line.substr(4) : "");
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      capabilities.push_back(text);
      if (line.size() > 3 && line[3] == '-') continue;
      if (line[0] != cls) return make_error(ErrorCode::kIo, std::string(step) + ": " + trim(line));
      return {};
    }
  };
  auto say = [&](const std::string& text, const char* step) -> Status {
    return conn.io(step, [&](auto& st, auto h) { asio::async_write(st, asio::buffer(text), h); });
  };
  auto offers = [&](const std::string& keyword) {
    for (const auto& c : capabilities)
      if (c == keyword || c.rfind(keyword + " ", 0) == 0) return true;
    return false;
  };
  auto auth_offers = [&](const std::string& mech) {
    for (const auto& c : capabilities) {
      if (c.rfind("AUTH ", 0) != 0) continue;
      std::istringstream words(c.substr(5));
      for (std::string w; words >> w;)
        if (w == mech) return true;
    }
    return false;
  };
  GJ_TRY(expect('2', "greeting"));
  GJ_TRY(say("EHLO " + o.helo + "\r\n", "EHLO"));
  GJ_TRY(expect('2', "EHLO"));
  if (o.tls == SmtpTls::kStartTls) {
    // Never fall back to plain text when TLS was asked for: a stripped STARTTLS is an attack.
    if (!offers("STARTTLS"))
      return make_error(ErrorCode::kIo, "STARTTLS: the server does not offer it");
    GJ_TRY(say("STARTTLS\r\n", "STARTTLS"));
    GJ_TRY(expect('2', "STARTTLS"));
    if (in.size() != 0) return make_error(ErrorCode::kIo, "STARTTLS: data before the handshake");
    GJ_TRY(conn.start_tls(o.host));
    GJ_TRY(say("EHLO " + o.helo + "\r\n", "EHLO"));  // capabilities change under TLS
    GJ_TRY(expect('2', "EHLO"));
  }
  if (!o.user.empty()) {
    if (auth_offers("PLAIN")) {
      std::string token = base64_encode(std::string(1, '\0') + o.user + '\0' + o.password);
      GJ_TRY(say("AUTH PLAIN " + token + "\r\n", "AUTH"));
      GJ_TRY(expect('2', "AUTH"));
    } else if (auth_offers("LOGIN")) {
      GJ_TRY(say("AUTH LOGIN\r\n", "AUTH"));
      GJ_TRY(expect('3', "AUTH"));
      GJ_TRY(say(base64_encode(o.user) + "\r\n", "AUTH user"));
      GJ_TRY(expect('3', "AUTH user"));
      GJ_TRY(say(base64_encode(o.password) + "\r\n", "AUTH password"));
      GJ_TRY(expect('2', "AUTH password"));
    } else {
      return make_error(ErrorCode::kIo, "AUTH: the server offers neither PLAIN nor LOGIN");
    }
  }
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
  conn.close();
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
  auto audience = row.recipient_kind == "unit" || row.recipient_kind == "staff"
                      ? notify::Audience::kStaff
                      : notify::Audience::kCitizen;
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
    return send_webhook(config_.webhook_url, key, body.dump(), config_.timeout, config_.ca_file);
  }
  if (row.channel == kNotifySms && !config_.sms_url.empty()) {
    // The county's SMS gateway 短信网关: one JSON POST per message; the gateway adds its
    // signature 签名 and speaks to the carrier. SMS has no subject: the body stands alone.
    json body = {
        {"id", row.id},     {"to", row.address},        {"text", msg->body},
        {"kind", row.kind}, {"language", row.language}, {"tracking_code", row.recipient_id}};
    return send_webhook(config_.sms_url, key, body.dump(), config_.timeout, config_.ca_file);
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
    SmtpOptions o;
    o.host = config_.smtp_host;
    o.port = config_.smtp_port;
    o.helo = config_.smtp_helo;
    o.tls = config_.smtp_tls;
    o.user = config_.smtp_user;
    o.password = config_.smtp_password;
    o.ca_file = config_.ca_file;
    o.timeout = config_.timeout;
    return send_smtp(o, m.from, m.to, notify::format_mail(m));
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
  // Every claimed row is sent, then the outcomes are recorded in ONE write: a write per row
  // waited for its own commit, so the worker fell behind intake (a row or more per request)
  // under load. A crash before that write re-sends the unrecorded rows after their lease, with
  // the same idempotency keys (at least once, as before); mark_* only touch a row still at the
  // attempt this worker claimed. A slow sink (SMTP timeouts) must not let the lease run out on
  // rows already sent, so once half of it is gone what was sent so far is recorded at once.
  std::vector<Status> outcomes;
  outcomes.reserve(claimed->size());
  std::vector<int64_t> at;
  at.reserve(claimed->size());
  size_t recorded = 0;
  auto record = [&](size_t upto) -> Status {
    if (upto <= recorded) return {};
    Status marked = db_.write([&](store::Session& s) -> Status {
      for (size_t i = recorded; i < upto; ++i) {
        const auto& row = (*claimed)[i];
        const Status& st = outcomes[i];
        Result<bool> r = false;
        if (st.ok()) {
          r = store::outbox::mark_sent(s, row.id, row.attempts, at[i]);
        } else {
          bool dead = row.attempts >= config_.max_attempts;
          int64_t delay = config_.backoff_ms;
          for (int k = 1; k < row.attempts && delay < config_.max_backoff_ms; ++k) delay *= 2;
          delay = std::min(delay, config_.max_backoff_ms);
          r = store::outbox::mark_failed(s, row.id, row.attempts, st.error().detail, at[i] + delay,
                                         dead);
        }
        if (!r.ok()) return r.error();
      }
      return {};
    });
    if (marked.ok()) recorded = upto;
    return marked;
  };
  for (const auto& row : *claimed) {
    outcomes.push_back(send(row));
    if (outcomes.back().ok() && config_.crash_after_send && config_.crash_after_send(row))
      return rep;
    at.push_back(clock_.now_ms());
    if (at.back() - now > config_.lease_ms / 2) GJ_TRY(record(outcomes.size()));
  }
  GJ_TRY(record(outcomes.size()));
  for (size_t i = 0; i < claimed->size(); ++i) {
    const auto& row = (*claimed)[i];
    const Status& st = outcomes[i];
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
