// Photo attachments 附件 and the citizen side of 接诉即办, in-process on real SQLite and real
// PostgreSQL ($GJ_TEST_POSTGRES_URL) with the file store `serve` uses there (a real directory on
// SQLite, the database itself on PostgreSQL, where a photo one node stored is served by
// another); both file stores keep any bytes; the intake token,
// sniffed types, retries answered with the same record, the 9-photo limit, scope 404s, audited
// reads, a failing file store or commit (503, no row, no file), the orphan sweep; the citizen's
// reopen 重办 and the reply on the tracking page; a whistled case in the department's queue.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/attachments_api.hpp"
#include "app/app.hpp"
#include "app/attachments.hpp"
#include "app/requests_service.hpp"
#include "http/router.hpp"
#include "requests_fixture.hpp"
#include "store/repos/requests_repo.hpp"

using namespace gj;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using gj::testing::Backend;
using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::kLat;
using gj::testing::kLon;
using gj::testing::kQianyou;

// A real file store whose writes can be made to fail (style.md §6: the fsync that fails).
class FaultyFiles final : public app::FileStore {
 public:
  explicit FaultyFiles(std::shared_ptr<app::FileStore> real) : real_(std::move(real)) {}
  std::atomic<bool> fail_put{false};
  Status put(const std::string& key, const std::string& bytes) override {
    if (fail_put) return make_error(ErrorCode::kStorageUnavailable, "injected: fsync failed");
    return real_->put(key, bytes);
  }
  Result<std::string> get(const std::string& key) override { return real_->get(key); }
  Status remove(const std::string& key) override { return real_->remove(key); }
  Result<std::vector<app::StoredFile>> list() override { return real_->list(); }

 private:
  std::shared_ptr<app::FileStore> real_;
};

struct CommitFaults final : store::FaultInjector {
  std::atomic<bool> fail{false};
  bool fail_commit() override { return fail.load(); }
};

// Small but real magic bytes; the rest varies so each "photo" has its own hash.
std::string jpeg(int n) {
  return std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF photo " + std::to_string(n);
}
std::string png(int n) {
  return std::string("\x89PNG\r\n\x1A\n", 8) + "IHDR picture " + std::to_string(n);
}

