#include "domain/requests/duplicates.hpp"

#include <gtest/gtest.h>

#include "common/clock.hpp"

namespace gj::requests {
namespace {

using namespace std::chrono_literals;

TEST(TextFolding, full_width_case_and_punctuation_fold_away) {
  EXPECT_EQ(fold_text("ＡＢＣ１２３，路灯！"), fold_text("abc123路灯"));
  EXPECT_EQ(fold_text("  小区 门口…… "), U"小区门口");
  EXPECT_TRUE(fold_text("，。！？").empty());
}

TEST(TextSimilarity, identical_texts_score_one_and_unrelated_texts_score_near_zero) {
  TextProfile a = make_profile("小区门口路灯不亮，晚上出行不便");
  EXPECT_NEAR(cosine_similarity(a, a), 1.0, 1e-12);
  EXPECT_NEAR(jaccard_similarity(a, a), 1.0, 1e-12);
  TextProfile b = make_profile("孩子入学需要准备哪些材料");
  EXPECT_LT(cosine_similarity(a, b), 0.05);
  EXPECT_EQ(cosine_similarity(a, make_profile("")), 0.0);
}

TEST(TextSimilarity, a_rephrased_complaint_scores_higher_than_a_different_one_on_the_same_street) {
  TextProfile orig = make_profile("幸福路小区门口的路灯坏了好几天，晚上一片漆黑");
  TextProfile same = make_profile("幸福路小区门口路灯坏了，晚上很黑，请尽快修理");
  TextProfile other = make_profile("幸福路小区门口垃圾桶满了没人清运");
  double s1 = cosine_similarity(orig, same), s2 = cosine_similarity(orig, other);
  EXPECT_GT(s1, 0.4);
  EXPECT_GT(s1, s2 + 0.1);
  EXPECT_GT(jaccard_similarity(orig, same), jaccard_similarity(orig, other));
}

TEST(TextSimilarity, a_single_character_text_still_has_a_profile) {
  TextProfile one = make_profile("水");
  EXPECT_FALSE(one.empty());
  EXPECT_NEAR(cosine_similarity(one, make_profile("水！")), 1.0, 1e-12);
  EXPECT_EQ(cosine_similarity(one, make_profile("水管")), 0.0);
}

class DuplicateTest : public ::testing::Test {
 protected:
  FakeClock clock;
  GeoPoint here{33.6850, 109.1150};
  // ≈ 22 m north per 0.0002°.
  GeoPoint north(double metres) const { return {here.lat + metres / 111195.0, here.lon}; }

