// The citizen-request loop 接诉即办 through the application service and the JSON API, in-process
// on real SQLite and real PostgreSQL ($GJ_TEST_POSTGRES_URL): intake → routing to a grid →
// claim → reply → complete → citizen rating → metrics; idempotency keys; scope 404s; illegal
// transitions changing nothing; deadline escalation exactly once, also across a restart.
#include <gtest/gtest.h>

#include <libpq-fe.h>
#include <regex>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/requests_service.hpp"
#include "http/router.hpp"
#include "requests_fixture.hpp"
#include "store/repos/requests_repo.hpp"

using namespace gj;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

using gj::testing::Backend;
using gj::testing::kCommunity;
using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::kLat;
using gj::testing::kLon;
using gj::testing::kQianyou;
using gj::testing::kYingpanGrid;
using gj::testing::RequestsFixture;

class RequestsApp : public RequestsFixture {};

TEST_P(RequestsApp, a_citizen_request_is_routed_to_its_grid_handled_rated_and_counted) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  const auto& row = r->detail.view.row;
  EXPECT_EQ(row.status, "dispatched");
  EXPECT_EQ(row.unit_id, kGrid);
  EXPECT_EQ(row.grid_code, kGrid);
  EXPECT_FALSE(row.manual_dispatch);
  EXPECT_NE(row.route_zh.find("点在多边形内"), std::string::npos) << row.route_zh;
  EXPECT_EQ(row.requester_phone, "138****5678");  // masked on the way out
  ASSERT_EQ(r->detail.events.size(), 2u);
  EXPECT_EQ(r->detail.events[0].action, "receive");
  EXPECT_EQ(r->detail.events[1].action, "dispatch");
  int64_t id = row.id;
  std::string code = row.code;

  app::ActionInput claim;
  claim.contacted = true;
  EXPECT_EQ(act(grid_, id, "claim", claim).view.row.status, "claimed");
  EXPECT_EQ(act(grid_, id, "start").view.row.status, "in_progress");
  clock_.advance(2h);
  app::ActionInput reply;
  reply.note = "已联系环卫站清运完毕";
  EXPECT_EQ(act(grid_, id, "reply", reply).view.row.status, "replied");
  auto done = act(command_, id, "complete");
  EXPECT_EQ(done.view.row.status, "completed");

  // The citizen rates with the tracking code and the last 4 digits of the phone.
  auto wrong = app_->requests().rate_by_citizen(code, "0000", "satisfied", true, "");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
  auto rated = app_->requests().rate_by_citizen(code, "5678", "satisfied", true, "很快");
  ASSERT_TRUE(rated.ok()) << rated.error().detail;
  EXPECT_EQ(rated->row.status, "rated");
  EXPECT_TRUE(rated->row.requester_phone.empty());  // tracking shows no personal data

  auto m = app_->requests().metrics(command_, "", "", "");
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_EQ(m->counters["assignments"], 1);
  EXPECT_EQ(m->counters["responded"], 1);
  EXPECT_EQ(m->counters["completed"], 1);
  EXPECT_EQ(m->counters["ratings"], 1);
  EXPECT_EQ(metric(*m, "satisfaction_rate"), 100.0);
  EXPECT_EQ(metric(*m, "response_rate"), 100.0);
  EXPECT_EQ(metric(*m, "on_time_rate"), 100.0);
  bool grid_ranked = false;
  for (const auto& u : m->units) grid_ranked = grid_ranked || u.unit_id == kGrid;
  EXPECT_TRUE(grid_ranked);

  // The full history is there, in order, and the grid worker still sees the ticket.
  auto d = app_->requests().get(grid_, id);
  ASSERT_TRUE(d.ok());
  std::vector<std::string> actions;
  for (const auto& e : d->events) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"receive", "dispatch", "claim", "start", "reply",
                                               "complete", "rate"}));
  auto list = app_->requests().list(qianyou_, {});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 1);
}