// The request fixture (柞水县, one user per role, a department) with the attachments service on
// a real directory and commits that can be made to fail.
class Attachments : public gj::testing::RequestsFixture {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gj_att_" + std::to_string(::getpid()) + "_" + std::to_string(next_dir_++));
    commit_faults_ = std::make_shared<CommitFaults>();
    faults_ = commit_faults_;
    RequestsFixture::SetUp();
  }
  void TearDown() override {
    RequestsFixture::TearDown();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void shut() override {
    svc_.reset();
    RequestsFixture::shut();
  }
  api::ApiConfig api_config() override {
    // What `serve` uses: files next to a SQLite store, the database itself on PostgreSQL.
    std::shared_ptr<app::FileStore> real;
    if (GetParam() == Backend::kPostgres)
      real = std::make_shared<app::DatabaseFileStore>(*db_);
    else
      real = std::make_shared<app::DiskFileStore>((dir_ / "attachments").string());
    files_ = std::make_shared<FaultyFiles>(real);
    svc_ = std::make_shared<app::AttachmentsService>(*app_, files_);
    api::ApiConfig cfg;
    cfg.attachments = svc_;
    return cfg;
  }

  json report(bool located = true) {
    json body = {{"county_code", kCounty},
                 {"category", "0106"},
                 {"subject", "小区门口垃圾堆放多日无人清运"},
                 {"text", "城区社区东门垃圾桶旁边堆了很多垃圾，已经三天没人清运。"},
                 {"phone", "13812345678"}};
    if (located) {
      body["lat"] = kLat;
      body["lon"] = kLon;
    }
    return body;
  }

  // The public intake over the router: {id, code, token}.
  struct Intake {
    int64_t id = 0;
    std::string code, token;
  };
  Intake intake(bool located = true) {
    auto res = call("POST", "/api/v1/requests", report(located).dump(),
                    {{"Content-Type", "application/json"}});
    EXPECT_EQ(res.status, 201) << res.body;
    auto j = json::parse(res.body);
    EXPECT_TRUE(j["attachment_token"].is_string()) << res.body;
    return {j["request"]["id"].get<int64_t>(), j["tracking_code"].get<std::string>(),
            j["attachment_token"].is_string() ? j["attachment_token"].get<std::string>() : ""};
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_address = "127.0.0.1";
    req.headers.set("Accept-Language", "en");
    for (const auto& [k, v] : headers) req.headers.set(k, v);
    EXPECT_TRUE(http::split_target(req).ok());
    return http::handle(router_, req);
  }

  http::Response upload(int64_t id, const std::string& token, const std::string& bytes,
                        const std::string& type = "image/jpeg",
                        const std::string& name = "%E7%8E%B0%E5%9C%BA.jpg") {
    return call("POST", "/api/v1/requests/" + std::to_string(id) + "/attachments", bytes,
                {{"Content-Type", type}, {"X-Attachment-Token", token}, {"X-File-Name", name}});
  }

  app::AttachmentUpload photo(const std::string& bytes, const std::string& type = "image/jpeg") {
    return {type, "现场.jpg", bytes};
  }

  size_t files_on_disk() {
    auto l = files_->list();
    EXPECT_TRUE(l.ok());
    return l.ok() ? l->size() : 0;
  }

  // The county dispatches to 乾佑街道, which claims, starts and summons the department 吹哨.
  void whistle(int64_t id) {
    app::ActionInput to_township;
    to_township.target_unit_id = kQianyou;
    act(command_, id, "dispatch", to_township);
    act(qianyou_, id, "claim");
    act(qianyou_, id, "start");
    app::ActionInput w;
    w.note = "需住建部门现场会商";
    w.department_ids = {std::to_string(dept_unit_)};
    w.lead_unit_id = std::to_string(dept_unit_);
    EXPECT_EQ(act(qianyou_, id, "whistle", w).view.row.status, "whistled");
  }

  inline static std::atomic<int> next_dir_{0};
  fs::path dir_;  // the attachments' directory, on either backend
  std::shared_ptr<CommitFaults> commit_faults_;
  std::shared_ptr<FaultyFiles> files_;
  std::shared_ptr<app::AttachmentsService> svc_;
};

