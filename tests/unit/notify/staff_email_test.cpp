// Per-user e-mail for staff notifications 工作人员邮件通知, in-process on real SQLite and real
// PostgreSQL with the shared request fixture (tests/support): users carry an e-mail (personal
// data: masked in lists, full through the audited PII read, a bad address refused with nothing
// changed); a dispatch enqueues one e-mail row per active user holding the unit who has an
// address, in the transition's transaction, and the worker delivers it to a real SMTP socket.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "app/notify_service.hpp"
#include "requests_fixture.hpp"
#include "smtp_server.hpp"
#include "store/repos/outbox_repo.hpp"

using namespace gj;
using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::RequestsFixture;
using gj::testing::SmtpServer;
using nlohmann::json;

namespace {

class StaffEmail : public RequestsFixture {
 protected:
  void SetUp() override {
    RequestsFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    admin_ = add("admin", "admin", kCounty);
  }

  void set_email(const auth::Principal& who, const std::string& email) {
    app::UserPatch patch;
    patch.email = email;
    auto r = app_->update_user(admin_, who.user_id, patch);
    ASSERT_TRUE(r.ok()) << r.error().detail;
  }

  std::vector<store::OutboxRow> outbox(int64_t ticket_id) {
    return *db_->read_value<std::vector<store::OutboxRow>>(
        [&](store::Session& s) { return store::outbox::list(s, ticket_id, 100); });
  }

  std::vector<store::OutboxRow> staff_mails(int64_t ticket_id, const std::string& kind) {
    std::vector<store::OutboxRow> out;
    for (auto& r : outbox(ticket_id))
      if (r.kind == kind && r.recipient_kind == "staff") out.push_back(r);
    return out;
  }

