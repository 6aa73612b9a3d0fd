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
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/app.hpp"
#include "app/notify_service.hpp"
#include "app/requests_service.hpp"
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

  // A citizen's request, routed to kGrid at intake (so dispatched already).
  store::TicketRow submit(const std::string& subject = "小区门口垃圾堆放多日无人清运") {
    auth::Principal citizen;
    citizen.role = auth::Role::kCitizen;
    citizen.ip = "10.0.0.1";
    app::IntakeInput in;
    in.county_code = kCounty;
    in.category = "0106";
    in.subject = subject;
    in.text = "城区社区东门垃圾桶旁边堆了很多垃圾，已经三天没人清运。";
    in.lat = kLat;
    in.lon = kLon;
    in.phone = "13812345678";
    auto r = app_->requests().submit(citizen, in);
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
  EXPECT_EQ(rows[2].channel, "log");
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