TEST_P(Attachments, a_citizen_uploads_with_the_intake_token_and_a_retry_returns_the_same_record) {
  auto t = intake();
  auto first = upload(t.id, t.token, jpeg(1));
  ASSERT_EQ(first.status, 201) << first.body;
  auto a = json::parse(first.body);
  EXPECT_EQ(a["ticket_id"], t.id);
  EXPECT_EQ(a["file_name"], "现场.jpg");
  EXPECT_EQ(a["content_type"], "image/jpeg");
  EXPECT_EQ(a["size"], jpeg(1).size());
  EXPECT_EQ(a["sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(a["created_at"].is_string());

  // The retry of the same bytes: 200 and the very same record, no second file.
  auto again = upload(t.id, t.token, jpeg(1));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["id"], a["id"]);
  EXPECT_EQ(count("attachments"), 1);
  EXPECT_EQ(files_on_disk(), 1u);
  EXPECT_EQ(audit_count("attachment.upload"), 1);

  // The tracking page lists it and serves the bytes.
  auto tl = call("GET", "/api/v1/track/" + t.code + "/attachments");
  ASSERT_EQ(tl.status, 200);
  auto items = json::parse(tl.body)["items"];
  ASSERT_EQ(items.size(), 1u);
  auto bytes = call("GET", items[0]["url"].get<std::string>());
  ASSERT_EQ(bytes.status, 200);
  EXPECT_EQ(bytes.body, jpeg(1));
  EXPECT_EQ(bytes.content_type, "image/jpeg");
  // Another ticket's code does not reach it.
  auto other = intake();
  auto cross = call("GET", "/api/v1/track/" + other.code + "/attachments/" +
                               std::to_string(a["id"].get<int64_t>()) + "/content");
  EXPECT_EQ(cross.status, 404);
}

TEST_P(Attachments, wrong_types_and_bytes_that_are_not_images_are_refused_whatever_the_header) {
  auto t = intake();
  auto text = upload(t.id, t.token, "hello", "text/plain");
  EXPECT_EQ(text.status, 415) << text.body;
  EXPECT_EQ(json::parse(text.body)["error"]["accepted"],
            json::array({"image/jpeg", "image/png", "image/webp"}))
      << text.body;
  auto forged = upload(t.id, t.token, "<script>alert(1)</script>", "image/png");
  EXPECT_EQ(forged.status, 415) << forged.body;
  auto empty = upload(t.id, t.token, "", "image/png");
  EXPECT_EQ(empty.status, 400) << empty.body;
  auto bad_name = upload(t.id, t.token, png(1), "image/png", "%E7%8");
  EXPECT_EQ(bad_name.status, 400) << bad_name.body;
  EXPECT_EQ(count("attachments"), 0);
  // A PNG labelled JPEG is stored as what it is.
  auto mislabelled = upload(t.id, t.token, png(2), "image/jpeg", "../../etc/a.png");
  ASSERT_EQ(mislabelled.status, 201) << mislabelled.body;
  EXPECT_EQ(json::parse(mislabelled.body)["content_type"], "image/png");
  EXPECT_EQ(json::parse(mislabelled.body)["file_name"], "a.png");
  // Too big: 413 from the route's body limit and from the service itself.
  std::string big = jpeg(3) + std::string(app::AttachmentsService::kMaxBytes, 'x');
  EXPECT_EQ(upload(t.id, t.token, big).status, 413);
  auto r = svc_->upload_with_token(t.token, t.id, photo(big), "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(count("attachments"), 1);
}

TEST_P(Attachments, a_wrong_expired_or_other_tickets_token_is_refused_and_nothing_is_stored) {
  auto a = intake();
  auto b = intake();
  EXPECT_EQ(upload(a.id, b.token, jpeg(1)).status, 403);  // b's token on a
  EXPECT_EQ(upload(a.id, "not-a-token", jpeg(1)).status, 403);
  EXPECT_EQ(upload(999999, a.token, jpeg(1)).status, 403);  // no such ticket: same answer
  // No token and no session: sign in first.
  auto anon = call("POST", "/api/v1/requests/" + std::to_string(a.id) + "/attachments", jpeg(1),
                   {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(anon.status, 401);
  clock_.advance(25h);
  EXPECT_EQ(upload(a.id, a.token, jpeg(1)).status, 403);
  EXPECT_EQ(count("attachments"), 0);
  EXPECT_EQ(files_on_disk(), 0u);
  // Only the hash of a token is stored.
  auto stored = db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
    auto r = s.query_one("SELECT COUNT(*) FROM attachment_tokens WHERE token_hash = $1", {a.token});
    if (!r.ok()) return r.error();
    return r->i64(0);
  });
  EXPECT_EQ(*stored, 0);
}

TEST_P(Attachments, a_ticket_holds_at_most_nine_photos) {
  auto t = intake();
  for (int i = 0; i < 9; ++i) ASSERT_EQ(upload(t.id, t.token, jpeg(i)).status, 201) << i;
  auto tenth = upload(t.id, t.token, jpeg(9));
  EXPECT_EQ(tenth.status, 409) << tenth.body;
  // A retry of one already there is still answered.
  EXPECT_EQ(upload(t.id, t.token, jpeg(4)).status, 200);
  EXPECT_EQ(count("attachments"), 9);
  EXPECT_EQ(files_on_disk(), 9u);
}

TEST_P(Attachments, a_failing_file_store_or_commit_is_a_503_with_no_row_and_no_file) {
  auto t = intake();
  files_->fail_put = true;
  auto r = upload(t.id, t.token, jpeg(1));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("storage_unavailable"), std::string::npos) << r.body;
  EXPECT_EQ(count("attachments"), 0);
  files_->fail_put = false;
  // The file is written, then the commit fails: no row, and the file is removed again.
  commit_faults_->fail = true;
  auto c = upload(t.id, t.token, jpeg(1));
  commit_faults_->fail = false;
  EXPECT_EQ(c.status, 503) << c.body;
  EXPECT_EQ(count("attachments"), 0);
  EXPECT_EQ(files_on_disk(), 0u);
  EXPECT_EQ(audit_count("attachment.upload"), 0);
  // Once storage is back the same upload goes through.
  EXPECT_EQ(upload(t.id, t.token, jpeg(1)).status, 201);
}

// Both file stores on this backend: any bytes (every byte value, NULs, 3 MB) come back as they
// went in, a put replaces, the listing names each key with its time, a removed key is gone.
TEST_P(Attachments, both_file_stores_keep_any_bytes_and_list_what_they_hold) {
  std::string bytes;
  for (int i = 0; i < 3 * 1024 * 1024; ++i)
    bytes.push_back(static_cast<char>((i * 7 + i / 256) & 255));
  app::DiskFileStore disk((dir_ / "conformance").string());
  app::DatabaseFileStore database(*db_);
  for (app::FileStore* fs : std::initializer_list<app::FileStore*>{&disk, &database}) {
    SCOPED_TRACE(fs == &disk ? "disk" : "database");
    ASSERT_TRUE(fs->put("7/a.jpg", bytes).ok());
    ASSERT_TRUE(fs->put("7/b.png", std::string("\0\x01\xFF", 3)).ok());
    auto a = fs->get("7/a.jpg");
    ASSERT_TRUE(a.ok()) << a.error().detail;
    EXPECT_TRUE(*a == bytes);
    EXPECT_EQ(*fs->get("7/b.png"), std::string("\0\x01\xFF", 3));
    ASSERT_TRUE(fs->put("7/b.png", "again").ok());
    EXPECT_EQ(*fs->get("7/b.png"), "again");
    auto l = fs->list();
    ASSERT_TRUE(l.ok());
    ASSERT_EQ(l->size(), 2u);
    std::vector<std::string> keys{(*l)[0].key, (*l)[1].key};
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, (std::vector<std::string>{"7/a.jpg", "7/b.png"}));
    EXPECT_GT((*l)[0].modified_ms, 0);
    ASSERT_TRUE(fs->remove("7/a.jpg").ok());
    ASSERT_TRUE(fs->remove("7/a.jpg").ok());  // absent: not an error
    EXPECT_EQ(fs->get("7/a.jpg").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(fs->list()->size(), 1u);
    EXPECT_FALSE(fs->put("../escape.jpg", "x").ok());
    ASSERT_TRUE(fs->remove("7/b.png").ok());
  }
}

// Two app nodes on one PostgreSQL, each with its own connection and the database file store:
// a photo uploaded through one is served by the other, byte for byte.
TEST_P(Attachments, a_photo_one_node_stored_is_served_by_another) {
  if (GetParam() == Backend::kSqlite) GTEST_SKIP() << "one serving process per SQLite file";
  auto t = intake();
  std::string bytes = jpeg(1) + std::string(200'000, '\0') + "end";
  ASSERT_EQ(upload(t.id, t.token, bytes).status, 201);
  store::Options opt;
  opt.target = target_.url;
  auto other_db = store::open_database(opt);
  ASSERT_TRUE(other_db.ok());
  RandomIdGenerator ids;
  app::App other(**other_db, clock_, ids);
  app::AttachmentsService other_svc(other, std::make_shared<app::DatabaseFileStore>(**other_db));
  auto listed = other_svc.list_for_tracking(t.code);
  ASSERT_TRUE(listed.ok()) << listed.error().detail;
  ASSERT_EQ(listed->size(), 1u);
  auto got = other_svc.content_for_tracking(t.code, (*listed)[0].id);
  ASSERT_TRUE(got.ok()) << got.error().detail;
  EXPECT_TRUE(got->second == bytes);
  (*other_db)->close();
}

TEST_P(Attachments, orphan_files_are_swept_and_files_with_rows_are_kept) {
  auto t = intake();
  ASSERT_EQ(upload(t.id, t.token, jpeg(1)).status, 201);
  // A file whose row never committed (a crash between the two).
  ASSERT_TRUE(files_->put(std::to_string(t.id) + "/orphan.jpg", jpeg(2)).ok());
  EXPECT_EQ(files_on_disk(), 2u);
  auto recent = svc_->sweep_orphans(3600 * 1000);  // within the grace period: kept
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(*recent, 0);
  auto swept = svc_->sweep_orphans(-1000);
  ASSERT_TRUE(swept.ok()) << swept.error().detail;
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(files_on_disk(), 1u);
  auto items = call("GET", "/api/v1/track/" + t.code + "/attachments");
  auto url = json::parse(items.body)["items"][0]["url"].get<std::string>();
  EXPECT_EQ(call("GET", url).status, 200);
}

TEST_P(Attachments, staff_in_scope_add_and_read_photos_outside_scope_is_404_and_reads_are_audited) {
  auto t = intake();  // routed to kGrid
  ASSERT_EQ(upload(t.id, t.token, jpeg(1)).status, 201);
  auto mine = svc_->upload(grid_, t.id, photo(png(7), "image/png"));
  ASSERT_TRUE(mine.ok()) << mine.error().detail;
  EXPECT_FALSE(mine->existed);
  EXPECT_EQ(mine->row.source, "staff");
  auto outside = svc_->upload(yingpan_, t.id, photo(png(8), "image/png"));
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, ErrorCode::kNotFound);
  auto list = svc_->list(qianyou_, t.id);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  EXPECT_FALSE(svc_->list(yingpan_, t.id).ok());
  auto read = svc_->content(qianyou_, mine->row.id);
  ASSERT_TRUE(read.ok()) << read.error().detail;
  EXPECT_EQ(read->second, png(7));
  auto denied = svc_->content(yingpan_, mine->row.id);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(audit_count("attachment.read"), 1);
  EXPECT_EQ(audit_count("attachment.upload"), 2);
  // Staff photos stay off the tracking page.
  auto tl = json::parse(call("GET", "/api/v1/track/" + t.code + "/attachments").body);
  EXPECT_EQ(tl["items"].size(), 1u);
}

TEST_P(Attachments, the_tracking_page_shows_the_reply_and_an_unsatisfied_citizen_reopens) {
  auto t = intake();
  auto early = app_->requests().reopen_by_citizen(t.code, "5678", "还没处理");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kIllegalTransition);
  app::ActionInput claim;
  claim.contacted = true;
  act(grid_, t.id, "claim", claim);
  act(grid_, t.id, "start");
  app::ActionInput reply;
  reply.note = "已联系环卫站清运完毕";
  act(grid_, t.id, "reply", reply);
  act(command_, t.id, "complete");
  auto tr = json::parse(call("GET", "/api/v1/track/" + t.code).body);
  EXPECT_EQ(tr["reply"]["text"], "已联系环卫站清运完毕");
  EXPECT_EQ(tr["events"].back().count("actor"), 0u);  // no staff names

  auto wrong = call("POST", "/api/v1/track/" + t.code + "/reopen",
                    json{{"phone_last4", "0000"}, {"reason", "垃圾又堆起来了"}}.dump(),
                    {{"Content-Type", "application/json"}});
  EXPECT_EQ(wrong.status, 403);
  auto ok = call("POST", "/api/v1/track/" + t.code + "/reopen",
                 json{{"phone_last4", "5678"}, {"reason", "垃圾又堆起来了"}}.dump(),
                 {{"Content-Type", "application/json"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["status"], "reopened");
  auto d = app_->requests().get(command_, t.id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->view.row.reopen_count, 1);
  std::vector<std::string> tail;
  for (size_t i = d->events.size() - 2; i < d->events.size(); ++i)
    tail.push_back(d->events[i].action + "/" + d->events[i].actor_role);
  EXPECT_EQ(tail, (std::vector<std::string>{"rate/citizen", "reopen/citizen"}));
  // Reopened, it is not reopened again until it is completed again.
  auto twice = app_->requests().reopen_by_citizen(t.code, "5678", "再次");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kIllegalTransition);
}

TEST_P(Attachments, a_satisfied_rating_is_not_reopened_by_the_citizen) {
  auto t = intake();
  app::ActionInput claim;
  claim.contacted = true;
  act(grid_, t.id, "claim", claim);
  act(grid_, t.id, "start");
  app::ActionInput reply;
  reply.note = "已清运";
  act(grid_, t.id, "reply", reply);
  act(command_, t.id, "complete");
  ASSERT_TRUE(app_->requests().rate_by_citizen(t.code, "5678", "satisfied", true, "").ok());
  auto r = app_->requests().reopen_by_citizen(t.code, "5678", "想重办");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIllegalTransition);
}

