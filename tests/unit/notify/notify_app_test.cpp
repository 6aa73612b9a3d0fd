// Notifications through the outbox 消息发件箱, in-process on real SQLite and real PostgreSQL
// ($GJ_TEST_POSTGRES_URL): transitions enqueue their messages in the same transaction (and a
// failed or rolled-back one enqueues nothing); the worker delivers to a real local webhook server
// (Beast, 127.0.0.1:0) and to a small SMTP server speaking over a real socket; failing sinks are
// retried with backoff and dead-lettered; a crash between send and mark resends with the same
// idempotency key.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/app.hpp"
#include "app/notify_service.hpp"
#include "app/requests_service.hpp"
#include "domain/notify/templates.hpp"
#include "smtp_server.hpp"
#include "store/repos/outbox_repo.hpp"
#include "store/repos/repos.hpp"
#include "store/repos/requests_repo.hpp"
#include "test_store.hpp"
#include "zhashui_seed.hpp"

using namespace gj;
using nlohmann::json;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

using gj::testing::add_user;
using gj::testing::Backend;
using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::kLat;
using gj::testing::kLon;
using gj::testing::new_target;
using gj::testing::Target;

// Fails the next commit when armed (the store's fault seam), as if fsync had failed.
struct FailNextCommit : store::FaultInjector {
  std::atomic<bool> armed{false};
  bool fail_commit() override { return armed.exchange(false); }
};

// A real HTTP server on 127.0.0.1:0 that records each POST and answers with `status`.
class WebhookServer {
 public:
  struct Hit {
    std::string key, body;
  };
  WebhookServer() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~WebhookServer() {
    ioc_.stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
  }
  std::vector<Hit> hits() {
    std::lock_guard lock(mu_);
    return hits_;
  }
  std::atomic<int> status{200};

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (ec) return;
      boost::beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(sock, buf, req, ec);
      if (!ec) {
        {
          std::lock_guard lock(mu_);
          hits_.push_back({std::string(req["Idempotency-Key"]), req.body()});
        }
        http::response<http::string_body> res{static_cast<http::status>(status.load()), 11};
        res.body() = "{}";
        res.prepare_payload();
        http::write(sock, res, ec);
      }
      accept();
    });
  }
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Hit> hits_;
};

using gj::testing::SmtpServer;

