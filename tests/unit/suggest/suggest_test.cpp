// Category suggestion 分类建议 in the product, in-process on real SQLite and real PostgreSQL
// ($GJ_TEST_POSTGRES_URL): `learn` from synthetic closed tickets (generated texts with distinct
// vocabulary per category), the suggestion at intake with its confidence, low confidence not
// setting the category, staff override recorded and audited, a new model version picked up
// without a restart, and the refusals (too few examples, one category).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "api/api.hpp"
#include "app/app.hpp"
#include "app/category_suggest.hpp"
#include "app/requests_service.hpp"
#include "http/router.hpp"
#include "requests_fixture.hpp"
#include "store/repos/classifier_repo.hpp"
#include "store/repos/requests_repo.hpp"

using namespace gj;
using nlohmann::json;

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

class Suggest : public RequestsFixture {
 protected:
  // Synthetic closed requests: each category has its own vocabulary, mixed with shared filler
  // so the texts are not identical. Deterministic.
  struct Vocab {
    const char* code;
    std::vector<const char*> subjects, words;
  };
  static const std::vector<Vocab>& vocab() {
    static const std::vector<Vocab> v = {
        {"0106",
         {"垃圾堆放无人清运", "垃圾桶满溢", "楼道垃圾没人清扫"},
         {"垃圾", "清运", "保洁", "异味", "垃圾桶", "苍蝇", "清扫", "腐烂"}},
        {"0201",
         {"小区突然停水", "自来水水压太低", "水管破裂漏水"},
         {"停水", "自来水", "水压", "水管", "水表", "供水", "浑浊", "龙头"}},
        {"0104",
         {"路灯不亮", "井盖缺失", "人行道砖块破损"},
         {"路灯", "井盖", "人行道", "破损", "照明", "坑洼", "砖块", "夜里"}},
    };
    return v;
  }
  static std::pair<std::string, std::string> text_for(const Vocab& v, int i) {
    static const char* filler[] = {"希望尽快处理", "已经好几天了", "居民反映强烈",
                                   "请相关部门",   "影响日常生活", "多次反映未果"};
    std::string subject = v.subjects[i % v.subjects.size()];
    std::string body = std::string("我们小区") + v.words[i % v.words.size()] +
                       v.words[(i * 3 + 1) % v.words.size()] + "的问题，" +
                       v.words[(i * 5 + 2) % v.words.size()] + "，" + filler[i % 6] + "。";
    return {subject, body};
  }

  // Inserts closed tickets per category (count each) straight through the repository.
  void add_closed(const std::vector<std::pair<const char*, int>>& per_category,
                  const std::string& status = "completed") {
    Status st = db_->write([&](store::Session& s) -> Status {
      for (const auto& [code, n] : per_category) {
        const Vocab* v = nullptr;
        for (const auto& x : vocab())
          if (std::string(x.code) == code) v = &x;
        for (int i = 0; i < n; ++i) {
          auto [subject, body] = text_for(*v, i + serial_);
          store::TicketRow row;
          row.code = "SYN" + std::to_string(++serial_);
          row.county_code = kCounty;
          row.channel = "citizen";
          row.category = code;
          row.subject = subject;
          row.body = body;
          row.division_code = kCounty;
          row.unit_id = kCounty;
          row.unit_type = "command";
          row.unit_name = "柞水县指挥中心";
          row.status = status;
          row.sla_tier = "standard";
          row.state = "{}";
          row.created_at = row.updated_at = 1764547200000;
          auto id = store::tickets::insert(s, row);
          if (!id.ok()) return id.error();
        }
      }
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().detail;
  }

  Result<app::LearnReport> learn(int min_examples = 20, std::string csv = {}) {
    app::LearnOptions opt;
    opt.min_examples = min_examples;
    opt.csv_path = std::move(csv);
    return app::learn_categories(*db_, opt, clock_.now());
  }

  app::IntakeInput water(std::string category = "") {
    app::IntakeInput in = pothole();
    in.category = std::move(category);
    in.subject = "小区停水两天了";
    in.text = "我们小区自来水停水，水压很低，水管好像有问题，希望尽快处理。";
    return in;
  }

  int serial_ = 0;
};

TEST_P(Suggest, learning_refuses_too_few_examples_and_a_single_category) {
  add_closed({{"0106", 4}, {"0201", 4}});
  auto r = learn(20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().detail.find("too few"), std::string::npos) << r.error().detail;
  add_closed({{"0106", 30}});
  // 38 examples in two categories now (0201 too small for cross-validation, not for learning).
  auto ok = learn(20);
  ASSERT_TRUE(ok.ok()) << ok.error().detail;

  // A fresh store whose closed requests all share one category.
  shut();
  target_ = new_target(GetParam());
  open();
  ASSERT_TRUE(db_->migrate().ok());
  add_closed({{"0106", 25}});
  auto one = learn(20);
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.error().detail.find("one category"), std::string::npos) << one.error().detail;
  EXPECT_EQ(count("classifier_models"), 0);
}

TEST_P(Suggest, only_closed_requests_are_learnt_and_the_model_is_stored_active_with_its_score) {
  add_closed({{"0106", 20}, {"0201", 20}, {"0104", 20}});
  add_closed({{"0104", 50}}, "in_progress");  // open: not training data
  auto r = learn(20);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->examples, 60);
  EXPECT_EQ(r->counts.at("0104"), 20);
  ASSERT_TRUE(r->cv.has_value());
  EXPECT_GT(r->cv->macro_f1, 0.9);  // distinct vocabularies: nearly perfectly separable
  auto models = db_->read_value<std::vector<store::ClassifierModelRow>>(
      [](store::Session& s) { return store::classifier_models::list(s); });
  ASSERT_TRUE(models.ok());
  ASSERT_EQ(models->size(), 1u);
  EXPECT_TRUE(models->front().active);
  EXPECT_EQ(models->front().version, r->version);
  EXPECT_NE(models->front().metrics.find("cv_macro_f1"), std::string::npos);
}