  RequestSummary req(std::string id, std::string text, std::optional<GeoPoint> p,
                     std::chrono::hours age = 1h, RequestStatus status = RequestStatus::kDispatched,
                     std::string category = "城乡建设/道路/路灯") {
    return RequestSummary{
        std::move(id), std::move(category), std::move(text), p, "", clock.now() - age, status};
  }
  RequestSummary probe() {
    return req("NEW", "幸福路小区门口路灯坏了，晚上很黑", here, 0h, RequestStatus::kReceived);
  }
};

TEST_F(DuplicateTest, a_similar_open_request_nearby_is_suggested_with_its_reasons) {
  auto out = DuplicateFinder().find(
      probe(), {req("A", "幸福路小区门口的路灯坏了好几天，晚上一片漆黑", north(20))}, clock.now());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "A");
  ASSERT_TRUE(out[0].distance_m);
  EXPECT_NEAR(*out[0].distance_m, 20, 1);
  EXPECT_GT(out[0].score, 0.5);
  ASSERT_GE(out[0].reasons_zh.size(), 3u);
  EXPECT_NE(out[0].reasons_zh[0].find("文本相似度"), std::string::npos);
  EXPECT_NE(out[0].reasons_zh[1].find("相距 20 米"), std::string::npos) << out[0].reasons_zh[1];
  EXPECT_NE(out[0].reasons_en[0].find("text similarity"), std::string::npos);
}

TEST_F(DuplicateTest, far_closed_old_unrelated_or_other_topic_requests_are_not_suggested) {
  const std::string text = "幸福路小区门口的路灯坏了好几天";
  auto out = DuplicateFinder().find(
      probe(),
      {req("far", text, north(200)), req("closed", text, north(10), 1h, RequestStatus::kCompleted),
       req("old", text, north(10), std::chrono::hours(24 * 40)),
       req("unrelated", "孩子入学需要准备哪些材料", north(10)),
       req("topic", text, north(10), 1h, RequestStatus::kDispatched, "教育文体/入学"),
       req("NEW", text, here)},
      clock.now());
  EXPECT_TRUE(out.empty()) << out.front().id;
}

TEST_F(DuplicateTest, candidates_are_ranked_by_score_then_id_and_capped) {
  DuplicateOptions o;
  o.max_results = 2;
  auto out = DuplicateFinder(o).find(probe(),
                                     {req("b-near", "幸福路小区门口路灯坏了，晚上很黑", north(5)),
                                      req("a-far", "幸福路小区门口路灯坏了，晚上很黑", north(45)),
                                      req("c-weaker", "幸福路小区路灯不亮", north(5))},
                                     clock.now());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, "b-near");
  EXPECT_EQ(out[1].id, "a-far");
  EXPECT_GE(out[0].score, out[1].score);
}

TEST_F(DuplicateTest, the_radius_is_per_category_with_the_most_specific_prefix) {
  DuplicateOptions o;
  o.radius_by_category["城乡建设"] = 100;
  o.radius_by_category["城乡建设/道路/路灯"] = 30;
  EXPECT_EQ(o.radius_for("城乡建设/道路/路灯"), 30);
  EXPECT_EQ(o.radius_for("城乡建设/供水"), 100);
  EXPECT_EQ(o.radius_for("环境保护"), 50);
  auto out = DuplicateFinder(o).find(
      probe(), {req("40m", "幸福路小区门口路灯坏了，晚上很黑", north(40))}, clock.now());
  EXPECT_TRUE(out.empty());
  o.radius_by_category["城乡建设/道路/路灯"] = 60;
  EXPECT_EQ(
      DuplicateFinder(o)
          .find(probe(), {req("40m", "幸福路小区门口路灯坏了，晚上很黑", north(40))}, clock.now())
          .size(),
      1u);
}

TEST_F(DuplicateTest, without_points_the_same_grid_places_them_and_otherwise_only_copies_match) {
  RequestSummary p = probe();
  p.location.reset();
  p.grid_code = "G1";
  RequestSummary same_grid = req("grid", "幸福路路灯坏了", std::nullopt);
  same_grid.grid_code = "G1";
  RequestSummary nowhere_similar = req("similar", "幸福路路灯坏了", std::nullopt);
  RequestSummary nowhere_copy = req("copy", "幸福路小区门口路灯坏了，晚上很黑！", std::nullopt);
  auto out = DuplicateFinder().find(p, {same_grid, nowhere_similar, nowhere_copy}, clock.now());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, "copy");  // cross-channel copy of the same text
  EXPECT_EQ(out[1].id, "grid");
  EXPECT_NE(out[1].reasons_zh[1].find("同一网格"), std::string::npos);
}

TEST(GeoBoxTest, the_bounding_box_covers_the_radius_in_every_direction) {
  GeoPoint c{33.685, 109.115};
  GeoBox b = bounding_box(c, 100);
  EXPECT_NEAR(haversine_m(c, {b.max_lat, c.lon}), 100, 0.5);
  EXPECT_NEAR(haversine_m(c, {c.lat, b.max_lon}), 100, 0.5);
  EXPECT_LT(b.min_lat, c.lat);
  EXPECT_LT(b.min_lon, c.lon);
}

}  // namespace
}  // namespace gj::requests