class NotifyApp : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    target_ = new_target(GetParam());
    if (!target_.skip.empty()) GTEST_SKIP() << target_.skip;
    store::Options opt;
    opt.target = target_.url;
    auto db = store::open_database(opt, faults_);
    ASSERT_TRUE(db.ok()) << db.error().detail;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->migrate().ok());
    app::Config cfg;
    cfg.password = {1, 1024, 1};
    app_ = std::make_unique<app::App>(*db_, clock_, ids_, cfg);
    seed();
  }
  void TearDown() override {
    app_.reset();
    if (db_) db_->close();
  }

  void seed() {
    ASSERT_TRUE(gj::testing::seed_zhashui(*app_, *db_).ok());
    command_ = add("command", "command", kCounty);
    grid_ = add("gridworker", "grid_worker", kGrid);
    other_ = add("other", "grid_worker", gj::testing::kYingpanGrid);  // 营盘村 第1网格
  }

  auth::Principal add(const std::string& name, const std::string& role, const std::string& scope) {
    return add_user(*app_, name, role, scope);
  }

  // A citizen's report at the centre of kGrid (so routed there and dispatched at intake).
  static app::IntakeInput report(const std::string& subject) {
    app::IntakeInput in;
    in.county_code = kCounty;
    in.category = "0106";
    in.subject = subject;
    in.text = "城区社区东门垃圾桶旁边堆了很多垃圾，已经三天没人清运。";
    in.lat = kLat;
    in.lon = kLon;
    in.phone = "13812345678";
    return in;
  }
  static auth::Principal citizen() {
    auth::Principal c;
    c.role = auth::Role::kCitizen;
    c.ip = "10.0.0.1";
    return c;
  }
  // That report filed; `edit` changes it first (an e-mail, a language, a point outside every
  // grid).
  store::TicketRow submit(const std::string& subject = "小区门口垃圾堆放多日无人清运",
                          const std::function<void(app::IntakeInput&)>& edit = {}) {
    app::IntakeInput in = report(subject);
    if (edit) edit(in);
    auto r = app_->requests().submit(citizen(), in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return r.ok() ? r->detail.view.row : store::TicketRow{};
  }

  std::vector<store::OutboxRow> outbox(int64_t ticket_id = 0) {
    auto r = db_->read_value<std::vector<store::OutboxRow>>(
        [&](store::Session& s) { return store::outbox::list(s, ticket_id, 100); });
    EXPECT_TRUE(r.ok());
    auto v = r.ok() ? *r : std::vector<store::OutboxRow>{};
    std::reverse(v.begin(), v.end());  // oldest first
    return v;
  }
  store::OutboxRow row(int64_t id) {
    return *db_->read_value<store::OutboxRow>(
        [&](store::Session& s) { return store::outbox::get(s, id); });
  }
  // The grid worker claims, starts and replies with `note` (having called the requester).
  void answer(int64_t id, const std::string& note) {
    for (const char* a : {"claim", "start", "reply"}) {
      app::ActionInput in;
      in.action = a;
      in.contacted = true;
      if (std::string(a) == "reply") in.note = note;
      ASSERT_TRUE(app_->requests().act(grid_, id, in).ok()) << a;
    }
  }
  int64_t audit_count(const std::string& action) {
    return *db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
      auto r = s.query_one("SELECT COUNT(*) FROM audit_log WHERE action = $1", {action});
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
  }

  Target target_;
  std::shared_ptr<FailNextCommit> faults_ = std::make_shared<FailNextCommit>();
  FakeClock clock_{1764547200000};  // 2025-12-01T00:00:00Z, a Monday
  SequentialIdGenerator ids_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<app::App> app_;
  auth::Principal command_, grid_, other_;
};

TEST_P(NotifyApp, each_transition_enqueues_its_messages_with_the_ticket_in_one_transaction) {
  auto t = submit();
  auto rows = outbox(t.id);
  ASSERT_EQ(rows.size(), 1u);  // intake dispatched it to the grid: new work 新工单
  EXPECT_EQ(rows[0].kind, "ticket.dispatched");
  EXPECT_EQ(rows[0].recipient_kind, "unit");
  EXPECT_EQ(rows[0].recipient_id, kGrid);
  EXPECT_EQ(rows[0].channel, "webhook");
  EXPECT_EQ(rows[0].language, "zh-CN");
  EXPECT_EQ(rows[0].state, "pending");
  auto payload = json::parse(rows[0].payload);
  EXPECT_EQ(payload["subject"], t.subject);
  EXPECT_EQ(payload["code"], t.code);
  EXPECT_NE(payload["deadline"].get<std::string>(), "—");

  app::ActionInput claim;
  claim.contacted = true;
  claim.action = "claim";
  ASSERT_TRUE(app_->requests().act(grid_, t.id, claim).ok());
  EXPECT_EQ(outbox(t.id).size(), 1u);  // claiming notifies no one
  app::ActionInput start;
  start.action = "start";
  ASSERT_TRUE(app_->requests().act(grid_, t.id, start).ok());
  app::ActionInput reply;
  reply.action = "reply";
  reply.note = "已联系环卫站清运完毕";
  ASSERT_TRUE(app_->requests().act(grid_, t.id, reply).ok());
  rows = outbox(t.id);
  ASSERT_EQ(rows.size(), 3u);
  // The dispatcher hears of the reply; the anonymous citizen gets a tracking update by code.
  EXPECT_EQ(rows[1].kind, "ticket.replied");
  EXPECT_EQ(rows[1].recipient_kind, "unit");
  EXPECT_EQ(rows[2].kind, "ticket.replied");
  EXPECT_EQ(rows[2].recipient_kind, "citizen");
  EXPECT_EQ(rows[2].recipient_id, t.code);
  EXPECT_EQ(rows[2].channel, "sms");  // no e-mail given: the phone
  EXPECT_EQ(rows[2].address, "13812345678");
  EXPECT_EQ(json::parse(rows[2].payload)["note"], "已联系环卫站清运完毕");
}