TEST_P(Suggest, without_a_model_intake_works_and_shows_no_suggestion) {
  auto in = water("0201");
  auto r = app_->requests().submit(citizen(), in);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  auto d = app_->requests().get(command_, r->detail.view.row.id);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->category_suggestion.has_value());
  // No category and no model: the category is still required.
  auto none = app_->requests().submit(citizen(), water(""));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kMissingField);
}

TEST_P(Suggest, a_confident_suggestion_sets_a_missing_category_and_a_chosen_one_is_kept) {
  add_closed({{"0106", 20}, {"0201", 20}, {"0104", 20}});
  ASSERT_TRUE(learn().ok());
  auto r = app_->requests().submit(citizen(), water(""));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  int64_t id = r->detail.view.row.id;
  EXPECT_EQ(r->detail.view.row.category, "0201");
  auto d = app_->requests().get(command_, id);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->category_suggestion.has_value());
  const auto& sg = *d->category_suggestion;
  EXPECT_TRUE(sg.applied);
  ASSERT_EQ(sg.top.size(), 3u);
  EXPECT_EQ(sg.top[0].code, "0201");
  EXPECT_EQ(sg.top[0].name_zh, "供水");
  EXPECT_GE(sg.top[0].confidence, 0.6);
  EXPECT_GE(sg.top[0].confidence, sg.top[1].confidence);
  // The API shows it on detail, marked as a suggested category.
  // The citizen's own choice stays, with the suggestion beside it for staff.
  auto chosen = app_->requests().submit(citizen(), water("0106"));
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->detail.view.row.category, "0106");
  auto d2 = app_->requests().get(command_, chosen->detail.view.row.id);
  ASSERT_TRUE(d2.ok() && d2->category_suggestion.has_value());
  EXPECT_FALSE(d2->category_suggestion->applied);
  EXPECT_EQ(d2->category_suggestion->top[0].code, "0201");
  // Staff see the suggestion in the intake answer itself, as a later read shows it.
  auto by_phone = water("");
  by_phone.channel = "hotline";
  auto staff = app_->requests().submit(command_, by_phone);
  ASSERT_TRUE(staff.ok()) << staff.error().detail;
  auto d3 = app_->requests().get(command_, staff->detail.view.row.id);
  ASSERT_TRUE(d3.ok() && staff->detail.category_suggestion.has_value());
  EXPECT_EQ(answer_json(staff->detail)["suggestion"], answer_json(*d3)["suggestion"]);
  EXPECT_TRUE(staff->detail.category_suggestion->applied);
}

TEST_P(Suggest, a_suggestion_below_the_threshold_does_not_set_the_category) {
  add_closed({{"0106", 20}, {"0201", 20}, {"0104", 20}});
  ASSERT_TRUE(learn().ok());
  // Whatever this text's top confidence is, a threshold just above it must not file it.
  auto in = water("");
  double top = 0;
  Status st = db_->read([&](store::Session& s) -> Status {
    auto sg = app_->requests().suggester().suggest(s, in.subject, in.text);
    if (!sg.ok()) return sg.error();
    EXPECT_TRUE(sg->has_value());
    if (*sg) top = (*sg)->top.front().confidence;
    return {};
  });
  ASSERT_TRUE(st.ok());
  EXPECT_GT(top, 0.0);
  double threshold = std::nextafter(top, 2.0);
  app_->requests().set_suggest_threshold(threshold);
  auto r = app_->requests().submit(citizen(), in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingField);
  EXPECT_EQ(r.error().field, "category");
  // With a category chosen it is filed as chosen, the suggestion recorded but not applied.
  auto c = app_->requests().submit(citizen(), water("0106"));
  ASSERT_TRUE(c.ok());
  auto d = app_->requests().get(command_, c->detail.view.row.id);
  ASSERT_TRUE(d.ok() && d->category_suggestion.has_value());
  EXPECT_FALSE(d->category_suggestion->applied);
  EXPECT_LT(d->category_suggestion->top[0].confidence, threshold);
  EXPECT_EQ(d->view.row.category, "0106");
}