// 待回访: the command centre's call-back queue holds what is completed and what it is still
// calling; a call-back that ended unreached (three 回访未接通) leaves it, on both backends.
TEST_P(RequestsApp, the_callback_queue_holds_completed_tickets_until_the_callback_ends) {
  auto in_queue = [&](int64_t id) {
    app::ListQuery q;
    q.callback_due = true;
    auto l = app_->requests().list(command_, q);
    EXPECT_TRUE(l.ok());
    bool found = false;
    for (const auto& v : l->items) found = found || v.row.id == id;
    return found;
  };
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  int64_t id = r->detail.view.row.id;
  EXPECT_FALSE(in_queue(id));  // still being handled
  answer_and_complete(id, "已修复");
  EXPECT_TRUE(in_queue(id));
  app::ActionInput missed;
  missed.note = "无人接听";
  EXPECT_EQ(act(command_, id, "callback_unreached", missed).view.row.status, "callback");
  EXPECT_TRUE(in_queue(id));  // still to be called
  act(command_, id, "callback_unreached", missed);
  auto ended = act(command_, id, "callback_unreached", missed);
  EXPECT_TRUE(ended.view.row.callback_ended);
  EXPECT_EQ(ended.view.row.status, "callback");
  EXPECT_FALSE(in_queue(id));
  // A normal list still finds it.
  auto all = app_->requests().list(command_, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 1);
}

TEST_P(RequestsApp, the_same_idempotency_key_returns_the_same_ticket_and_another_body_is_409) {
  auto in = pothole();
  in.idempotency_key = "key-1";
  auto first = app_->requests().submit(citizen(), in);
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_FALSE(first->replayed);
  auto again = app_->requests().submit(citizen(), in);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->detail.view.row.id, first->detail.view.row.id);
  int64_t tickets = count("tickets"), events = count("ticket_events"), timers = count("timers");
  in.text += "（补充）";
  auto other = app_->requests().submit(citizen(), in);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kIdempotencyMismatch);
  EXPECT_EQ(count("tickets"), tickets);
  EXPECT_EQ(count("ticket_events"), events);
  EXPECT_EQ(count("timers"), timers);

  // Over HTTP: 201, then 200 with the same id, then 409.
  json body = {{"county_code", kCounty},
               {"category", "0106"},
               {"subject", "路灯不亮"},
               {"text", "城区社区路灯坏了"},
               {"phone", "13912345678"},
               {"lat", kLat},
               {"lon", kLon}};
  auto a = call("POST", "/api/v1/requests", body.dump(), "http-key");
  ASSERT_EQ(a.status, 201) << a.body;
  auto b = call("POST", "/api/v1/requests", body.dump(), "http-key");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(json::parse(a.body)["request"]["id"], json::parse(b.body)["request"]["id"]);
  body["text"] = "别的内容";
  auto c = call("POST", "/api/v1/requests", body.dump(), "http-key");
  EXPECT_EQ(c.status, 409);
  EXPECT_EQ(json::parse(c.body)["error"]["code"], "idempotency_mismatch");
}

// Intake answers a new ticket from the rows its transaction wrote, and a replay by reading the
// stored ticket back: the two answers must agree field by field, for a citizen and for staff.
TEST_P(RequestsApp, the_intake_answer_is_what_reading_the_stored_ticket_back_returns) {
  auto earlier = pothole();
  earlier.is_public = true;  // published: a duplicate even an anonymous citizen is shown
  ASSERT_TRUE(app_->requests().submit(citizen(), earlier).ok());
  auto hotline = pothole(kLat + 0.0002, kLon);
  hotline.channel = "hotline";
  hotline.idempotency_key = "same-2";
  auto web = pothole(kLat + 0.0001, kLon);
  web.idempotency_key = "same-1";
  for (auto& [who, in] : {std::pair{citizen(), web}, std::pair{command_, hotline}}) {
    auto first = app_->requests().submit(who, in);
    ASSERT_TRUE(first.ok()) << first.error().detail;
    ASSERT_FALSE(first->replayed);
    EXPECT_EQ(first->detail.events.size(), 2u);
    EXPECT_FALSE(first->detail.timers.empty());
    EXPECT_FALSE(first->detail.assignments.empty());
    EXPECT_FALSE(first->duplicates.empty());
    clock_.advance(std::chrono::seconds(1));  // the same answer later: nothing is "now"-stamped
    auto again = app_->requests().submit(who, in);
    ASSERT_TRUE(again.ok()) << again.error().detail;
    ASSERT_TRUE(again->replayed);
    EXPECT_EQ(answer_json(first->detail).dump(2), answer_json(again->detail).dump(2));
    ASSERT_EQ(first->duplicates.size(), again->duplicates.size());
    for (size_t i = 0; i < first->duplicates.size(); ++i)
      EXPECT_EQ(first->duplicates[i].ticket.id, again->duplicates[i].ticket.id);
  }
}