TEST_P(NotifyApp, a_refused_or_rolled_back_transition_enqueues_nothing) {
  auto t = submit();
  size_t before = outbox().size();
  // Refused: another grid's worker may not claim it (nothing is written).
  app::ActionInput claim;
  claim.action = "claim";
  EXPECT_FALSE(app_->requests().act(other_, t.id, claim).ok());
  EXPECT_EQ(outbox().size(), before);
  // Rolled back: the transition passed every check but its commit failed.
  faults_->armed = true;
  claim.contacted = true;
  auto r = app_->requests().act(grid_, t.id, claim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStorageUnavailable);
  EXPECT_EQ(outbox().size(), before);
  // A return that commits does enqueue (the dispatcher hears of it): the seam is not hiding rows.
  app::ActionInput ret;
  ret.action = "return";
  ret.note = "不属于本网格";
  faults_->armed = true;
  EXPECT_FALSE(app_->requests().act(grid_, t.id, ret).ok());
  EXPECT_EQ(outbox().size(), before);
  ASSERT_TRUE(app_->requests().act(grid_, t.id, ret).ok());
  auto rows = outbox(t.id);
  ASSERT_EQ(rows.size(), before + 1);
  EXPECT_EQ(rows.back().kind, "ticket.returned");
}

TEST_P(NotifyApp, the_worker_posts_to_a_webhook_with_the_outbox_id_as_idempotency_key) {
  WebhookServer hook;
  auto cfg = app::notify_config(hook.url(), "", "");
  ASSERT_TRUE(cfg.ok());
  app::NotifyService worker(*db_, clock_, *cfg);
  auto t = submit("路灯不亮");
  auto r = worker.deliver_due();
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->claimed, 1);
  EXPECT_EQ(r->sent, 1);
  auto hits = hook.hits();
  ASSERT_EQ(hits.size(), 1u);
  auto id = outbox(t.id)[0].id;
  EXPECT_EQ(hits[0].key, std::to_string(id));
  auto body = json::parse(hits[0].body);
  EXPECT_EQ(body["kind"], "ticket.dispatched");
  EXPECT_EQ(body["recipient_id"], kGrid);
  EXPECT_EQ(body["subject"], "新诉求工单：路灯不亮");
  EXPECT_NE(body["body"].get<std::string>().find("请于"), std::string::npos);
  auto sent = row(id);
  EXPECT_EQ(sent.state, "sent");
  EXPECT_EQ(sent.attempts, 1);
  ASSERT_TRUE(sent.sent_at.has_value());
  // Nothing is due any more: the next pass claims nothing and sends nothing.
  EXPECT_EQ(worker.deliver_due()->claimed, 0);
  EXPECT_EQ(hook.hits().size(), 1u);
}