TEST_P(Suggest, staff_holding_the_ticket_override_the_category_recorded_and_audited) {
  add_closed({{"0106", 20}, {"0201", 20}, {"0104", 20}});
  ASSERT_TRUE(learn().ok());
  auto r = app_->requests().submit(citizen(), water(""));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  int64_t id = r->detail.view.row.id;
  // Citizens cannot; someone outside the ticket's scope gets 404.
  EXPECT_EQ(app_->requests().change_category(citizen(), id, "0205", "").error().code,
            ErrorCode::kForbidden);
  EXPECT_FALSE(app_->requests().change_category(yingpan_, id, "0205", "").ok());
  EXPECT_EQ(app_->requests().change_category(command_, id, "9999", "").error().code,
            ErrorCode::kInvalidInput);
  // Whoever holds it after routing (the grid, the township or the command centre) may.
  auth::Principal holder;
  for (const auto* p : {&grid_, &qianyou_, &command_}) {
    auto v = app_->requests().get(*p, id);
    if (v.ok() && !v->available.empty()) {
      holder = *p;
      break;
    }
  }
  ASSERT_NE(holder.user_id, 0);
  auto d = app_->requests().change_category(holder, id, "0205", "其实是排水管道问题");
  ASSERT_TRUE(d.ok()) << d.error().detail;
  EXPECT_EQ(d->view.row.category, "0205");
  EXPECT_EQ(d->view.ticket.category, "0205");
  EXPECT_EQ(d->view.category_name_zh, "排水与污水管网");
  bool event = false;
  for (const auto& e : d->events)
    if (e.action == "recategorize") {
      event = true;
      EXPECT_EQ(e.note, "0201 -> 0205: 其实是排水管道问题");
      EXPECT_EQ(e.actor_name, holder.username);
    }
  EXPECT_TRUE(event);
  EXPECT_EQ(audit_count("request.recategorize"), 1);
  // The suggestion stays visible beside the staff's choice.
  ASSERT_TRUE(d->category_suggestion.has_value());
  EXPECT_EQ(d->category_suggestion->top[0].code, "0201");

  // Through the API as well: POST /api/v1/requests/{id}/category needs a signed-in session.
  auto resp = call("POST", "/api/v1/requests/" + std::to_string(id) + "/category",
                   R"({"category":"0201"})");
  EXPECT_EQ(resp.status, 401);
}

TEST_P(Suggest, a_new_model_version_is_picked_up_without_a_restart) {
  add_closed({{"0106", 20}, {"0201", 20}});
  auto v1 = learn();
  ASSERT_TRUE(v1.ok());
  auto street = water("");
  street.subject = "路灯不亮井盖缺失";
  street.text = "人行道上的路灯晚上不亮，井盖也缺失了，夜里照明很差，破损严重。";
  auto a = app_->requests().submit(citizen(), street);
  // The first model knows nothing of 0104: whatever it says is not 0104.
  if (a.ok()) {
    EXPECT_NE(a->detail.view.row.category, "0104");
  }
  EXPECT_EQ(app_->requests().suggester().loaded_version(), v1->version);

  // Another process (a second connection to the same store) learns a newer model.
  {
    store::Options opt;
    opt.target = target_.url;
    auto other = store::open_database(opt);
    ASSERT_TRUE(other.ok());
    add_closed({{"0104", 20}});
    app::LearnOptions lo;
    auto v2 = app::learn_categories(**other, lo, clock_.now());
    ASSERT_TRUE(v2.ok()) << v2.error().detail;
    EXPECT_GT(v2->version, v1->version);
    (*other)->close();
  }
  auto b = app_->requests().submit(citizen(), street);
  ASSERT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(b->detail.view.row.category, "0104");
  EXPECT_GT(app_->requests().suggester().loaded_version(), v1->version);
}

TEST_P(Suggest, a_labelled_csv_seeds_a_new_deployment_with_first_level_codes) {
  auto dir = std::filesystem::temp_directory_path() /
             ("gj_sg_csv_" + std::to_string(::getpid()) + "_" + std::to_string(rand()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "seed.csv").string();
  {
    std::ofstream f(path);
    f << "留言编号,留言主题,留言详情,一级分类\n";
    int n = 0;
    for (const auto& [code, l1] : {std::pair{"0106", "城乡建设"}, std::pair{"0201", "水电气暖"}})
      for (int i = 0; i < 12; ++i) {
        const Vocab* v = nullptr;
        for (const auto& x : vocab())
          if (std::string(x.code) == code) v = &x;
        auto [s, b] = text_for(*v, i);
        f << ++n << "," << s << "," << b << "," << l1 << "\n";
      }
    f << ++n << ",无关,无关内容,不存在的分类\n";
  }
  auto r = learn(20, path);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->source, "csv");
  EXPECT_EQ(r->examples, 24);
  EXPECT_EQ(r->counts.count("01"), 1u);
  EXPECT_EQ(r->counts.count("02"), 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, Suggest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });
