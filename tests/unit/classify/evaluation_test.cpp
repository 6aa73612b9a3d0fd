#include "domain/classify/evaluation.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "domain/classify/classifier.hpp"
#include "domain/classify/training_data.hpp"

namespace gj::classify {
namespace {

TEST(Evaluation, stratified_folds_keep_every_category_spread_and_sizes_even) {
  std::vector<std::string> labels;
  for (int i = 0; i < 23; ++i) labels.push_back("a");
  for (int i = 0; i < 7; ++i) labels.push_back("b");
  auto fold = stratified_folds(labels, 5, 7);
  std::map<int, int> size;
  std::map<std::pair<std::string, int>, int> per;
  for (size_t i = 0; i < labels.size(); ++i) {
    ASSERT_GE(fold[i], 0);
    ASSERT_LT(fold[i], 5);
    ++size[fold[i]];
    ++per[{labels[i], fold[i]}];
  }
  for (auto [f, n] : size) EXPECT_EQ(n, 6);
  for (int f = 0; f < 5; ++f) {
    EXPECT_GE((per[{"a", f}]), 4);
    EXPECT_GE((per[{"b", f}]), 1);
  }
  EXPECT_EQ(fold, stratified_folds(labels, 5, 7));  // same seed, same folds
}

TEST(Evaluation, scores_match_hand_computed_precision_recall_and_f1) {
  // a: tp 2, fn 1, fp 0 → P 1, R 2/3, F1 0.8. b: tp 1, fn 0, fp 1 → P 0.5, R 1, F1 2/3.
  auto s = score({"a", "a", "a", "b"}, {"a", "a", "b", "b"});
  ASSERT_EQ(s.categories.size(), 2u);
  EXPECT_DOUBLE_EQ(s.categories[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(s.categories[0].recall, 2.0 / 3);
  EXPECT_NEAR(s.categories[0].f1, 0.8, 1e-12);
  EXPECT_NEAR(s.categories[1].f1, 2.0 / 3, 1e-12);
  EXPECT_EQ(s.categories[0].support, 3);
  EXPECT_NEAR(s.macro_f1, (0.8 + 2.0 / 3) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.75);
}

TEST(Evaluation, a_category_never_predicted_scores_zero_and_lowers_macro_f1) {
  auto s = score({"a", "b"}, {"a", "a"});
  EXPECT_DOUBLE_EQ(s.categories[1].f1, 0.0);
  EXPECT_NEAR(s.macro_f1, (2.0 / 3) / 2, 1e-12);
}

// The figure in bench/README.md, kept from regressing: 5-fold CV on the real labelled sample.
// Measured 0.814 macro-F1 / 0.824 accuracy with these folds; the floor leaves room for noise.
TEST(Evaluation, five_fold_cross_validation_on_the_labelled_messages_reaches_the_floor) {
  const std::string path = GJ_SHARED_DIR "/data/citizen-messages/attachment2_labelled_train.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not present";
  auto rows = read_messages_csv(path, true);
  ASSERT_TRUE(rows.ok()) << rows.error().detail;
  std::vector<Example> ex;
  std::vector<std::string> labels;
  for (const auto& r : *rows) {
    ex.push_back(r.example);
    labels.push_back(r.example.category);
  }
  ASSERT_EQ(ex.size(), 346u);
  auto cv = cross_validate(ex, stratified_folds(labels, 5, 0), TrainOptions{});
  ASSERT_TRUE(cv.ok()) << cv.error().detail;
  EXPECT_EQ(cv->scores.categories.size(), 7u);
  EXPECT_GE(cv->scores.macro_f1, 0.78);
  EXPECT_GE(cv->scores.accuracy, 0.79);
  // Calibrated: the mean top confidence is within 0.1 of the accuracy it claims.
  EXPECT_NEAR(cv->mean_confidence, cv->scores.accuracy, 0.1);
}

}  // namespace
}  // namespace gj::classify