TEST_P(RequestsApp, an_action_with_an_idempotency_key_applies_once_and_another_body_is_409) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  app::ActionInput claim;
  claim.contacted = true;
  claim.idempotency_key = "phone-claim-1";
  claim.action = "claim";
  EXPECT_EQ(act(grid_, id, "claim", claim).view.row.status, "claimed");
  int64_t events = count("ticket_events");
  // The phone never heard the answer and sends again: the same answer, no second transition
  // (without the key the second claim would be an illegal transition).
  auto again = app_->requests().act(grid_, id, claim);
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(again->view.row.status, "claimed");
  EXPECT_EQ(count("ticket_events"), events);
  // The same key with another body is refused and changes nothing.
  claim.contacted = false;
  auto other = app_->requests().act(grid_, id, claim);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kIdempotencyMismatch);
  app::ActionInput start;
  start.idempotency_key = "phone-claim-1";  // same key, another action
  start.action = "start";
  ASSERT_FALSE(app_->requests().act(grid_, id, start).ok());
  EXPECT_EQ(count("ticket_events"), events);
  EXPECT_EQ(act(grid_, id, "start").view.row.status, "in_progress");

  // Over HTTP: the reply twice with one key → 200 both times, one reply event; another text → 409.
  auto login = call("POST", "/api/v1/auth/login",
                    json{{"username", "gridworker"}, {"password", "Password-2026"}}.dump());
  ASSERT_EQ(login.status, 200) << login.body;
  std::string set_cookie(*login.headers.get("Set-Cookie"));
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  std::string csrf = json::parse(login.body)["csrf_token"];
  auto send = [&](const std::string& text, const std::string& key) {
    http::Request req;
    req.method = "POST";
    req.target = "/api/v1/requests/" + std::to_string(id) + "/actions/reply";
    req.body = json{{"note", text}}.dump();
    req.remote_address = "127.0.0.1";
    req.headers.set("Content-Type", "application/json");
    req.headers.set("Cookie", cookie);
    req.headers.set("X-CSRF-Token", csrf);
    req.headers.set("Idempotency-Key", key);
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  };
  auto a = send("已清运完毕", "phone-reply-1");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(json::parse(a.body)["status"], "replied") << a.body;
  auto b = send("已清运完毕", "phone-reply-1");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(count("ticket_events WHERE action = 'reply'"), 1);
  auto c = send("另一个答复", "phone-reply-1");
  EXPECT_EQ(c.status, 409);
  EXPECT_EQ(json::parse(c.body)["error"]["code"], "idempotency_mismatch");
  // A fresh key for an action the state no longer allows: the lifecycle's own 409.
  auto d = send("再答复一次", "phone-reply-2");
  EXPECT_EQ(d.status, 409);
  EXPECT_EQ(json::parse(d.body)["error"]["code"], "illegal_transition");
  EXPECT_EQ(count("ticket_events WHERE action = 'reply'"), 1);
}