TEST_P(NotifyApp, a_failing_sink_is_retried_with_exponential_backoff_then_dead_lettered) {
  WebhookServer hook;
  hook.status = 503;
  auto cfg = app::notify_config(hook.url(), "", "");
  ASSERT_TRUE(cfg.ok());
  cfg->max_attempts = 3;
  cfg->backoff_ms = 1000;
  app::NotifyService worker(*db_, clock_, *cfg);
  auto t = submit();
  int64_t id = outbox(t.id)[0].id;
  int64_t t0 = clock_.now_ms();
  EXPECT_EQ(worker.deliver_due()->retried, 1);
  auto r1 = row(id);
  EXPECT_EQ(r1.state, "failed");
  EXPECT_EQ(r1.next_attempt_at, t0 + 1000);
  EXPECT_NE(r1.last_error.find("503"), std::string::npos) << r1.last_error;
  EXPECT_EQ(worker.deliver_due()->claimed, 0);  // not due yet
  clock_.advance(1000ms);
  EXPECT_EQ(worker.deliver_due()->retried, 1);
  EXPECT_EQ(row(id).next_attempt_at, t0 + 1000 + 2000);  // doubled
  clock_.advance(2000ms);
  auto last = worker.deliver_due();
  EXPECT_EQ(last->dead, 1);
  auto dead = row(id);
  EXPECT_EQ(dead.state, "dead");
  EXPECT_EQ(dead.attempts, 3);
  clock_.advance(1h);
  EXPECT_EQ(worker.deliver_due()->claimed, 0);  // dead rows stay dead
  auto hits = hook.hits();
  ASSERT_EQ(hits.size(), 3u);
  for (const auto& h : hits) EXPECT_EQ(h.key, std::to_string(id));
}

TEST_P(NotifyApp, a_crash_between_send_and_mark_resends_with_the_same_idempotency_key) {
  WebhookServer hook;
  auto cfg = app::notify_config(hook.url(), "", "");
  ASSERT_TRUE(cfg.ok());
  cfg->lease_ms = 60'000;
  auto crashing = *cfg;
  crashing.crash_after_send = [](const store::OutboxRow&) { return true; };
  auto t = submit();
  int64_t id = outbox(t.id)[0].id;
  {
    app::NotifyService dying(*db_, clock_, crashing);
    EXPECT_EQ(dying.deliver_due()->claimed, 1);
  }
  EXPECT_EQ(row(id).state, "sending");  // sent, never marked
  app::NotifyService worker(*db_, clock_, *cfg);
  EXPECT_EQ(worker.deliver_due()->claimed, 0);  // still leased to the dead worker
  clock_.advance(60s);
  EXPECT_EQ(worker.deliver_due()->sent, 1);
  auto hits = hook.hits();
  ASSERT_EQ(hits.size(), 2u);  // at least once: the receiver deduplicates by key
  EXPECT_EQ(hits[0].key, std::to_string(id));
  EXPECT_EQ(hits[1].key, hits[0].key);
  EXPECT_EQ(row(id).state, "sent");
  EXPECT_EQ(row(id).attempts, 2);
}

// A batch's outcomes are recorded in one write at its end, but a slow sink must not let the
// lease run out on messages already sent (another worker would send them again): once half of
// it is gone, what was sent so far is recorded before the next send.
TEST_P(NotifyApp, a_slow_batch_records_what_it_sent_before_half_the_lease_is_gone) {
  WebhookServer hook;
  auto cfg = app::notify_config(hook.url(), "", "");
  ASSERT_TRUE(cfg.ok());
  cfg->lease_ms = 60'000;
  std::vector<std::string> states_seen;  // the first message's state at each later send
  int64_t first = 0;
  cfg->crash_after_send = [&](const store::OutboxRow& r) {
    if (first == 0)
      first = r.id;
    else
      states_seen.push_back(row(first).state);
    clock_.advance(std::chrono::seconds(31));  // each send takes more than half the lease
    return false;
  };
  for (const char* subject : {"路灯不亮", "井盖缺失", "垃圾未清"}) submit(subject);
  app::NotifyService worker(*db_, clock_, *cfg);
  auto r = worker.deliver_due();
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->claimed, 3);
  EXPECT_EQ(r->sent, 3);
  ASSERT_EQ(states_seen.size(), 2u);
  EXPECT_EQ(states_seen[0], "sent");  // recorded before the second send, not at the end
  for (const auto& o : outbox()) EXPECT_EQ(o.state, "sent") << o.id;
  EXPECT_EQ(hook.hits().size(), 3u);
}

