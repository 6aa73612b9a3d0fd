// The shared fixture of the in-process request tests 接诉即办 (requests_app, dashboard,
// config_app, suggest, attachments …): AppFixture's store, App and router, with 柞水县: two
// townships, a community and a village, two grids with square polygons, a department, and one
// user per role; an App and its JSON router; helpers for intake, actions, counts and API calls.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/requests_service.hpp"
#include "app_fixture.hpp"
#include "common/clock.hpp"
#include "http/router.hpp"
#include "store/repos/repos.hpp"
#include "store/repos/requests_repo.hpp"
#include "test_store.hpp"
#include "zhashui_seed.hpp"

namespace gj::testing {

class RequestsFixture : public AppFixture {
 protected:
  void seed() override {
    ASSERT_TRUE(seed_zhashui(*app_, *db_).ok());
    auto unit = db_->write_value<int64_t>([&](store::Session& s) {
      return store::units::upsert(s, {0, "柞水县住房和城乡建设局", "department", kCounty});
    });
    ASSERT_TRUE(unit.ok()) << unit.error().detail;
    dept_unit_ = *unit;
    command_ = add("command", "command", kCounty);
    qianyou_ = add("qianyou", "township", kQianyou);
    yingpan_ = add("yingpan", "township", "611026101000");
    grid_ = add("gridworker", "grid_worker", kGrid);
    dept_ = add("zhujian", "department", "", dept_unit_);
  }

  auth::Principal add(const std::string& name, const std::string& role, const std::string& scope,
                      std::optional<int64_t> unit = std::nullopt) {
    return add_user(*app_, name, role, scope, unit);
  }

  static auth::Principal citizen() {
    auth::Principal p;
    p.role = auth::Role::kCitizen;
    p.ip = "10.0.0.1";
    return p;
  }

  app::IntakeInput pothole(double lat = kLat, double lon = kLon) {
    app::IntakeInput in;
    in.channel = "citizen";
    in.county_code = kCounty;
    in.category = "0106";  // 环境卫生: ordinary tier
    in.subject = "小区门口垃圾堆放多日无人清运";
    in.text = "城区社区东门垃圾桶旁边堆了很多垃圾，已经三天没人清运，气味很大。";
    in.lat = lat;
    in.lon = lon;
    in.name = "张三";
    in.phone = "13812345678";
    return in;
  }

  app::TicketDetail act(const auth::Principal& p, int64_t id, const std::string& action,
                        app::ActionInput in = {}) {
    in.action = action;
    auto r = app_->requests().act(p, id, in);
    EXPECT_TRUE(r.ok()) << action << ": " << (r.ok() ? "" : r.error().detail);
    return r.ok() ? *r : app::TicketDetail{};
  }

  // The grid worker claims (having called the requester), starts and answers a ticket routed to
  // its grid, and the command centre completes it.
  app::TicketDetail answer_and_complete(int64_t id, const std::string& reply_note) {
    app::ActionInput claim;
    claim.contacted = true;
    act(grid_, id, "claim", claim);
    act(grid_, id, "start");
    app::ActionInput reply;
    reply.note = reply_note;
    act(grid_, id, "reply", reply);
    return act(command_, id, "complete");
  }

  int64_t count(const char* table) {
    return *db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
      auto r = s.query_one(std::string("SELECT COUNT(*) FROM ") + table);
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
  }
  int64_t audit_count(const std::string& action) {
    auth::Principal root;
    root.role = auth::Role::kAdmin;
    root.scope_code = "610000000000";
    store::AuditFilter f;
    f.action = action;
    return app_->list_audit(root, f)->total;
  }
  std::optional<double> metric(const app::MetricsView& v, const std::string& code) {
    for (const auto& m : v.area)
      if (m.code == code) return m.value.value;
    return std::nullopt;
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& key = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", "zh-CN");
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    if (!key.empty()) req.headers.set("Idempotency-Key", key);
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  http::Response authed(const std::string& method, const std::string& target,
                        const std::string& body, const std::string& cookie,
                        const std::string& csrf) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", "zh-CN");
    req.headers.set("Cookie", cookie);
    req.headers.set("X-CSRF-Token", csrf);
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  // Everything an intake answer carries, as JSON, for comparing two answers field by field
  // (an assignment's id is not part of any answer, so it is left out).
  static nlohmann::json answer_json(const app::TicketDetail& d) {
    using nlohmann::json;
    const auto& r = d.view.row;
    auto opt = [](const auto& v) { return v ? json(*v) : json(); };
    // clang-format off
    json j = {{"row", {r.id, r.code, r.county_code, r.channel, r.category, r.subject, r.body,
                       opt(r.lat), opt(r.lon), r.address, r.grid_code, r.division_code, r.unit_id,
                       r.unit_type, r.unit_name, r.level, r.status, r.sla_tier,
                       opt(r.response_due), opt(r.resolution_due), r.merged_into, r.reopen_count,
                       r.requester_name, r.requester_phone, r.is_public, r.manual_dispatch,
                       r.route_zh, r.route_en, r.state, opt(r.created_by), r.created_at,
                       r.updated_at}},
              {"category_name", {d.view.category_name_zh, d.view.category_name_en}}};
    // clang-format on
    for (const auto& e : d.events)
      j["events"].push_back({e.id, e.ticket_id, e.at, opt(e.actor_id), e.actor_name, e.actor_role,
                             e.action, e.from_status, e.to_status, e.unit_id, e.unit_name, e.note});
    for (const auto& a : d.assignments)
      j["assignments"].push_back({a.ticket_id, a.kind, a.from_unit_id, a.to_unit_id, a.to_unit_name,
                                  a.to_division, a.at, a.reason});
    for (const auto& t : d.timers)
      j["timers"].push_back({t.id, t.ticket_id, t.kind, t.level, t.unit, t.unit_id, t.tier,
                             t.started_at, t.warn_at, t.due_at, t.state});
    for (auto a : d.available) j["available"].push_back(static_cast<int>(a));
    if (d.category_suggestion) {
      const auto& sg = *d.category_suggestion;
      j["suggestion"] = {sg.model_version, sg.applied};
      for (const auto& c : sg.top)
        j["suggestion"].push_back({c.code, c.confidence, c.name_zh, c.name_en});
    }
    return j;
  }

  int64_t dept_unit_ = 0;
  auth::Principal command_, qianyou_, yingpan_, grid_, dept_;
};

}  // namespace gj::testing