TEST_P(RequestsApp, a_ticket_outside_the_callers_scope_is_404_and_the_attempt_is_audited) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  int64_t denied = audit_count("scope.denied");
  auto other = app_->requests().get(yingpan_, id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  app::ActionInput claim;
  claim.action = "claim";
  auto acted = app_->requests().act(yingpan_, id, claim);
  ASSERT_FALSE(acted.ok());
  EXPECT_EQ(acted.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(audit_count("scope.denied"), denied + 2);
  // The department sees nothing that was not sent to it.
  EXPECT_EQ(app_->requests().get(dept_, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(app_->requests().list(dept_, {})->total, 0);
  EXPECT_EQ(app_->requests().list(yingpan_, {})->total, 0);
  EXPECT_TRUE(app_->requests().get(qianyou_, id).ok());
  // Dispatched to the department by the command centre, it sees it.
  auto back = app_->requests().submit(citizen(), pothole(33.9, 109.4));  // outside every grid
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->detail.view.row.manual_dispatch);
  EXPECT_EQ(back->detail.view.row.unit_id, kCounty);
  EXPECT_EQ(back->detail.view.row.status, "received");
  app::ActionInput to_dept;
  to_dept.target_unit_id = std::to_string(dept_unit_);
  act(command_, back->detail.view.row.id, "dispatch", to_dept);
  EXPECT_TRUE(app_->requests().get(dept_, back->detail.view.row.id).ok());
  EXPECT_EQ(app_->requests().list(dept_, {})->total, 1);
  app::ActionInput dept_claim;
  dept_claim.contacted = true;
  act(dept_, back->detail.view.row.id, "claim", dept_claim);
  // The department is listed and ranked in the county's metrics.
  auto m = app_->requests().metrics(command_, "", "", "");
  ASSERT_TRUE(m.ok());
  bool listed = false;
  for (const auto& u : m->units)
    if (u.unit_id == std::to_string(dept_unit_)) {
      listed = true;
      EXPECT_EQ(u.name, "柞水县住房和城乡建设局");
      EXPECT_EQ(u.counters.at("responded"), 1);
    }
  EXPECT_TRUE(listed);
}

TEST_P(RequestsApp, illegal_transitions_and_wrong_roles_are_refused_and_change_nothing) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  int64_t events = count("ticket_events"), audits = count("audit_log"),
          counters = count("metric_counters");
  app::ActionInput reply;
  reply.action = "reply";
  reply.note = "done";
  auto early = app_->requests().act(grid_, id, reply);  // dispatched, not in progress
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kIllegalTransition);
  app::ActionInput dispatch;
  dispatch.action = "dispatch";
  dispatch.target_unit_id = kCommunity;
  auto wrong_role = app_->requests().act(grid_, id, dispatch);
  ASSERT_FALSE(wrong_role.ok());
  EXPECT_EQ(wrong_role.error().code, ErrorCode::kForbidden);
  app::ActionInput unknown_unit;
  unknown_unit.action = "escalate";
  unknown_unit.note = "超出能力";
  unknown_unit.target_unit_id = "999999";
  auto bad_unit = app_->requests().act(grid_, id, unknown_unit);
  ASSERT_FALSE(bad_unit.ok());
  EXPECT_EQ(bad_unit.error().code, ErrorCode::kNotFound);
  app::IntakeInput bad = pothole();
  bad.category = "9999";
  auto bad_cat = app_->requests().submit(citizen(), bad);
  ASSERT_FALSE(bad_cat.ok());
  EXPECT_EQ(bad_cat.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bad_cat.error().field, "category");
  bad = pothole();
  bad.phone = "12345";
  EXPECT_EQ(app_->requests().submit(citizen(), bad).error().code, ErrorCode::kInvalidPhone);
  bad = pothole(95, 109);
  EXPECT_EQ(app_->requests().submit(citizen(), bad).error().field, "location");
  bad = pothole(33.9, 109.4);
  bad.channel = "grid";  // a grid worker's own report outside every grid
  EXPECT_EQ(app_->requests().submit(grid_, bad).error().field, "location");
  bad = pothole();
  bad.channel = "hotline";  // staff channel, anonymous caller
  EXPECT_EQ(app_->requests().submit(citizen(), bad).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(app_->requests().submit(grid_, bad).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(count("ticket_events"), events);
  EXPECT_EQ(count("audit_log"), audits);
  EXPECT_EQ(count("metric_counters"), counters);
  EXPECT_EQ(count("tickets"), 1);
  EXPECT_EQ(app_->requests().get(grid_, id)->view.row.status, "dispatched");
}

TEST_P(RequestsApp, an_overdue_ticket_escalates_one_level_up_exactly_once) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  // Ordinary tier: the grid has 24 h to claim. Nothing fires before.
  auto early = app_->requests().run_due_timers(clock_.now());
  ASSERT_TRUE(early.ok()) << early.error().detail;
  EXPECT_EQ(early->escalations, 0);
  clock_.advance(25h);
  int escalations = 0;
  for (int i = 0; i < 3; ++i) {
    auto scan = app_->requests().run_due_timers(clock_.now());
    ASSERT_TRUE(scan.ok()) << scan.error().detail;
    escalations += scan->escalations;
  }
  EXPECT_EQ(escalations, 1);
  auto d = app_->requests().get(command_, id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->view.row.status, "escalated");
  EXPECT_EQ(d->view.row.unit_id, kCommunity);  // grid → its community committee
  EXPECT_EQ(d->view.ticket.escalation_count, 1);
  int esc_events = 0;
  for (const auto& e : d->events) esc_events += e.action == "escalate";
  EXPECT_EQ(esc_events, 1);
  auto m = app_->requests().metrics(command_, "", "", "");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->counters["escalated"], 1);
}