  std::string login(const std::string& username) {
    auto r = call("POST", "/api/v1/auth/login",
                  json{{"username", username}, {"password", "Password-2026"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    csrf_ = json::parse(r.body).value("csrf_token", "");
    for (const auto& [k, v] : r.headers.fields())
      if (k == "Set-Cookie") return v.substr(0, v.find(';'));
    return "";
  }

  // One pass of the delivery worker against the SMTP test server.
  void deliver_to(const SmtpServer& smtp) {
    auto cfg = app::notify_config("", "127.0.0.1:" + std::to_string(smtp.port()),
                                  "noreply@zhashui.example");
    ASSERT_TRUE(cfg.ok()) << cfg.error().detail;
    app::NotifyService worker(*db_, clock_, *cfg);
    auto rep = worker.deliver_due();
    ASSERT_TRUE(rep.ok()) << rep.error().detail;
  }

  // POST /api/v1/users for a new grid worker with `field` set to `value`.
  http::Response create_worker(const std::string& field, const std::string& value,
                               const std::string& cookie) {
    json body = {{"username", "newworker"},
                 {"display_name", "新网格员"},
                 {"password", "Password-2026"},
                 {"role", "grid_worker"},
                 {"scope_code", kGrid}};
    body[field] = value;
    return authed("POST", "/api/v1/users", body.dump(), cookie, csrf_);
  }

  auth::Principal admin_;
  std::string csrf_;
};

TEST_P(StaffEmail, a_dispatch_to_a_grid_mails_its_worker_with_an_address_and_not_one_without) {
  auto second = add("gridworker2", "grid_worker", kGrid);  // no e-mail
  auto gone = add("gridworker3", "grid_worker", kGrid);    // an address, but disabled
  set_email(grid_, "wang.grid@zhashui.example");
  set_email(gone, "gone@zhashui.example");
  app::UserPatch off;
  off.disabled = true;
  ASSERT_TRUE(app_->update_user(admin_, gone.user_id, off).ok());
  set_email(dept_, "zhujian@zhashui.example");  // another unit: not told of this ticket

  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(r->detail.view.row.unit_id, kGrid);
  auto mails = staff_mails(r->detail.view.row.id, "ticket.dispatched");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].recipient_id, std::to_string(grid_.user_id));
  EXPECT_EQ(mails[0].address, "wang.grid@zhashui.example");
  EXPECT_EQ(mails[0].channel, "email");
  EXPECT_EQ(mails[0].language, "zh-CN");
  // The unit's webhook row is still there, once.
  int unit_rows = 0;
  for (const auto& o : outbox(r->detail.view.row.id))
    if (o.kind == "ticket.dispatched" && o.recipient_kind == "unit") ++unit_rows;
  EXPECT_EQ(unit_rows, 1);
  (void)second;
}

TEST_P(StaffEmail, a_department_is_mailed_by_unit_and_the_command_centre_by_its_command_users) {
  set_email(dept_, "zhujian@zhashui.example");
  set_email(command_, "zhihui@zhashui.example");
  set_email(admin_, "admin@zhashui.example");  // bound to the county too, but not a holder
  set_email(grid_, "wang.grid@zhashui.example");
  auto r = app_->requests().submit(citizen(), pothole(33.9, 109.4));  // outside every grid
  ASSERT_TRUE(r.ok()) << r.error().detail;
  int64_t id = r->detail.view.row.id;
  ASSERT_EQ(r->detail.view.row.status, "received");
  app::ActionInput to_dept;
  to_dept.target_unit_id = std::to_string(dept_unit_);
  act(command_, id, "dispatch", to_dept);
  auto dispatched = staff_mails(id, "ticket.dispatched");
  ASSERT_EQ(dispatched.size(), 1u);
  EXPECT_EQ(dispatched[0].recipient_id, std::to_string(dept_.user_id));
  EXPECT_EQ(dispatched[0].address, "zhujian@zhashui.example");
  // Sent back to the dispatcher 退单: the command centre's `command` user, not the administrator.
  app::ActionInput back;
  back.note = "不属于本部门职责";
  act(dept_, id, "return", back);
  auto returned = staff_mails(id, "ticket.returned");
  ASSERT_EQ(returned.size(), 1u);
  EXPECT_EQ(returned[0].recipient_id, std::to_string(command_.user_id));
}

TEST_P(StaffEmail, a_unit_whose_users_have_no_address_gets_no_mail_rows) {
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_TRUE(staff_mails(r->detail.view.row.id, "ticket.dispatched").empty());
}

TEST_P(StaffEmail, the_staff_mail_reaches_the_smtp_server_with_the_staff_template) {
  set_email(grid_, "wang.grid@zhashui.example");
  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  SmtpServer smtp;
  ASSERT_NO_FATAL_FAILURE(deliver_to(smtp));
  auto sent = smtp.mails();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "<wang.grid@zhashui.example>");
  auto mail = staff_mails(r->detail.view.row.id, "ticket.dispatched");
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_NE(sent[0].data.find("X-Gongjian-Outbox-Id: " + std::to_string(mail[0].id) + "\r\n"),
            std::string::npos);
  // The staff template (new work 新工单) names the tracking code.
  EXPECT_NE(sent[0].data.find(r->detail.view.row.code), std::string::npos) << sent[0].data;
  auto after = *db_->read_value<store::OutboxRow>(
      [&](store::Session& s) { return store::outbox::get(s, mail[0].id); });
  EXPECT_EQ(after.state, "sent");
}

TEST_P(StaffEmail, the_user_list_masks_the_address_and_the_audited_pii_read_shows_it) {
  set_email(grid_, "zhao@example.com");
  store::UserFilter f;
  f.q = "gridworker";
  auto page = app_->list_users(admin_, f);
  ASSERT_TRUE(page.ok()) << page.error().detail;
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].user.email, "z***@example.com");
  int64_t reads = audit_count("pii.read");
  auto full = app_->read_user_pii(admin_, grid_.user_id);
  ASSERT_TRUE(full.ok()) << full.error().detail;
  EXPECT_EQ(full->user.email, "zhao@example.com");
  EXPECT_EQ(audit_count("pii.read"), reads + 1);

  // The same through the JSON API.
  std::string cookie = login("admin");
  auto list = authed("GET", "/api/v1/users?q=gridworker", "", cookie, csrf_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body)["items"][0]["email"], "z***@example.com");
  auto pii =
      authed("GET", "/api/v1/users/" + std::to_string(grid_.user_id) + "/pii", "", cookie, csrf_);
  ASSERT_EQ(pii.status, 200) << pii.body;
  EXPECT_EQ(json::parse(pii.body)["email"], "zhao@example.com");
}