TEST_P(NotifyApp, a_citizen_email_goes_through_smtp_with_encoded_headers) {
  SmtpServer smtp;
  auto cfg =
      app::notify_config("", "127.0.0.1:" + std::to_string(smtp.port()), "noreply@zhashui.example");
  ASSERT_TRUE(cfg.ok()) << cfg.error().detail;
  app::NotifyService worker(*db_, clock_, *cfg);
  store::OutboxRow o;
  o.created_at = o.next_attempt_at = clock_.now_ms();
  o.kind = "ticket.completed";
  o.recipient_kind = "citizen";
  o.recipient_id = "ZS-7";
  o.address = "zhang@example.com";
  o.channel = "email";
  o.language = "zh-CN";
  o.payload = json{{"subject", "路灯不亮\r\nBcc: evil@example.com"}, {"code", "ZS-7"}}.dump();
  auto id =
      db_->write_value<int64_t>([&](store::Session& s) { return store::outbox::enqueue(s, o); });
  ASSERT_TRUE(id.ok());
  auto r = worker.deliver_due();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sent, 1);
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].from, "<noreply@zhashui.example>");
  EXPECT_EQ(mails[0].to, "<zhang@example.com>");
  const auto& d = mails[0].data;
  EXPECT_NE(d.find("To: <zhang@example.com>\r\n"), std::string::npos) << d;
  EXPECT_NE(d.find("Subject: =?UTF-8?B?"), std::string::npos) << d;
  EXPECT_NE(d.find("X-Gongjian-Outbox-Id: " + std::to_string(*id) + "\r\n"), std::string::npos);
  EXPECT_NE(d.find("您反映的“路灯不亮 Bcc: evil@example.com”已办结"), std::string::npos) << d;
  EXPECT_EQ(d.find("\r\nBcc:"), std::string::npos);  // no forged header
  EXPECT_EQ(row(*id).state, "sent");
}

// 进度通知: a requester hears by the e-mail they gave, else by SMS to their phone through the
// county's gateway, in the language they filed in.
TEST_P(NotifyApp, citizen_updates_go_to_their_email_else_by_sms_in_their_language) {
  auto by_mail = submit("路灯不亮", [](app::IntakeInput& in) {
    in.email = "li@example.com";
    in.language = "en";
  });
  auto by_sms = submit("井盖缺失");
  EXPECT_EQ(by_mail.requester_email, "l***@example.com");  // masked in the answer
  for (const auto* t : {&by_mail, &by_sms}) {
    answer(t->id, "已修复");
  }
  SmtpServer smtp;
  WebhookServer gateway;
  app::NotifySettings settings;
  settings.sms_url = gateway.url();
  auto cfg = app::notify_config("", "127.0.0.1:" + std::to_string(smtp.port()),
                                "noreply@zhashui.example", settings);
  ASSERT_TRUE(cfg.ok()) << cfg.error().detail;
  app::NotifyService worker(*db_, clock_, *cfg);
  auto r = worker.deliver_due();
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->dead + r->retried, 0);

  auto mail_row = outbox(by_mail.id).back();
  EXPECT_EQ(mail_row.channel, "email");
  EXPECT_EQ(mail_row.address, "li@example.com");
  EXPECT_EQ(mail_row.language, "en");
  // The receipt 受理回执 first (a copy of the code the citizen read on screen), then the answer;
  // the citizen without an e-mail got no receipt by SMS.
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[0].to, "<li@example.com>");
  EXPECT_NE(mails[0].data.find("Its tracking code is " + by_mail.code), std::string::npos)
      << mails[0].data;
  EXPECT_NE(mails[1].data.find("was answered: 已修复"), std::string::npos) << mails[1].data;

  auto sms_row = outbox(by_sms.id).back();
  EXPECT_EQ(sms_row.channel, "sms");
  EXPECT_EQ(sms_row.language, "zh-CN");
  auto hits = gateway.hits();
  ASSERT_EQ(hits.size(), 1u);  // the gateway gets SMS rows only (no unit webhook configured)
  EXPECT_EQ(hits[0].key, std::to_string(sms_row.id));
  auto body = json::parse(hits[0].body);
  EXPECT_EQ(body["to"], "13812345678");
  EXPECT_EQ(body["tracking_code"], by_sms.code);
  EXPECT_EQ(body["text"],
            "您反映的“井盖缺失”已有答复：已修复。可凭查询码 " + by_sms.code + " 查看进度并评价。");
  for (const auto& o : outbox()) EXPECT_EQ(o.state, "sent") << o.id << " " << o.channel;

  // Bad contact data is refused at intake and stores nothing.
  app::IntakeInput bad = report("坏邮箱");
  bad.email = "not an address";
  size_t before = outbox().size();
  auto e = app_->requests().submit(citizen(), bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "email");
  bad.email.clear();
  bad.language = "fr";
  e = app_->requests().submit(citizen(), bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "language");
  EXPECT_EQ(outbox().size(), before);
}

