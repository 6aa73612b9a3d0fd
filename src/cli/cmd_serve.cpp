// gongjian serve: the HTTP API, the web UI and (later) the background scheduler.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/attachments.hpp"
#include "app/notify_service.hpp"
#include "app/requests_service.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"
#include "common/log.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian serve [--listen ADDR:PORT] [--db PATH | --postgres URL] [--web DIR]\n"
    "                      [--workers N] [--secure-cookies] [--scan-seconds N]\n"
    "                      [--notify-webhook URL] [--notify-sms URL]\n"
    "                      [--smtp HOST:PORT] [--smtp-from ADDR]\n"
    "                      [--smtp-tls none|starttls|tls] [--smtp-user NAME]\n"
    "                      [--smtp-password-file FILE] [--tls-ca-file FILE]\n"
    "                      [--trusted-proxies LIST]\n"
    "                      [--attachments-store files|database] [--attachments-dir DIR]\n"
    "Serves the API and the web UI until SIGTERM/SIGINT, then drains in-flight requests,\n"
    "commits queued writes, checkpoints the store and exits 0.\n"
    "  --listen ADDR:PORT  default 127.0.0.1:8080 (or $GONGJIAN_LISTEN)\n"
    "  --web DIR           built web UI (default web/dist; omitted if absent)\n"
    "  --workers N         handler threads (default 64)\n"
    "  --secure-cookies    mark the session cookie Secure (when served over HTTPS)\n"
    "  --trusted-proxies LIST  reverse proxies whose X-Forwarded-For names the client in\n"
    "                      the audit log, e.g. 127.0.0.1,10.0.0.0/8 (default: none)\n"
    "  --scan-seconds N    deadline scheduler period (default 5; 0 = off)\n"
    "  --notify-seconds N  notification delivery period (default 2; 0 = off)\n"
    "  --notify-webhook URL  POST unit notifications as JSON to this http:// or https:// URL\n"
    "                      (or $GONGJIAN_NOTIFY_WEBHOOK; unset: the log only)\n"
    "  --notify-sms URL    POST citizens' SMS updates as JSON {to, text, …} to the county's\n"
    "                      SMS gateway (or $GONGJIAN_NOTIFY_SMS; unset: the log only)\n"
    "  --smtp HOST:PORT    send citizen e-mail through this SMTP server\n"
    "                      (or $GONGJIAN_SMTP; unset: the log only)\n"
    "  --smtp-from ADDR    envelope and From address (or $GONGJIAN_SMTP_FROM)\n"
    "  --smtp-tls MODE     none, starttls (port 587) or tls (SMTPS, port 465; the default\n"
    "                      there); certificates and host names are always verified\n"
    "  --smtp-user NAME    SMTP AUTH (PLAIN or LOGIN; needs TLS); the password comes from\n"
    "                      $GONGJIAN_SMTP_PASSWORD or --smtp-password-file, never a flag\n"
    "  --tls-ca-file FILE  trust these CA certificates (PEM) instead of the system's\n"
    "  --attachments-store files|database  where photo attachments' bytes are kept (or\n"
    "                      $GONGJIAN_ATTACHMENTS_STORE): in the database (the default on\n"
    "                      PostgreSQL: every node reads them, the database backup holds them)\n"
    "                      or as files (the default on SQLite)\n"
    "  --attachments-dir DIR  the files' directory (or $GONGJIAN_ATTACHMENTS_DIR; default: an\n"
    "                      attachments/ folder next to the SQLite file, else data/attachments;\n"
    "                      several nodes on one PostgreSQL need it shared); implies files\n";