TEST_P(StaffEmail, a_bad_address_is_refused_with_400_and_nothing_changes) {
  set_email(grid_, "zhao@example.com");
  std::string cookie = login("admin");
  int64_t updates = audit_count("user.update");
  int64_t users = count("users");
  std::string target = "/api/v1/users/" + std::to_string(grid_.user_id);
  for (std::string bad : {"no-at-sign", "a@b@c", "zhao@example.com\r\nBcc: x@evil.example",
                          "<zhao@example.com>", "zhao @example.com"}) {
    auto r = authed("PATCH", target, json{{"email", bad}}.dump(), cookie, csrf_);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    auto c = create_worker("email", bad, cookie);
    EXPECT_EQ(c.status, 400) << bad << ": " << c.body;
  }
  EXPECT_EQ(audit_count("user.update"), updates);
  EXPECT_EQ(count("users"), users);
  auto full = app_->read_user_pii(admin_, grid_.user_id);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->user.email, "zhao@example.com");
  // A good one through the API, and "" clears it.
  auto ok = authed("PATCH", target, json{{"email", "li@example.com"}}.dump(), cookie, csrf_);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["email"], "l***@example.com");
  auto cleared = authed("PATCH", target, json{{"email", ""}}.dump(), cookie, csrf_);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(app_->read_user_pii(admin_, grid_.user_id)->user.email, "");
}

// Each user's e-mails come in their notification language 通知语言: English templates for a user
// set to en, Chinese for the others; the unit's webhook row stays in the deployment's zh-CN.
TEST_P(StaffEmail, each_user_is_mailed_in_their_own_language) {
  auto second = add("gridworker2", "grid_worker", kGrid);
  set_email(grid_, "wang.grid@zhashui.example");
  set_email(second, "li.grid@zhashui.example");
  std::string cookie = login("admin");
  auto en = authed("PATCH", "/api/v1/users/" + std::to_string(second.user_id),
                   json{{"language", "en"}}.dump(), cookie, csrf_);
  ASSERT_EQ(en.status, 200) << en.body;
  EXPECT_EQ(json::parse(en.body)["language"], "en");

  auto r = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  auto mails = staff_mails(r->detail.view.row.id, "ticket.dispatched");
  ASSERT_EQ(mails.size(), 2u);
  std::map<std::string, std::string> language_of;
  for (const auto& m : mails) language_of[m.address] = m.language;
  EXPECT_EQ(language_of["wang.grid@zhashui.example"], "zh-CN");
  EXPECT_EQ(language_of["li.grid@zhashui.example"], "en");
  for (const auto& o : outbox(r->detail.view.row.id)) {
    if (o.recipient_kind == "unit") {
      EXPECT_EQ(o.language, "zh-CN");
    }
  }

  SmtpServer smtp;
  ASSERT_NO_FATAL_FAILURE(deliver_to(smtp));
  auto sent = smtp.mails();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& m : sent) {
    // The body is 8-bit UTF-8 text: the English template or the Chinese one.
    bool english = m.data.find("A new citizen request was assigned to you") != std::string::npos;
    bool chinese = m.data.find("您有一件新的诉求工单") != std::string::npos;
    EXPECT_NE(english, chinese) << m.data;
    EXPECT_EQ(english, m.to == "<li.grid@zhashui.example>") << m.to << "\n" << m.data;
  }
}

TEST_P(StaffEmail, a_language_without_templates_is_refused_with_400_and_nothing_changes) {
  std::string cookie = login("admin");
  int64_t updates = audit_count("user.update");
  int64_t users = count("users");
  std::string target = "/api/v1/users/" + std::to_string(grid_.user_id);
  for (std::string bad : {"fr", "zh", "EN", "zh-TW"}) {
    auto r = authed("PATCH", target, json{{"language", bad}}.dump(), cookie, csrf_);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"].value("field", ""), "language") << r.body;
    auto c = create_worker("language", bad, cookie);
    EXPECT_EQ(c.status, 400) << bad << ": " << c.body;
  }
  auto wrong_type = authed("PATCH", target, json{{"language", 1}}.dump(), cookie, csrf_);
  EXPECT_EQ(wrong_type.status, 400) << wrong_type.body;
  EXPECT_EQ(audit_count("user.update"), updates);
  EXPECT_EQ(count("users"), users);
  EXPECT_EQ(app_->read_user_pii(admin_, grid_.user_id)->user.language, "zh-CN");
}

INSTANTIATE_TEST_SUITE_P(Backends, StaffEmail,
                         ::testing::Values(gj::testing::Backend::kSqlite,
                                           gj::testing::Backend::kPostgres),
                         [](const auto& info) { return gj::testing::backend_name(info.param); });

}  // namespace