TEST_P(Attachments, a_whistled_joint_case_is_in_the_summoned_departments_queue) {
  auto t = intake(false);  // no place: the county command centre dispatches by hand
  auto before = app_->requests().list(dept_, {});
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->total, 0);
  whistle(t.id);
  auto queue = app_->requests().list(dept_, {});
  ASSERT_TRUE(queue.ok()) << queue.error().detail;
  ASSERT_EQ(queue->total, 1);
  EXPECT_EQ(queue->items[0].row.id, t.id);
  // Also in its own queue ("mine", the workbench's default) while the case is whistled.
  app::ListQuery mine;
  mine.mine = true;
  auto own = app_->requests().list(dept_, mine);
  ASSERT_TRUE(own.ok()) << own.error().detail;
  ASSERT_EQ(own->total, 1);
  EXPECT_EQ(own->items[0].row.id, t.id);
  // Over HTTP too: GET /requests?mine=1 for the department.
  auto login = call("POST", "/api/v1/auth/login",
                    json{{"username", "zhujian"}, {"password", "Password-2026"}}.dump(),
                    {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  std::string cookie(login.headers.get_or("Set-Cookie"));
  cookie = cookie.substr(0, cookie.find(';'));
  auto listed = call("GET", "/api/v1/requests?mine=1", "", {{"Cookie", cookie}});
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["total"], 1);
  // The department reports in from its queue; back in progress, it leaves the department's own
  // queue (the township holds it) but stays visible in the department's full list.
  EXPECT_EQ(act(dept_, t.id, "report_in").view.row.status, "in_progress");
  EXPECT_EQ(app_->requests().list(dept_, mine)->total, 0);
  EXPECT_EQ(app_->requests().list(dept_, {})->total, 1);
}