TEST_P(RequestsApp, a_timer_that_fell_due_while_the_process_was_down_fires_once_after_restart) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  shut();
  clock_.advance(30h);  // the process was down when the limit passed
  open();
  auto scan = app_->requests().run_due_timers(clock_.now());
  ASSERT_TRUE(scan.ok()) << scan.error().detail;
  EXPECT_EQ(scan->escalations, 1);
  shut();
  open();
  auto again = app_->requests().run_due_timers(clock_.now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->escalations, 0);
  auto d = app_->requests().get(command_, id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->view.row.unit_id, kCommunity);
  EXPECT_EQ(d->view.ticket.escalation_count, 1);
}

// System notes are "中文 (English)" with times in local minutes (UTC+8), so the timeline can show
// either language; the escalation's note came that way already.
TEST_P(RequestsApp, deadline_warnings_and_escalations_note_the_limit_in_both_languages) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  for (int hour = 0; hour < 30; ++hour) {
    clock_.advance(1h);
    ASSERT_TRUE(app_->requests().run_due_timers(clock_.now()).ok());
  }
  auto d = app_->requests().get(command_, id);
  ASSERT_TRUE(d.ok());
  const std::regex warning(
      "响应时限将于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 到期 \\(response limit "
      "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}\\)");
  int warnings = 0, escalations = 0;
  for (const auto& e : d->events) {
    if (e.action == "deadline_warning") {
      ++warnings;
      EXPECT_TRUE(std::regex_match(e.note, warning)) << e.note;
    }
    if (e.action == "escalate") {
      ++escalations;
      EXPECT_EQ(e.note, "超时未签收，自动升级 (response limit passed)");
    }
  }
  EXPECT_EQ(warnings, 1);
  EXPECT_EQ(escalations, 1);
}