// 关闭进度通知: a requester who turns their updates off on the tracking page gets no SMS while
// off (the page still shows each step), and gets them again once they turn them back on; wrong
// digits change nothing.
TEST_P(NotifyApp, a_requester_who_turns_updates_off_gets_no_message_until_they_turn_them_on) {
  auto t = submit("井盖缺失");               // phone 13812345678: updates by SMS
  auto sms = [&](const std::string& kind) {  // the log row of each update is always written
    int n = 0;
    for (const auto& o : outbox(t.id))
      n += o.recipient_kind == "citizen" && o.kind == kind && o.channel == "sms";
    return n;
  };
  auto view = app_->requests().track(t.code);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->row.requester_updates_off);
  EXPECT_EQ(view->updates_channel, "sms");   // said on the tracking page…
  EXPECT_EQ(view->row.requester_phone, "");  // …without the number
  auto wrong = app_->requests().updates_by_citizen(t.code, "0000", false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
  auto off = app_->requests().updates_by_citizen(t.code, "5678", false, "10.0.0.9");
  ASSERT_TRUE(off.ok()) << off.error().detail;
  EXPECT_TRUE(off->row.requester_updates_off);
  EXPECT_EQ(audit_count("request.citizen_updates"), 1);
  // Again: nothing to record.
  ASSERT_TRUE(app_->requests().updates_by_citizen(t.code, "5678", false).ok());
  EXPECT_EQ(audit_count("request.citizen_updates"), 1);
  answer(t.id, "已修复");
  EXPECT_EQ(sms("ticket.replied"), 0);
  auto page = app_->requests().track(t.code);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.back().action, "reply");  // the page still shows it
  auto on = app_->requests().updates_by_citizen(t.code, "5678", true);
  ASSERT_TRUE(on.ok());
  EXPECT_FALSE(on->row.requester_updates_off);
  app::ActionInput complete;
  complete.action = "complete";
  ASSERT_TRUE(app_->requests().act(command_, t.id, complete).ok());
  EXPECT_EQ(sms("ticket.completed"), 1);
  EXPECT_EQ(audit_count("request.citizen_updates"), 2);
}