int run(const Args& args) {
  if (has_flag(args, "--help")) {
    std::cout << kUsage << kStoreUsage;
    return 0;
  }
  std::string listen = flag_value(
      args, "--listen",
      std::getenv("GONGJIAN_LISTEN") ? std::getenv("GONGJIAN_LISTEN") : "127.0.0.1:8080");
  app::NotifySettings tls;
  tls.sms_url = flag_value(args, "--notify-sms");
  tls.smtp_tls = flag_value(args, "--smtp-tls");
  tls.smtp_user = flag_value(args, "--smtp-user");
  tls.smtp_password_file = flag_value(args, "--smtp-password-file");
  tls.ca_file = flag_value(args, "--tls-ca-file");
  auto notify_cfg =
      app::notify_config(flag_value(args, "--notify-webhook"), flag_value(args, "--smtp"),
                         flag_value(args, "--smtp-from"), tls);
  if (!notify_cfg.ok()) {
    std::cerr << "gongjian serve: " << notify_cfg.error().detail << "\n" << kUsage;
    return 2;
  }
  auto proxies = http::TrustedProxies::parse(flag_value(args, "--trusted-proxies"));
  if (!proxies.ok()) {
    std::cerr << "gongjian serve: " << proxies.error().detail << "\n";
    return 2;
  }
  int notify_seconds = 0;
  try {
    notify_seconds = std::stoi(flag_value(args, "--notify-seconds", "2"));
  } catch (const std::exception&) {
    std::cerr << "gongjian serve: --notify-seconds wants a number\n";
    return 2;
  }
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App application(*db, clock, ids);

  http::Router router;
  api::ApiConfig api_config;
  api_config.secure_cookies = has_flag(args, "--secure-cookies");
  {
    // Photo attachments 附件: in the database on PostgreSQL (several nodes share it), files
    // next to the SQLite store otherwise; orphans of an earlier run (bytes whose row never
    // committed) are swept once at start.
    std::string target = store_target(args);
    bool postgres = target.rfind("postgres", 0) == 0;
    std::string dir = flag_value(args, "--attachments-dir");
    std::string kind =
        flag_value(args, "--attachments-store", postgres && dir.empty() ? "database" : "files");
    if (kind != "files" && kind != "database")
      return usage_error("serve: --attachments-store must be files or database", kUsage);
    std::shared_ptr<app::FileStore> files;
    if (kind == "database") {
      files = std::make_shared<app::DatabaseFileStore>(*db);
    } else {
      if (dir.empty())
        dir = postgres ? std::string("data/attachments")
                       : (std::filesystem::path(target).parent_path() / "attachments").string();
      files = std::make_shared<app::DiskFileStore>(dir);
    }
    log::info("attachments_store", {{"kind", kind}, {"dir", kind == "files" ? dir : ""}});
    api_config.attachments = std::make_shared<app::AttachmentsService>(application, files);
    auto swept = api_config.attachments->sweep_orphans();
    if (!swept.ok())
      log::warn("attachment_sweep_failed", {{"detail", swept.error().detail}});
    else if (*swept > 0)
      log::info("attachment_orphans_removed", {{"count", std::to_string(*swept)}});
  }
  api::register_routes(router, application, api_config);
  std::string web = flag_value(args, "--web", "web/dist");
  if (std::filesystem::exists(std::filesystem::path(web) / "index.html"))
    router.serve_static(std::make_shared<http::StaticFiles>(web));
  else
    log::warn("web_ui_missing", {{"dir", web}});

  // The deadline scheduler 时限扫描: warnings, escalations and overdue flags from due timers.
  // Claims are in the store (SKIP LOCKED on PostgreSQL), so several nodes may run it.
  int scan_seconds = std::stoi(flag_value(args, "--scan-seconds", "5"));
  std::atomic<bool> stop_scheduler{false};
  std::thread scheduler;
  if (scan_seconds > 0) {
    scheduler = std::thread([&] {
      while (!stop_scheduler) {
        auto r = application.requests().run_due_timers(clock.now());
        if (!r.ok())
          log::warn("deadline_scan_failed", {{"detail", r.error().detail}});
        else if (r->warnings + r->escalations + r->overdue > 0)
          log::info("deadline_scan", {{"warnings", std::to_string(r->warnings)},
                                      {"escalations", std::to_string(r->escalations)},
                                      {"overdue", std::to_string(r->overdue)}});
        for (int i = 0; i < scan_seconds * 10 && !stop_scheduler; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  // The notification worker 消息投递: sends outbox rows (at least once; see
  // docs/notifications.md). Claims are in the store too, so several nodes may run it.
  app::NotifyService notifier(*db, clock, *notify_cfg);
  std::thread delivery;
  if (notify_seconds > 0) {
    delivery = std::thread([&] {
      while (!stop_scheduler) {
        auto r = notifier.deliver_due();
        if (!r.ok()) log::warn("notify_delivery_failed", {{"detail", r.error().detail}});
        // A full batch means more is waiting: go again at once.
        if (r.ok() && r->claimed >= 50) continue;
        for (int i = 0; i < notify_seconds * 10 && !stop_scheduler; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  auto stop_scan = [&] {
    stop_scheduler = true;
    if (scheduler.joinable()) scheduler.join();
    if (delivery.joinable()) delivery.join();
  };

  http::ServerConfig config;
  config.listen = listen;
  config.worker_threads = std::stoi(flag_value(args, "--workers", "64"));
  config.ready = [] { return true; };
  config.trusted_proxies = *proxies;
  config.on_drain = [&db, &stop_scan] {
    stop_scan();
    db->close();  // commits what is queued and checkpoints
    log::info("store_closed");
  };
  http::Server server(router, config);
  auto st = server.listen();
  if (!st.ok()) {
    std::cerr << "gongjian serve: cannot listen on " << listen << ": " << st.error().detail << "\n";
    stop_scan();
    return 1;
  }
  log::info("listening", {{"address", listen}, {"port", std::to_string(server.port())}});
  int rc = server.run();
  stop_scan();
  return rc;
}

const Registrar kReg{"serve", "serve the API and web UI", run};
}  // namespace
}  // namespace gj::cli