TEST_P(RequestsApp, duplicates_nearby_are_suggested_and_tracking_shows_no_personal_data) {
  auto first = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(first.ok());
  // Staff see the similar request nearby; an anonymous citizen is not shown another citizen's
  // unpublished request (its subject, its distance) …
  auto by_phone = pothole(kLat + 0.0001, kLon);
  by_phone.channel = "hotline";
  auto staff = app_->requests().submit(command_, by_phone);
  ASSERT_TRUE(staff.ok());
  ASSERT_FALSE(staff->duplicates.empty());
  EXPECT_EQ(staff->duplicates.back().ticket.id, first->detail.view.row.id);
  auto second = app_->requests().submit(citizen(), pothole(kLat + 0.0001, kLon));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->duplicates.empty());
  // … only one its requester agreed to publish 公开.
  auto shared = pothole(kLat + 0.0002, kLon);
  shared.is_public = true;
  auto open = app_->requests().submit(citizen(), shared);
  ASSERT_TRUE(open.ok());
  auto third = app_->requests().submit(citizen(), pothole(kLat + 0.0001, kLon));
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->duplicates.size(), 1u);
  EXPECT_EQ(third->duplicates[0].ticket.id, open->detail.view.row.id);
  auto t = call("GET", "/api/v1/track/" + first->detail.view.row.code);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.body.find("13812345678"), std::string::npos);
  EXPECT_EQ(t.body.find("张三"), std::string::npos);
  EXPECT_EQ(json::parse(t.body)["status"], "dispatched");
  EXPECT_EQ(call("GET", "/api/v1/track/NOSUCHCODE").status, 404);
  // Only what the requester agreed to publish is public (Open311's list), without personal data.
  auto in = pothole();
  in.is_public = true;
  auto published = app_->requests().submit(citizen(), in);
  ASSERT_TRUE(published.ok());
  auto pub = app_->requests().list_public(kCounty, "", 1, 20);
  ASSERT_TRUE(pub.ok());
  ASSERT_EQ(pub->total, 2);  // `open` above and this one, newest first
  EXPECT_EQ(pub->items[0].row.id, published->detail.view.row.id);
  EXPECT_TRUE(pub->items[0].row.requester_phone.empty());
  EXPECT_TRUE(app_->requests().get_public(published->detail.view.row.id).ok());
  EXPECT_EQ(app_->requests().get_public(first->detail.view.row.id).error().code,
            ErrorCode::kNotFound);
  auto cats = call("GET", "/api/v1/categories");
  ASSERT_EQ(cats.status, 200);
  EXPECT_EQ(json::parse(cats.body)["items"].size(), 99u);
}

TEST_P(RequestsApp, the_holder_reads_the_requesters_phone_in_full_and_the_read_is_audited) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok());
  int64_t id = r->detail.view.row.id;
  int64_t reads = audit_count("pii.read");
  auto full = app_->requests().read_requester(grid_, id);
  ASSERT_TRUE(full.ok()) << full.error().detail;
  EXPECT_EQ(full->name, "张三");
  EXPECT_EQ(full->phone, "13812345678");
  EXPECT_EQ(full->language, "zh-CN");
  EXPECT_EQ(audit_count("pii.read"), reads + 1);
  EXPECT_EQ(app_->requests().read_requester(yingpan_, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(app_->requests().read_requester(dept_, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(audit_count("pii.read"), reads + 1);
}

TEST_P(RequestsApp, a_grid_moved_in_the_store_is_routed_to_at_once) {
  const double lat = 33.80, lon = 109.30;  // outside both grids
  auto before = app_->requests().submit(citizen(), pothole(lat, lon));
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->detail.view.row.manual_dispatch);
  Status st = db_->write([&](store::Session& s) -> Status {
    auto g = store::grids::get(s, kYingpanGrid);
    if (!g.ok()) return g.error();
    g->polygon = gj::testing::square_polygon(lat, lon, 500);
    return store::grids::upsert(s, *g);
  });
  ASSERT_TRUE(st.ok());
  auto after = app_->requests().submit(citizen(), pothole(lat, lon));
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->detail.view.row.manual_dispatch);
  EXPECT_EQ(after->detail.view.row.unit_id, kYingpanGrid);
}

// Many intakes and reads at once (more threads than reader connections) neither deadlock nor
// lose a ticket.
TEST_P(RequestsApp, concurrent_intakes_and_reads_complete) {
  constexpr int kThreads = 12, kEach = 4;
  // One reader connection makes a lock held across a read (a deadlock) show up at once.
  shut();
  store::Options opt;
  opt.target = target_.url;
  opt.readers = 1;
  auto db = store::open_database(opt);
  ASSERT_TRUE(db.ok());
  db_ = std::move(*db);
  app_ = std::make_unique<app::App>(*db_, clock_, ids_);
  // Every configuration check reads the store: one made inside intake's reader transaction
  // must go through that transaction, never wait for a second connection (with the only
  // reader held by itself, it waited forever).
  app_->requests().set_config_check_interval(std::chrono::milliseconds(0));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        auto in = pothole(kLat + 0.0001 * j, kLon);
        in.subject += std::to_string(i);
        auto r = app_->requests().submit(citizen(), in);
        if (!r.ok()) continue;
        if (app_->requests().get(command_, r->detail.view.row.id).ok() &&
            app_->requests().list(qianyou_, {}).ok())
          ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kThreads * kEach);
  EXPECT_EQ(count("tickets"), kThreads * kEach);
}