// 回访未接通: three satisfaction calls that do not reach the requester end the call-back, and
// only then is the requester asked (by SMS, in the template's words, without the staff's note)
// to rate online; the tracking page still takes their rating.
TEST_P(NotifyApp, a_callback_that_never_reaches_the_requester_asks_them_to_rate_online) {
  auto t = submit("路灯不亮");  // phone 13812345678: updates by SMS
  answer(t.id, "已修复");
  app::ActionInput step;
  step.action = "complete";
  ASSERT_TRUE(app_->requests().act(command_, t.id, step).ok());
  auto missed = [&] {
    std::vector<store::OutboxRow> rows;
    for (const auto& o : outbox(t.id))
      if (o.kind == "ticket.callback_missed") rows.push_back(o);
    return rows;
  };
  step.action = "callback_unreached";
  step.note = "无人接听（内部备注）";
  for (int i = 1; i <= 2; ++i) {
    auto r = app_->requests().act(command_, t.id, step);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->view.row.status, "callback");
    EXPECT_EQ(r->view.ticket.callback_attempts, i);
  }
  EXPECT_TRUE(missed().empty());
  auto third = app_->requests().act(command_, t.id, step);
  ASSERT_TRUE(third.ok());
  auto rows = missed();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].channel, "sms");
  EXPECT_EQ(rows[0].recipient_kind, "citizen");
  EXPECT_EQ(rows[0].address, "13812345678");
  notify::Fields fields;
  auto payload = nlohmann::json::parse(rows[0].payload);
  for (const auto& [k, v] : payload.items())
    if (v.is_string()) fields[k] = v.get<std::string>();
  auto text = notify::render(rows[0].kind, notify::Audience::kCitizen, rows[0].language, fields);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->body.find(t.code), std::string::npos);
  EXPECT_EQ(text->body.find("内部备注"), std::string::npos);
  // A fourth call is refused and changes nothing.
  auto fourth = app_->requests().act(command_, t.id, step);
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.error().code, ErrorCode::kIllegalTransition);
  EXPECT_EQ(missed().size(), 1u);
  auto rated = app_->requests().rate_by_citizen(t.code, "5678", "satisfied", true, "网上评价");
  ASSERT_TRUE(rated.ok()) << rated.error().detail;
  EXPECT_EQ(rated->row.status, "rated");
}

// 受理回执: a requester whose call a hotline operator entered is sent the tracking code; one
// who filed it themselves saw it on the screen (and gets it by e-mail only: see above); an entry
// without a phone tells no one.
TEST_P(NotifyApp, a_request_entered_for_a_caller_sends_them_the_tracking_code) {
  app::IntakeInput in = report("热线：垃圾无人清运");
  in.channel = "hotline";
  in.county_code.clear();  // staff default to their own county
  in.phone = "13900001111";
  auto r = app_->requests().submit(command_, in);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  const auto& t = r->detail.view.row;
  std::vector<store::OutboxRow> receipts;
  for (const auto& o : outbox(t.id))
    if (o.recipient_kind == "citizen") receipts.push_back(o);
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].kind, "ticket.received");
  EXPECT_EQ(receipts[0].channel, "sms");
  EXPECT_EQ(receipts[0].address, "13900001111");
  EXPECT_EQ(json::parse(receipts[0].payload)["code"], t.code);

  // A landline takes no SMS: no receipt (the operator reads the code out on the call).
  in.phone = "0914-2321234";
  in.subject = "热线：座机来电";
  auto landline = app_->requests().submit(command_, in);
  ASSERT_TRUE(landline.ok()) << landline.error().detail;
  for (const auto& o : outbox(landline->detail.view.row.id)) EXPECT_NE(o.recipient_kind, "citizen");

  in.phone.clear();
  in.subject = "热线：匿名反映垃圾";
  auto anon = app_->requests().submit(command_, in);
  ASSERT_TRUE(anon.ok()) << anon.error().detail;
  for (const auto& o : outbox(anon->detail.view.row.id)) EXPECT_NE(o.recipient_kind, "citizen");
  auto own = submit("自己提交的诉求");
  for (const auto& o : outbox(own.id)) EXPECT_NE(o.recipient_kind, "citizen");
}

