// Notifications through an outbox 消息发件箱 (issue 3 item 9). enqueue_transition() writes one
// outbox row per recipient inside the caller's write transaction, so a committed transition
// always has its notifications and a rolled-back one never does. NotifyService is the delivery
// worker: it claims due rows (SKIP LOCKED on PostgreSQL), renders them (src/domain/notify) and
// sends them through the channel's sink, marking each sent, or failed with exponential backoff,
// or dead after max_attempts. Delivery is at least once: a crash between send and mark resends
// the row once its lease ends, with the same outbox id as the idempotency key.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/notify/templates.hpp"
#include "domain/requests/lifecycle.hpp"
#include "store/db.hpp"
#include "store/repos/outbox_repo.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

// Channels 发送渠道.
inline constexpr std::string_view kNotifyLog = "log";          // the log only (tracking page)
inline constexpr std::string_view kNotifyWebhook = "webhook";  // unit staff: POST JSON
inline constexpr std::string_view kNotifyEmail = "email";      // SMTP to row.address
inline constexpr std::string_view kNotifySms = "sms";          // the SMS gateway, row.address

// One outbox row per notification of the transition: units (holder, escalation target, summoned
// departments) on the webhook channel, plus an e-mail row for each of their users with an
// address; each requester — the ticket's own and those of requests merged into it — once,
// addressed by their tracking code: by e-mail when they gave one, else by SMS to their phone,
// else the log (they read it on the tracking page), in the language they filed in.
// Where a requester's updates would go (kNotifyEmail, kNotifySms, or kNotifyLog when they left
// no e-mail and no mobile), whether or not they turned them off.
std::string_view requester_channel(const store::TicketRow& row);
Status enqueue_transition(store::Session& s, const store::TicketRow& row,
                          const requests::Transition& t);
// The acknowledgement 受理回执 with the tracking code: for a requester who did not file the
// request themselves (a hotline call, a grid worker's or a department's entry) by e-mail or SMS;
// with `email_only`, for a citizen who filed it and read the code on screen, a copy by e-mail
// when they gave one (no SMS: it costs the county and says nothing new). Nothing when the
// ticket has no way to reach them.
Status enqueue_receipt(store::Session& s, const store::TicketRow& row, int64_t now,
                       bool email_only = false);
// A deadline warning 预警 for the unit holding the timer.
Status enqueue_warning(store::Session& s, const store::TicketRow& row, const std::string& unit_id,
                       int64_t due_at, int64_t now);

// How the SMTP connection is secured: none (a relay on a trusted network), STARTTLS on the
// submission port (587), or TLS from the first byte (SMTPS, 465). Certificates are always
// verified (system CA store, or `ca_file`), with the host name checked.
enum class SmtpTls { kNone, kStartTls, kImplicit };

// One SMTP submission's connection settings. A user name means AUTH (PLAIN, else LOGIN), which
// is refused over a connection that is not encrypted so a password never crosses in clear.
struct SmtpOptions {
  std::string host;
  int port = 25;
  std::string helo = "gongjian.localhost";
  SmtpTls tls = SmtpTls::kNone;
  std::string user, password;
  std::string ca_file;  // PEM bundle; empty = the system's trust store
  std::chrono::milliseconds timeout{5000};
};

struct NotifyConfig {
  std::string webhook_url;  // http(s)://host[:port]/path; empty = webhook rows go to the log
  std::string sms_url;      // the SMS gateway, http(s)://…; empty = SMS rows go to the log
  std::string smtp_host;    // empty = email rows go to the log
  int smtp_port = 25;
  std::string smtp_from = "gongjian@localhost";
  std::string smtp_helo = "gongjian.localhost";
  SmtpTls smtp_tls = SmtpTls::kNone;
  std::string smtp_user, smtp_password;
  std::string ca_file;  // trust anchors for https webhooks and SMTP TLS; empty = system store
  int max_attempts = 6;
  int64_t backoff_ms = 30'000;              // first retry; doubles each attempt
  int64_t max_backoff_ms = 3'600'000;       // cap
  int64_t lease_ms = 120'000;               // a claimed row is resent after this if never marked
  std::chrono::milliseconds timeout{5000};  // per network operation
  // Test seam (style.md §6): called after a successful send, before the mark; returning true
  // abandons the batch as if the process had died there.
  std::function<bool(const store::OutboxRow&)> crash_after_send;
};

// The SMS gateway and the secured-transport settings (flags or configuration file); the SMTP
// password is read only from $GONGJIAN_SMTP_PASSWORD or a file named here, never from a flag
// (ps would show it).
struct NotifySettings {
  std::string sms_url;   // --notify-sms (else $GONGJIAN_NOTIFY_SMS)
  std::string smtp_tls;  // none | starttls | tls (default: none, or tls for port 465)
  std::string smtp_user;
  std::string smtp_password_file;
  std::string ca_file;
};

// Reads GONGJIAN_NOTIFY_WEBHOOK, GONGJIAN_NOTIFY_SMS, GONGJIAN_SMTP (HOST:PORT),
// GONGJIAN_SMTP_FROM, GONGJIAN_SMTP_TLS, GONGJIAN_SMTP_USER, GONGJIAN_SMTP_PASSWORD,
// GONGJIAN_TLS_CA_FILE; then the given values (flags) override. Errors: kInvalidInput for a
// malformed URL or HOST:PORT, an unknown TLS mode, a user without a password, or a password that
// would travel unencrypted.
Result<NotifyConfig> notify_config(const std::string& webhook, const std::string& smtp,
                                   const std::string& smtp_from, const NotifySettings& tls = {});

struct DeliveryReport {
  int claimed = 0, sent = 0, retried = 0, dead = 0;
};

class NotifyService {
 public:
  NotifyService(store::Database& db, const Clock& clock, NotifyConfig config);
  // Delivers up to `batch` due rows; returns what happened to them.
  Result<DeliveryReport> deliver_due(int batch = 50);
  const NotifyConfig& config() const { return config_; }

 private:
  Status send(const store::OutboxRow& row);
  store::Database& db_;
  const Clock& clock_;
  NotifyConfig config_;
};

// The sinks, usable alone (tests speak to them through real sockets).
Status send_webhook(const std::string& url, const std::string& idempotency_key,
                    const std::string& json_body, std::chrono::milliseconds timeout);
Status send_webhook(const std::string& url, const std::string& idempotency_key,
                    const std::string& json_body, std::chrono::milliseconds timeout,
                    const std::string& ca_file);
Status send_smtp(const std::string& host, int port, const std::string& helo,
                 const std::string& from, const std::string& to, const std::string& data,
                 std::chrono::milliseconds timeout);
Status send_smtp(const SmtpOptions& options, const std::string& from, const std::string& to,
                 const std::string& data);

}  // namespace gj::app