// Two nodes 节点 on one store run the scheduler at the same moment: on PostgreSQL the timer
// claim skips rows the other node holds (SKIP LOCKED) and the ticket row is locked before a
// transition, so the escalation happens once.
TEST_P(RequestsApp, two_nodes_scanning_at_once_escalate_an_overdue_ticket_once) {
  if (GetParam() == Backend::kSqlite) GTEST_SKIP() << "one serving process per SQLite file";
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(app_->requests().submit(citizen(), pothole()).ok());
  clock_.advance(25h);
  store::Options opt;
  opt.target = target_.url;
  auto other_db = store::open_database(opt);
  ASSERT_TRUE(other_db.ok());
  app::App other(**other_db, clock_, ids_);
  std::atomic<int> escalations{0}, failures{0};
  auto scan = [&](app::App& a) {
    auto r = a.requests().run_due_timers(clock_.now(), 2);  // small batches interleave more
    for (int i = 0; i < 10 && r.ok(); ++i) {
      escalations += r->escalations;
      r = a.requests().run_due_timers(clock_.now(), 2);
    }
    if (!r.ok()) ++failures;
  };
  std::thread t1(scan, std::ref(*app_)), t2(scan, std::ref(other));
  t1.join();
  t2.join();
  (*other_db)->close();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(escalations, 5);
  EXPECT_EQ(count("ticket_events WHERE action = 'escalate'"), 5);
}

// 热点行: two nodes on one PostgreSQL take in requests at the same moment; each writer adds to its
// own shard of the county's counter rows (migration 0021), so neither waits for the other's
// group, and every count read back (metrics, the dashboard's change token) is the sum.
TEST_P(RequestsApp, two_nodes_count_requests_at_once_on_their_own_counter_shards) {
  if (GetParam() == Backend::kSqlite) GTEST_SKIP() << "one serving process per SQLite file";
  store::Options opt;
  opt.target = target_.url;
  auto other_db = store::open_database(opt);
  ASSERT_TRUE(other_db.ok());
  app::App other(**other_db, clock_, ids_);
  auto sum = [&](const std::string& q) {
    return *db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
      auto r = s.query_one(q);
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
  };
  const std::string county_rows = "FROM metric_counters WHERE scope = 'area' AND ref_id = '" +
                                  std::string(kCounty) +
                                  "' AND part = 'assignments' AND period LIKE 'M%'";  // month rows
  int64_t before = sum("SELECT COALESCE(SUM(value), 0) " + county_rows);
  int64_t activity = sum("SELECT COALESCE(SUM(changes), 0) FROM area_activity WHERE area_code = '" +
                         std::string(kCounty) + "'");
  constexpr int kEach = 15;
  std::atomic<int> failures{0};
  auto intake = [&](app::App& a) {
    for (int i = 0; i < kEach; ++i)
      if (!a.requests().submit(citizen(), pothole()).ok()) ++failures;
  };
  std::thread t1(intake, std::ref(*app_)), t2(intake, std::ref(other));
  t1.join();
  t2.join();
  (*other_db)->close();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(sum("SELECT SUM(value) " + county_rows), before + 2 * kEach);
  EXPECT_EQ(sum("SELECT SUM(changes) FROM area_activity WHERE area_code = '" +
                std::string(kCounty) + "'"),
            activity + 2 * kEach);
  // Two writers, two shards: the county's key has a row in each.
  EXPECT_GE(sum("SELECT COUNT(DISTINCT shard) " + county_rows), 2);
  EXPECT_GE(sum("SELECT COUNT(DISTINCT shard) FROM area_activity WHERE area_code = '" +
                std::string(kCounty) + "'"),
            2);
  auto m = app_->requests().metrics(command_, kCounty, "", "");
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_EQ(m->counters["assignments"], before + 2 * kEach);
}

INSTANTIATE_TEST_SUITE_P(Backends, RequestsApp,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