// 合并: every reporter of a merged request is kept on the surviving case and told its outcome,
// each with their own tracking code and subject; their tracking page follows the case.
TEST_P(NotifyApp, the_reporters_of_a_merged_request_are_told_the_outcome_of_the_case) {
  auto survivor = submit("城区社区东门垃圾堆放");
  // Outside every grid: it waits at the command centre (已受理), where duplicates are merged.
  auto outside = [](app::IntakeInput& in) {
    in.lat = 33.95;
    in.lon = 109.60;
    in.email = "wang@example.com";
  };
  auto dup = submit("东门垃圾没人管", outside);
  ASSERT_EQ(dup.status, "received");
  auto late = submit("东门垃圾还在", [&](app::IntakeInput& in) {
    outside(in);
    in.email.clear();
    in.phone = "13700002222";
  });
  app::ActionInput merge;
  merge.action = "merge";
  merge.merged_into = std::to_string(survivor.id);
  auto m = app_->requests().act(command_, dup.id, merge);
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_EQ(m->view.row.status, "merged");
  auto detail = app_->requests().get(command_, survivor.id);
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->events.back().action, "merged_in");
  EXPECT_NE(detail->events.back().note.find(dup.code), std::string::npos);

  // A merged ticket takes nothing in; the error names where to merge instead.
  app::ActionInput into_dup = merge;
  into_dup.merged_into = std::to_string(dup.id);
  auto refused = app_->requests().act(command_, late.id, into_dup);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "merged_into");
  EXPECT_NE(refused.error().detail.find(std::to_string(survivor.id)), std::string::npos);

  answer(survivor.id, "环卫站已全部清运");
  std::map<std::string, store::OutboxRow> told;  // tracking code → the reply's citizen row
  for (const auto& o : outbox(survivor.id))
    if (o.recipient_kind == "citizen" && o.kind == "ticket.replied") told[o.recipient_id] = o;
  ASSERT_EQ(told.size(), 2u);
  ASSERT_TRUE(told.count(survivor.code));
  ASSERT_TRUE(told.count(dup.code));
  EXPECT_EQ(told[survivor.code].channel, "sms");
  EXPECT_EQ(told[dup.code].channel, "email");
  EXPECT_EQ(told[dup.code].address, "wang@example.com");
  auto p = json::parse(told[dup.code].payload);
  EXPECT_EQ(p["code"], dup.code);
  EXPECT_EQ(p["subject"], "东门垃圾没人管");
  EXPECT_EQ(p["note"], "环卫站已全部清运");

  // Merged after the answer: the newcomer is told at once.
  auto m2 = app_->requests().act(command_, late.id, merge);
  ASSERT_TRUE(m2.ok()) << m2.error().detail;
  bool late_told = false;
  for (const auto& o : outbox(survivor.id))
    if (o.recipient_id == late.code && o.kind == "ticket.replied") {
      late_told = true;
      EXPECT_EQ(o.channel, "sms");
      EXPECT_EQ(o.address, "13700002222");
      EXPECT_EQ(json::parse(o.payload)["note"], "环卫站已全部清运");
    }
  EXPECT_TRUE(late_told);

  // The merged requester's tracking page shows the case it joined, with the answer.
  auto track = app_->requests().track(dup.code);
  ASSERT_TRUE(track.ok());
  ASSERT_TRUE(track->joined.has_value());
  EXPECT_EQ(track->joined->row.id, survivor.id);
  EXPECT_EQ(track->joined->row.status, "replied");
  EXPECT_TRUE(track->joined->row.requester_phone.empty());
  bool replied = false;
  for (const auto& e : track->joined->events) replied |= e.action == "reply";
  EXPECT_TRUE(replied);
}

TEST_P(NotifyApp, a_deadline_warning_notifies_the_holding_unit) {
  auto t = submit();
  size_t before = outbox(t.id).size();
  // The response limit's warning time comes before its due time; a scan then sees it.
  clock_.advance(std::chrono::hours(24 * 3));
  auto rep = app_->requests().run_due_timers(clock_.now());
  ASSERT_TRUE(rep.ok()) << rep.error().detail;
  auto rows = outbox(t.id);
  int warnings = 0;
  for (size_t i = before; i < rows.size(); ++i)
    if (rows[i].kind == "deadline.warning") {
      ++warnings;
      EXPECT_EQ(rows[i].recipient_kind, "unit");
    }
  EXPECT_EQ(warnings, rep->warnings);
  EXPECT_GT(rep->warnings + rep->escalations, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, NotifyApp,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