// Cases whistled before migration 0008 had no assignment for the department: its backfill
// statement adds them (once, however often it runs).
TEST_P(Attachments, the_migration_backfills_departments_of_cases_whistled_before_it) {
  auto t = intake(false);
  whistle(t.id);
  auto whistle_rows = [&] {
    return *db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
      auto r = s.query_one("SELECT COUNT(*) FROM assignments WHERE kind = 'whistle'");
      if (!r.ok()) return r.error();
      return r->i64(0);
    });
  };
  ASSERT_EQ(whistle_rows(), 1);
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Status {
                   auto n = s.exec("DELETE FROM assignments WHERE kind = 'whistle'");
                   if (!n.ok()) return n.error();
                   return {};
                 })
                  .ok());
  EXPECT_EQ(app_->requests().list(dept_, {})->total, 0);  // as before 0008
  std::string backfill;
  for (const auto& m : store::embedded_migrations(db_->backend()))
    if (m.version == 8) backfill = m.sql.substr(m.sql.find("INSERT INTO assignments"));
  ASSERT_FALSE(backfill.empty());
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(db_->write([&](store::Session& s) { return s.exec_script(backfill); }).ok());
  EXPECT_EQ(whistle_rows(), 1);
  auto queue = app_->requests().list(dept_, {});
  ASSERT_EQ(queue->total, 1);
  EXPECT_EQ(queue->items[0].row.id, t.id);
  auto d = app_->requests().get(command_, t.id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->assignments.back().kind, "whistle");
  EXPECT_EQ(d->assignments.back().to_unit_id, std::to_string(dept_unit_));
  EXPECT_EQ(d->assignments.back().to_unit_name, "柞水县住房和城乡建设局");
  EXPECT_EQ(d->assignments.back().from_unit_id, kQianyou);
}

INSTANTIATE_TEST_SUITE_P(Backends, Attachments,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
